"""What the record says, by domain, when a holistic assessment starts: each line says where from and when."""

import datetime as dt

import pytest

from neighbourhood.care import assessment_actions as actions
from neighbourhood.care.assessment_domains import BY_KEY
from neighbourhood.care.assessment_prefill import EFI_DEFICIT_DOMAINS, record_prefill
from neighbourhood.casefinding.models import RiskRun
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Activity, Condition, Medication, Relationship
from neighbourhood.risk.codes import efi_deficit_names
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 3)
EFI_SOURCE = "(electronic Frailty Index, case-finding data to 1 April 2026)"


@pytest.fixture
def person():
    return PersonFactory(practice=PracticeFactory())


def test_every_efi_deficit_is_mapped_to_a_domain():
    assert set(EFI_DEFICIT_DOMAINS) == set(efi_deficit_names())
    assert all(domain in BY_KEY for domain in EFI_DEFICIT_DOMAINS.values())


def test_deficits_of_the_latest_succeeded_run_go_to_their_domains(person):
    RiskScoreFactory(
        run=RiskRunFactory(index_date=dt.date(2026, 4, 1)),
        person=person,
        efi=0.25,
        efi_category="moderate",
        efi_deficits=[
            "Falls",
            "Memory & cognitive problems",
            "Polypharmacy",
            "Urinary incontinence",
            "Weight loss & anorexia",
            "Housebound",
            "Social vulnerability",
            "Heart failure",
        ],
    )
    RiskScoreFactory(
        run=RiskRunFactory(status=RiskRun.Status.FAILED), person=person, efi_deficits=["Dizziness"]
    )
    prefill = record_prefill(person, TODAY)
    assert prefill["falls"] == [f"Falls {EFI_SOURCE}"]
    assert prefill["cognition_and_mood"] == [f"Memory & cognitive problems {EFI_SOURCE}"]
    assert prefill["medicines"] == [f"Polypharmacy {EFI_SOURCE}"]
    assert prefill["continence"] == [f"Urinary incontinence {EFI_SOURCE}"]
    assert prefill["nutrition"] == [f"Weight loss & anorexia {EFI_SOURCE}"]
    assert prefill["function_and_mobility"] == [f"Housebound {EFI_SOURCE}"]
    assert prefill["social_situation_and_carers"] == [f"Social vulnerability {EFI_SOURCE}"]
    assert prefill["physical_health"] == [
        f"eFI 0.25, moderate frailty {EFI_SOURCE}",
        f"Heart failure {EFI_SOURCE}",
    ]
    assert not any("Dizziness" in line for lines in prefill.values() for line in lines)


def test_no_case_finding_result_and_nothing_recorded_says_nothing(person):
    assert record_prefill(person, TODAY) == {}


def test_conditions_with_when_first_recorded(person):
    Condition.objects.create(
        person=person, name="COPD", snomed_code="13645005", first_recorded=dt.date(2019, 3, 3)
    )
    assert record_prefill(person, TODAY)["physical_health"] == [
        "COPD, first recorded 3 March 2019 (GP record)"
    ]


def _repeat(person, name, *, start=dt.date(2025, 1, 1), end=None, is_repeat=True):
    return Medication.objects.create(
        person=person, name=name, route="oral", is_repeat=is_repeat, start_date=start, end_date=end
    )


def test_only_current_repeat_medicines_are_counted(person):
    _repeat(person, "Amlodipine 5mg", end=TODAY + dt.timedelta(days=1))  # ends tomorrow: current
    _repeat(person, "Ramipril 2.5mg", end=TODAY)  # ended today
    _repeat(person, "Amoxicillin 500mg", is_repeat=False)  # acute
    _repeat(person, "Sertraline 50mg", start=TODAY + dt.timedelta(days=1))  # not started yet
    _repeat(person, "Sertraline 25mg", start=TODAY)  # starts today: current
    assert record_prefill(person, TODAY)["medicines"] == [
        "2 current repeat medicines on 3 May 2026 (GP record)",
        "Amlodipine 5mg, repeat since 1 January 2025 (GP record)",
        "Sertraline 25mg, repeat since 3 May 2026 (GP record)",
    ]


def test_ten_repeat_medicines_suggest_a_medicines_review_and_nine_do_not(person):
    for n in range(9):
        _repeat(person, f"Medicine {n}")
    assert (
        record_prefill(person, TODAY)["medicines"][0]
        == "9 current repeat medicines on 3 May 2026 (GP record)"
    )
    _repeat(person, "Medicine 9")
    assert record_prefill(person, TODAY)["medicines"][0] == (
        "10 current repeat medicines on 3 May 2026 (GP record): 10 or more, worth a medicines review"
    )


def test_emergency_admissions_and_ae_attendances_in_the_12_months_before_today(person):
    def activity(kind, start):
        Activity.objects.create(person=person, source_id=f"{kind}-{start}", kind=kind, start_date=start)

    activity(Activity.Kind.EMERGENCY_ADMISSION, dt.date(2025, 5, 3))  # a year ago today: inside
    activity(Activity.Kind.EMERGENCY_ADMISSION, dt.date(2025, 5, 2))  # a day longer ago: outside
    activity(Activity.Kind.AE_ATTENDANCE, TODAY)
    activity(Activity.Kind.AE_ATTENDANCE, TODAY + dt.timedelta(days=1))  # not yet happened
    activity(Activity.Kind.ELECTIVE_ADMISSION, dt.date(2026, 1, 5))  # planned: not asked about
    assert record_prefill(person, TODAY)["physical_health"] == [
        "A&E attendance, 3 May 2026 (hospital record)",
        "Emergency admission, 3 May 2025 (hospital record)",
    ]


def test_carers_and_social_circumstances(person):
    carer = PersonFactory(given_name="Bilal", family_name="Begum", practice=person.practice)
    cared_for = PersonFactory(practice=person.practice)
    Relationship.objects.create(
        person=carer, related_person=person, kind=Relationship.Kind.CARER_OF, start_date=dt.date(2020, 3, 1)
    )
    Relationship.objects.create(person=person, related_person=cared_for, kind=Relationship.Kind.CARER_OF)
    Relationship.objects.create(person=carer, related_person=person, kind=Relationship.Kind.NEXT_OF_KIN_OF)
    person.is_carer = person.lives_alone = person.socially_isolated = person.housebound = True
    person.save()
    prefill = record_prefill(person, TODAY)
    social = prefill["social_situation_and_carers"]
    assert social[0] == "Cared for by Bilal Begum (register record, since 1 March 2020)"
    assert [line.split(" (")[0] for line in social[1:]] == [
        "Is a carer for someone",
        "Lives alone",
        "Socially isolated",
    ]
    assert all("(register record, " in line for line in social)
    assert len(social) == 4  # the next-of-kin link and the person they care for are not carers of them
    assert prefill["function_and_mobility"][0].startswith("Housebound (register record, ")


def test_the_snapshot_is_what_the_record_said_when_it_was_started(person):
    gp = staff(Role.GP, person.practice.organisation)
    Condition.objects.create(
        person=person, name="COPD", snomed_code="13645005", first_recorded=dt.date(2019, 3, 3)
    )
    assessment = actions.start_assessment(person=person, by=gp)
    Condition.objects.create(
        person=person, name="Diabetes", snomed_code="73211009", first_recorded=dt.date(2026, 1, 1)
    )
    assessment.refresh_from_db()
    assert assessment.prefill["physical_health"] == ["COPD, first recorded 3 March 2019 (GP record)"]
