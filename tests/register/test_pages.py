import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from neighbourhood import presenters
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Role
from neighbourhood.register.actions import load_register
from neighbourhood.register.models import Organisation, Person, Practice
from tests.factories import AdultSocialCareFactory, PersonFactory, PracticeFactory, staff
from tests.register.lake import INDEX_DATE, lake_tables, write_lake

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """What a reader sees: the page's text without tags, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


@pytest.fixture
def loaded(tmp_path):
    tables = lake_tables(3)
    load_register(data_dir=write_lake(tmp_path / "lake", tables), as_of=INDEX_DATE)
    numbers = [row["nhs_number"] for row in tables["people"]]
    return [Person.objects.get(nhs_number=n) for n in numbers]


def detail_url(person: Person) -> str:
    return reverse("person_detail", kwargs={"nhs_number": person.nhs_number})


def test_a_gp_at_the_persons_practice_sees_their_summary(client, loaded):
    person, carer, next_of_kin = loaded
    client.force_login(staff(Role.GP, person.practice.organisation))

    response = client.get(detail_url(person))

    assert response.status_code == 200
    text = page_text(response)
    assert person.full_name in text
    assert presenters.nhs_number(person.nhs_number) in text
    assert re.search(r"\d{3} \d{3} \d{4}", presenters.nhs_number(person.nhs_number))
    assert f"Date of birth {presenters.long_date(person.date_of_birth)}" in text
    assert "Hypertension 1 June 2012" in text
    assert "Diabetes 14 September 2023" in text
    # the carer is registered at the other practice, so is named but not linked; the next of kin is here
    assert f'href="{detail_url(carer)}"' not in response.content.decode()
    assert f"Carers {carer.full_name} (not in your care)" in text
    assert f'href="{detail_url(next_of_kin)}"' in response.content.decode()
    assert f"Next of kin {next_of_kin.full_name}" in text
    assert "2 current repeat medicines" in text
    assert "Amoxicillin" not in text  # an acute course that had ended
    assert "Lives alone Yes" in text and "Socially isolated No" in text
    assert "Riverside Surgery (N81001)" in text and "Testshire Central PCN" in text
    # Timeline: newest first, with length of stay and weekly cost.
    assert text.index("Home care") < text.index("Care Act assessment") < text.index("Emergency admission")
    assert "7 days in hospital" in text
    assert f"{presenters.gbp(245.5)} a week, ongoing" in text
    assert AuditEvent.objects.filter(person=person, action="view_record", outcome="allowed").count() == 1


def test_the_age_is_on_the_date_the_record_shows_and_says_so(client, loaded):
    """Issue #11: the age is on the "Shows what was known on" date (the load's as-of date), not today, as the
    worklist's is on its run's data date."""
    person = loaded[0]  # born 1 January 1935: 90 on 31 March 2025, 91 or more today
    client.force_login(staff(Role.GP, person.practice.organisation))
    text = page_text(client.get(detail_url(person)))
    assert f"Shows what was known on {presenters.long_date(INDEX_DATE)}" in text
    assert f"Age on {presenters.long_date(INDEX_DATE)} 90" in text
    assert "years old" not in text


def test_a_dead_persons_age_is_their_age_when_they_died(client):
    person = PersonFactory(date_of_birth=dt.date(1940, 5, 17), date_of_death=dt.date(2025, 1, 5))
    client.force_login(staff(Role.GP, person.practice.organisation))
    text = page_text(client.get(detail_url(person)))
    assert "Age on 5 January 2025, when they died 84" in text


def test_related_people_the_user_cannot_open_are_named_but_not_linked(client):
    """Issue #11: a carer registered at another practice is named, without a link or NHS number."""
    from neighbourhood.register.models import Relationship

    here, elsewhere = PracticeFactory(), PracticeFactory()
    person = PersonFactory(practice=here)
    carer_elsewhere = PersonFactory(practice=elsewhere, given_name="Grace", family_name="Green")
    carer_here = PersonFactory(practice=here, given_name="Hamza", family_name="Hughes")
    for carer in (carer_elsewhere, carer_here):
        Relationship.objects.create(person=carer, related_person=person, kind=Relationship.Kind.CARER_OF)
    client.force_login(staff(Role.GP, here.organisation))

    response = client.get(detail_url(person))

    page, text = response.content.decode(), page_text(response)
    assert f"{carer_elsewhere.full_name} (not in your care)" in text
    assert f'href="{detail_url(carer_elsewhere)}"' not in page
    assert presenters.nhs_number(carer_elsewhere.nhs_number) not in text
    assert f'href="{detail_url(carer_here)}"' in page
    assert client.get(detail_url(carer_elsewhere)).status_code == 403  # the link would have been refused


def test_a_gp_at_another_practice_is_refused_and_it_is_audited(client, loaded):
    person = loaded[0]
    other_practice = Practice.objects.exclude(pk=person.practice_id).get()
    outsider = staff(Role.GP, other_practice.organisation)
    client.force_login(outsider)

    response = client.get(detail_url(person))

    assert response.status_code == 403
    assert person.family_name not in page_text(response)
    audit = AuditEvent.objects.get(user=outsider, action="view_record")
    assert (audit.outcome, audit.person) == ("refused", person)


