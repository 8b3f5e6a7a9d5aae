import logging

import pytest

from neighbourhood.governance.roles import Role
from neighbourhood.logfilters import RedactNHSNumbers, redact
from tests.factories import PersonFactory, PracticeFactory, staff


def test_nhs_numbers_are_redacted_however_they_are_spaced():
    assert redact("/people/9990000018/") == "/people/[NHS number]/"
    assert redact("NHS number 999 000 0018 refused") == "NHS number [NHS number] refused"
    assert redact("run 12 stored 20000 scores") == "run 12 stored 20000 scores"  # other numbers stay
    assert redact("id 123456789012") == "id 123456789012"  # not part of a longer number


@pytest.mark.django_db
def test_a_refused_page_is_logged_without_the_nhs_number(client, caplog):
    person = PersonFactory(practice=PracticeFactory())
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactNHSNumbers) for f in handler.filters)  # the console handler redacts
    caplog.handler.addFilter(RedactNHSNumbers())

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/people/{person.nhs_number}/").status_code == 403

    logged = caplog.text
    assert "Forbidden" in logged
    assert person.nhs_number not in logged
