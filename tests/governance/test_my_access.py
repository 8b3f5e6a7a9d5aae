import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from neighbourhood.governance.access import authorise, record
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.presenters import date_time
from neighbourhood.register.models import Organisation
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, UserFactory, staff
from tests.governance.html import elements, visible_text

pytestmark = pytest.mark.django_db


def table_rows(html: str, caption: str) -> list[str]:
    """The visible text of each body row of the table with this caption."""
    start = html.index(caption)
    table = html[start : html.index("</table>", start)]
    body = table[table.index("<tbody") :]
    return [visible_text(row.split(">", 1)[1]) for row in body.split("<tr")[1:]]


def test_shows_each_role_with_its_organisation_and_what_it_allows(client):
    practice = PracticeFactory(name="Riverside Surgery")
    icb = OrganisationFactory(kind=Organisation.Kind.ICB, name="Neighbourhood ICB")
    gp = staff(Role.GP, practice.organisation)
    staff(Role.ADMINISTRATOR, icb, username="someone-else")
    gp.memberships.create(organisation=icb, role=Role.ADMINISTRATOR)
    client.force_login(gp)

    html = client.get(reverse("my_access")).content.decode()

    assert "Your roles and access" in visible_text(html)
    assert table_rows(html, "Your roles and what each allows") == [
        "Role Administrator Organisation Neighbourhood ICB What you can do Manage staff accounts",
        "Role GP Organisation Riverside Surgery What you can do Search for a person View a person's record "
        "Change a person's record Change a person's care team Take a person off the proactive care register "
        "Put a person on an MDT meeting's agenda See who has looked at a person's record "
        "View suppressed aggregate figures",
    ]


def test_inactive_memberships_are_not_shown(client):
    practice = PracticeFactory(name="Riverside Surgery")
    user = staff(Role.GP, practice.organisation)
    user.memberships.update(is_active=False)
    client.force_login(user)

    text = visible_text(client.get(reverse("my_access")).content)

    assert "You do not have an active role in any organisation" in text
    assert "Riverside Surgery" not in text


def test_shows_the_users_own_audit_events_with_formatted_nhs_numbers(client):
    practice = PracticeFactory()
    gp = staff(Role.GP, practice.organisation)
    other_practice = PracticeFactory()
    other_gp = staff(Role.GP, other_practice.organisation)
    mine = PersonFactory(practice=practice, nhs_number="9990000018")
    elsewhere = PersonFactory(practice=other_practice, nhs_number="9990000026")
    authorise(gp, Permission.VIEW_RECORD, action="view_record", person=mine)
    with pytest.raises(PermissionDenied, match="care relationship with them"):
        authorise(gp, Permission.VIEW_RECORD, action="view_record", person=elsewhere)
    authorise(other_gp, Permission.VIEW_RECORD, action="view_record", person=elsewhere)
    client.force_login(gp)  # a sign_in event, the newest

    html = client.get(reverse("my_access")).content.decode()

    rows = table_rows(html, "Your recent activity")
    assert len(rows) == 3
    assert "Signed in" in rows[0]
    assert "Viewed a record Whose record (NHS number) 999 000 0026 Outcome Refused" in rows[1]
    assert "you do not have a care relationship with them" in rows[1]
    assert f"999 000 0018 Outcome Allowed Reason Registered with your practice, {practice.name}" in rows[2]


def test_shows_the_last_50_events_newest_first(client):
    user = staff(Role.GP, PracticeFactory().organisation)
    for number in range(55):
        record(user, f"action_{number:02d}", outcome="allowed")
    client.force_login(user)  # the sign-in is event 56, the newest

    rows = table_rows(client.get(reverse("my_access")).content.decode(), "Your recent activity")

    assert len(rows) == 50
    assert "Signed in" in rows[0]
    assert "Action 54" in rows[1]
    assert "Action 06" in rows[-1]


def test_dates_and_times_are_shown_as_people_read_them(client):
    user = staff(Role.GP, PracticeFactory().organisation)
    client.force_login(user)
    signed_in = AuditEvent.objects.get(action="sign_in")

    rows = table_rows(client.get(reverse("my_access")).content.decode(), "Your recent activity")

    assert rows[0].startswith(f"Date and time {date_time(signed_in.at)} Action Signed in")
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm)", rows[0])


def test_analysts_see_their_roles_but_no_nhs_numbers(client):
    analyst = staff(Role.ANALYST, OrganisationFactory(kind=Organisation.Kind.ICB, name="Neighbourhood ICB"))
    person = PersonFactory(nhs_number="9990000018")
    with pytest.raises(PermissionDenied, match="Your role does not allow"):
        authorise(analyst, Permission.VIEW_RECORD, action="view_record", person=person)
    client.force_login(analyst)

    html = client.get(reverse("my_access")).content.decode()

    assert table_rows(html, "Your roles and what each allows") == [
        "Role Analyst Organisation Neighbourhood ICB What you can do View suppressed aggregate figures"
    ]
    assert "Whose record" not in html
    assert "999 000 0018" not in html and "9990000018" not in html
    assert "Your role does not allow you to view a person's record" in visible_text(html)


def test_the_page_is_in_the_navigation(client):
    client.force_login(UserFactory())

    html = client.get(reverse("home")).content

    assert elements(html, "a", href=reverse("my_access"))