def test_an_analyst_never_sees_a_record(client, loaded):
    person = loaded[0]
    client.force_login(staff(Role.ANALYST, person.practice.organisation))
    response = client.get(detail_url(person))
    assert response.status_code == 403
    assert "does not allow you to view" in page_text(response)


def test_a_social_worker_sees_people_known_to_social_care_in_their_council(client, loaded):
    known, not_known, _ = loaded
    council_social_care = Organisation.objects.get(kind=Organisation.Kind.ADULT_SOCIAL_CARE)
    client.force_login(staff(Role.SOCIAL_WORKER, council_social_care))

    assert client.get(detail_url(known)).status_code == 200
    assert client.get(detail_url(not_known)).status_code == 403


def test_a_social_worker_in_another_council_is_refused(client):
    person = PersonFactory(known_to_social_care=True)
    elsewhere = AdultSocialCareFactory(
        local_authority__code="E06000098", local_authority__name="Elsewhere Council", name="Elsewhere ASC"
    )
    client.force_login(staff(Role.SOCIAL_WORKER, elsewhere))
    assert client.get(detail_url(person)).status_code == 403


def test_a_deceased_person_has_a_banner(client):
    person = PersonFactory(date_of_death=dt.date(2025, 1, 5))
    client.force_login(staff(Role.GP, person.practice.organisation))
    text = page_text(client.get(detail_url(person)))
    assert "This person has died" in text
    assert "Date of death: 5 January 2025" in text


def test_an_unknown_or_malformed_nhs_number_is_refused_like_someone_elses(client):
    """Hole 4: an unknown number and a person you may not see answer alike (tests/governance/test_trust)."""
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    unknown = client.get("/people/9990000018/")
    malformed = client.get("/people/not-a-number/")
    assert (unknown.status_code, malformed.status_code) == (403, 403)
    assert AuditEvent.objects.filter(action="view_record", outcome="refused").count() == 2


# Search


def search(client, **params):
    return client.get(reverse("person_search"), {"nhs_number": "", **params})


def test_an_invalid_nhs_number_says_which_check_failed(client):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    response = search(client, nhs_number="943 476 5918")
    content = response.content.decode()
    message = "NHS number is not valid: the check digit (last digit) is 8 but should be 9"
    assert "There is a problem" in page_text(response)
    assert 'href="#nhs_number"' in content  # the summary links to the field
    assert content.count(html.escape(message, quote=False)) == 2  # in the summary and by the field
    assert "Error: Find a person" in page_text(response)
    assert not AuditEvent.objects.filter(action="search_register").exists()


def test_an_exact_nhs_number_match_opens_the_record(client):
    person = PersonFactory()
    gp = staff(Role.GP, person.practice.organisation)
    client.force_login(gp)

    response = search(client, nhs_number=presenters.nhs_number(person.nhs_number))

    assert response.status_code == 302
    assert response.url == detail_url(person)
    audit = AuditEvent.objects.get(action="search_register")
    assert (audit.user, audit.outcome, audit.role) == (gp, "allowed", Role.GP)
    assert audit.detail == {"search": "nhs_number", "results": 1}


def test_search_does_not_reveal_people_outside_a_care_relationship(client):
    person = PersonFactory()
    client.force_login(staff(Role.GP, PracticeFactory().organisation))

    by_number = search(client, nhs_number=person.nhs_number)
    by_name = search(
        client,
        family_name=person.family_name,
        dob_day=str(person.date_of_birth.day),
        dob_month=str(person.date_of_birth.month),
        dob_year=str(person.date_of_birth.year),
    )

    for response in (by_number, by_name):
        assert response.status_code == 200
        text = page_text(response)
        assert "No matching person you have access to" in text
        assert person.given_name not in text
    audits = AuditEvent.objects.filter(action="search_register").order_by("id")
    assert [a.detail for a in audits] == [
        {"search": "nhs_number", "results": 0},
        {"search": "name_and_date_of_birth", "results": 0},
    ]
    for audit in audits:
        assert person.nhs_number not in str(audit.detail) and person.family_name not in str(audit.detail)
        assert audit.nhs_number == ""


def test_search_by_family_name_and_date_of_birth_lists_matches(client):
    practice = PracticeFactory()
    born = dt.date(1944, 3, 9)
    twins = [
        PersonFactory(practice=practice, family_name="Okafor", given_name=name, date_of_birth=born)
        for name in ("Ada", "Grace")
    ]
    PersonFactory(practice=practice, family_name="Okafor", date_of_birth=dt.date(1950, 1, 1))
    client.force_login(staff(Role.PRACTICE_NURSE, practice.organisation))

    response = search(client, family_name="okafor", dob_day="9", dob_month="3", dob_year="1944")

    text = page_text(response)
    assert "2 people found" in text
    for twin in twins:
        assert f'href="{detail_url(twin)}"' in response.content.decode()
        assert presenters.nhs_number(twin.nhs_number) in text
    assert "1 January 1950" not in text


def test_an_incomplete_date_of_birth_is_explained(client):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    response = search(client, family_name="Okafor", dob_day="9", dob_month="3")
    assert "Date of birth must include a year" in page_text(response)
    assert 'href="#dob_year"' in response.content.decode()
