import re

import pytest
from django.urls import reverse

from tests.routes import every_route

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {
    "int": "1",
    "str": "9990000018",
    "path": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def every_path():
    """A concrete path for every URL pattern in the project, with sample values for its parameters."""
    for route, _ in every_route():
        yield "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], route)


def test_anonymous_people_are_sent_to_sign_in_from_every_page(client):
    # The admin has its own sign-in; the API answers 401 (tested below).
    paths = [path for path in every_path() if not path.startswith(("/admin/", "/api/"))]
    assert "/your-access/" in paths and "/people/9990000018/" in paths

    for path in paths:
        response = client.get(path)
        if path == reverse("login"):
            assert response.status_code == 200
        else:
            assert response.status_code == 302, path
            assert response["Location"] == f"{reverse('login')}?next={path}", path


def test_anonymous_api_calls_get_401_not_a_sign_in_page(client):
    response = client.get("/api/people/9990000018")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
