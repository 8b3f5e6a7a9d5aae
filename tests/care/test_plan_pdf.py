"""The care plan as a PDF: who it is about on every page, audited, and a clear page when it cannot be made."""

import datetime as dt
import io
import sys

import pytest
from django.utils import timezone
from pypdf import PdfReader

from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import format_for_display
from tests.care.test_plan import edit_url, plan_form
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_and_gp():
    practice = PracticeFactory()
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Evans")
    return person, staff(Role.GP, practice.organisation)


def pdf_url(person) -> str:
    return f"/people/{person.nhs_number}/plan/pdf/"


def write_long_plan(client, person) -> None:
    target = timezone.localdate() + dt.timedelta(days=30)
    goals = [(f"Goal number {n}: walk a little further", "Eileen", target, "in_progress") for n in range(30)]
    long_text = "\n".join(f"Line {n} of what matters to me." for n in range(60))
    response = client.post(edit_url(person), plan_form(goals=goals, what_matters=long_text))
    assert response.status_code == 302


def test_the_pdf_names_the_person_on_every_page_and_is_a_named_attachment(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    write_long_plan(client, person)
    response = client.get(pdf_url(person))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="care-plan.pdf"'
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) >= 2
    for page in pages:
        text = page.extract_text()
        assert "Eileen Evans" in text
        assert format_for_display(person.nhs_number) in text
        assert "17 May 1940" in text
    assert "Goal number 29" in "".join(page.extract_text() for page in pages)


def test_the_download_is_audited(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    write_long_plan(client, person)
    client.get(pdf_url(person))
    event = AuditEvent.objects.get(action="download_care_plan")
    assert event.person == person and event.user == gp and event.outcome == "allowed"


def test_no_plan_no_pdf_and_a_page_that_says_so(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    response = client.get(pdf_url(person))
    assert response.status_code == 404
    assert "does not have a care and support plan yet" in response.content.decode()


def test_without_pango_the_pdf_route_answers_a_clear_page(client, person_and_gp, monkeypatch):
    person, gp = person_and_gp
    client.force_login(gp)
    write_long_plan(client, person)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails, as without Pango
    response = client.get(pdf_url(person))
    assert response.status_code == 503
    page = response.content.decode()
    assert "The PDF cannot be made at the moment" in page
    assert f'href="/people/{person.nhs_number}/plan/?print=1"' in page


def test_staff_with_no_relationship_cannot_download_and_the_refusal_is_audited(client, person_and_gp):
    person, gp = person_and_gp
    client.force_login(gp)
    write_long_plan(client, person)
    outsider = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(outsider)
    response = client.get(pdf_url(person))
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.filter(action="download_care_plan", user=outsider, outcome="refused").exists()
