"""The care coordination journey in Chromium, with axe after every step: a care coordinator finds a high-risk
person on the worklist, records consent, adds a link worker to the care team, completes the holistic
assessment and writes the plan with the person's goals and contingency plan; the named GP reads it and
downloads the PDF; the coordinator's save over the GP's newer version is refused without losing her text; a
link worker outside the care team is refused; an objection to the voluntary-sector organisation removes the
link worker's access."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from neighbourhood.care import plan_actions
from neighbourhood.care.assessment_domains import DOMAINS
from neighbourhood.care.models import CarePlan, CareTeamMember
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.browser.axe import assert_accessible
from tests.browser.test_journeys import sign_in
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFUSED = "You cannot open this record"


def fill_date(group, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def switch_user(page, live_server, username: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + path)
    sign_in(page, username)


def record_tab(page, name: str) -> None:
    page.get_by_role("navigation", name="This person's record").get_by_role("link", name=name).click()


@pytest.fixture
def neighbourhood():
    practice = PracticeFactory(name="Riverside Surgery")
    voluntary = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    person = PersonFactory(practice=practice, given_name="Eileen", family_name="Evans")
    quieter = PersonFactory(practice=practice, given_name="Bilal", family_name="Begum")
    run = RiskRunFactory()
    RiskScoreFactory(run=run, person=person, admission_risk=0.62, risk_percentile=99.8, on_register=True)
    RiskScoreFactory(run=run, person=quieter, admission_risk=0.04, risk_percentile=40.0)
    staff(Role.CARE_COORDINATOR, practice.organisation, username="cara", first_name="Cara", last_name="Jones")
    gp = staff(Role.GP, practice.organisation, username="dr-okafor", first_name="Ada", last_name="Okafor")
    staff(Role.LINK_WORKER, voluntary, username="lee", first_name="Lee", last_name="Marsh")
    staff(Role.LINK_WORKER, voluntary, username="sam", first_name="Sam", last_name="Outside")
    return {"person": person, "gp": gp}


def test_a_care_coordinator_plans_care_the_gp_reads_it_and_access_follows_the_care_team_and_consent(
    page, live_server, neighbourhood
):
    person, gp = neighbourhood["person"], neighbourhood["gp"]
    record = f"/people/{person.nhs_number}/"
    review = timezone.localdate() + dt.timedelta(days=60)

    # The coordinator finds her on the worklist: the highest risk first.
    page.goto(live_server.url + "/case-finding/")
    sign_in(page, "cara")
    first_row = page.locator("table tbody tr").first
    expect(first_row).to_contain_text("EVANS, Eileen")
    assert_accessible(page)
    first_row.get_by_role("link", name="EVANS, Eileen").click()
    expect(page.get_by_role("heading", name="Eileen Evans", level=1)).to_be_visible()
    expect(page.get_by_text("You can see this record because: Registered with your practice")).to_be_visible()
    assert_accessible(page)

    # Consent to share with the voluntary sector, and to be discussed at an MDT.
    record_tab(page, "Consent and capacity")
    for scope in (
        "Share my record between health, social care and the voluntary sector",
        "Be discussed at a multidisciplinary team (MDT) meeting",
    ):
        page.get_by_role("link", name="Record a consent decision").click()
        page.get_by_label(scope).check()
        page.get_by_label("Consent given").check()
        page.get_by_label("Verbally").check()
        page.get_by_role("button", name="Save decision").click()
        expect(page.get_by_text("Consent decision recorded.")).to_be_visible()
    assert_accessible(page)

    # The link worker joins the care team.
    record_tab(page, "Care team")
    page.get_by_role("button", name="Add someone to the care team").click()
    page.get_by_label("Member of staff").select_option(
        label="Lee Marsh – Social prescribing link worker, Age Well Charity"  # noqa: RUF001 - the option text has an en dash
    )
    page.get_by_role("group", name="Their responsibility in the care team").get_by_label("Member").check()
    page.get_by_label("Active: caring for the person now").check()
    assert_accessible(page)
    page.get_by_role("button", name="Add to the care team").click()
    expect(page.get_by_text("Lee Marsh").first).to_be_visible()
    assert CareTeamMember.objects.filter(team__person=person, user__username="lee", status="active").exists()
    assert_accessible(page)

    # The holistic assessment, pre-filled from the record, completed.
    record_tab(page, "Holistic assessment")
    page.get_by_role("button", name="Start a holistic assessment").click()
    expect(page.get_by_role("heading", name="Holistic assessment", level=1)).to_be_visible()
    for domain in DOMAINS:
        page.get_by_label(domain.heading, exact=True).fill(f"Talked about {domain.heading.lower()} at home")
    page.get_by_label("What matters to the person").fill("Getting back to her allotment")
    assert_accessible(page)
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("Assessment completed.")).to_be_visible()
    assert_accessible(page)

    # The plan: what matters, a goal, the contingency plan, the review date.
    record_tab(page, "Care and support plan")
    page.get_by_role("link", name="Write a care and support plan").click()
    page.get_by_label("What matters to me").fill("Getting back to her allotment")
    goal = page.get_by_role("group", name="Goal 1")
    goal.get_by_label("Goal", exact=True).fill("Walk to the allotment by the spring")
    goal.get_by_label("Owner").fill("Eileen")
    fill_date(goal.get_by_role("group", name="Target date"), review)
    goal.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("What to do if I become unwell").fill("Start the rescue pack and call the practice")
    page.get_by_label("Who to call at night and at weekends").fill("NHS 111, or 999 in an emergency")
    fill_date(page.get_by_role("group", name="Next review date"), review)
    assert_accessible(page)
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Care and support plan saved as version 1.")).to_be_visible()
    assert_accessible(page)

    # The GP reads it and downloads the PDF; the download is audited.
    switch_user(page, live_server, "dr-okafor", record + "plan/")
    expect(page.get_by_role("cell", name="Walk to the allotment by the spring")).to_be_visible()
    expect(page.get_by_text("Start the rescue pack and call the practice")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the plan as a PDF").click()
    assert download.value.suggested_filename == "care-plan.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert AuditEvent.objects.filter(person=person, user=gp, action="download_care_plan").count() == 1

    # The coordinator edits while the GP saves a newer version: her save is refused and keeps her text.
    switch_user(page, live_server, "cara", record + "plan/edit/")
    page.get_by_label("What matters to me").fill("Her allotment, and her grandchildren visiting")
    plan = CarePlan.objects.get(person=person)
    plan_actions.save_plan(
        person=person,
        content={**plan.content, "what_matters": {"what_matters": "Her allotment (told the GP)"}},
        edited_version=plan.version,
        by=gp,
    )
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("while you were editing").first).to_be_visible()
    expect(page.get_by_role("textbox", name="What matters to me")).to_have_value(
        "Her allotment, and her grandchildren visiting"
    )
    assert CarePlan.objects.get(person=person).version == 2
    assert_accessible(page)

    # A link worker outside the care team is refused; the one in it sees the record.
    switch_user(page, live_server, "sam", record)
    expect(page.get_by_text(REFUSED).first).to_be_visible()
    assert_accessible(page)
    switch_user(page, live_server, "lee", record)
    expect(page.get_by_text("You can see this record because: You are in their care team")).to_be_visible()

    # She objects to the charity seeing her record: its link worker loses access.
    switch_user(page, live_server, "cara", record + "consent/")
    page.get_by_role("link", name="Record an objection to an organisation").click()
    page.get_by_label("Which organisation do they object to?").select_option(label="Age Well Charity")
    page.get_by_role("button", name="Save objection").click()
    expect(
        page.get_by_text("Objection recorded: Age Well Charity can no longer see their record.")
    ).to_be_visible()
    switch_user(page, live_server, "lee", record)
    expect(page.get_by_text(REFUSED).first).to_be_visible()
    lee = User.objects.get(username="lee")
    assert AuditEvent.objects.filter(person=person, user=lee, outcome="refused").exists()
