import io
import logging

import pytest
from django.core.exceptions import PermissionDenied

from neighbourhood.governance.roles import Role
from neighbourhood.logfilters import OneLineRefusals, RedactNHSNumbers, redact
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


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_a_traceback(client, caplog):
    """Issue #11: an ordinary refusal (PermissionDenied -> 403) is one console line, not a traceback."""
    person = PersonFactory(practice=PracticeFactory())
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    console = logging.getLogger().handlers[0]
    assert any(isinstance(f, OneLineRefusals) for f in console.filters)  # configured in settings.LOGGING
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        with caplog.at_level(logging.WARNING, logger="django.request"):
            assert client.get(f"/people/{person.nhs_number}/").status_code == 403
    finally:
        console.setStream(previous)

    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 1 and refusals[0].getMessage().startswith("Forbidden (Permission denied)")
    assert refusals[0].exc_info is None and "Traceback" not in caplog.text
    lines = written.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Forbidden (Permission denied)")
    assert "Traceback" not in written.getvalue() and person.nhs_number not in written.getvalue()


def test_other_exceptions_keep_their_traceback():
    def record_for(error):
        try:
            raise error
        except Exception as raised:
            return logging.LogRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "x",
                (),
                (type(raised), raised, raised.__traceback__),
            )

    refused, broken = record_for(PermissionDenied()), record_for(ValueError("bug"))
    assert OneLineRefusals().filter(refused) and OneLineRefusals().filter(broken)
    assert refused.exc_info is None and broken.exc_info is not None
