"""The API's interactive docs load Swagger UI from our own static files, like every other page: nothing from
another host, and no inline script for a `script-src 'self'` policy to block."""

import re
from html.parser import HTMLParser

import pytest
from playwright.sync_api import expect

from neighbourhood.governance.roles import Role
from tests.factories import PracticeFactory, staff

pytestmark = pytest.mark.django_db


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        elif tag == "link":
            self.links.append(attrs)


@pytest.fixture
def signed_in(client):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    return client


def test_api_docs_load_swagger_ui_from_this_site_only(signed_in):
    response = signed_in.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page), (
        "something loads from another host"
    )
    resources = Resources()
    resources.feed(page)
    sources = [script["src"] for script in resources.scripts if "src" in script]
    assert sources == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    # the one script without a src is Swagger UI's settings, as data: a browser does not run it
    assert [s.get("type") for s in resources.scripts if "src" not in s] == ["application/json"]
    assert "/static/ninja/swagger-ui.css" in [link["href"] for link in resources.links]
    assert '"validatorUrl": null' in page  # no badge image fetched from validator.swagger.io
    for source in sources:
        assert signed_in.get(source).status_code == 200


def test_the_openapi_schema_still_works(signed_in):
    response = signed_in.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Neighbourhood API"
    assert "/api/people/{nhs_number_text}" in response.json()["paths"]


@pytest.mark.browser
def test_swagger_ui_starts_under_the_content_security_policy(page, live_server):
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs")
    # Swagger UI ran: it fetched the schema and shows the API's title and the people endpoint
    expect(page.get_by_role("heading", name=re.compile("Neighbourhood API"))).to_be_visible()
    expect(page.get_by_text("/api/people/{nhs_number_text}")).to_be_visible()
    assert refused == []
    assert all(url.startswith((live_server.url, "data:")) for url in requested), requested
