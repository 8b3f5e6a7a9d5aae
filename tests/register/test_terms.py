"""Issue #11: every code shown to a person has its term, never a bare SNOMED CT code."""

import datetime as dt

import pytest
from django.utils import timezone

from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Activity
from neighbourhood.synth import codes, hospital
from neighbourhood.synth.generate import generate_neighbourhood
from neighbourhood.terminology import load_codelist, term_for, terms
from tests.factories import PersonFactory, staff
from tests.register.test_pages import detail_url, page_text
from tests.synth.lakes import read_table


def test_every_code_in_a_generated_lake_has_a_term(tmp_path):
    lake = tmp_path / "lake"
    generate_neighbourhood(lake, people=500, seed=3, index_date=dt.date(2026, 4, 1))
    diagnoses = (
        read_table(lake, "hospital_activity").column("diagnosis_code").drop_null().unique().to_pylist()
    )
    events = read_table(lake, "events").column("snomed_code").unique().to_pylist()
    assert diagnoses and events
    held = terms()
    assert sorted(c for c in diagnoses if c not in held) == []
    assert sorted(c for c in events if c not in held) == []


def test_every_code_the_generator_can_use_has_a_term():
    generator_codes = set(hospital.DIAGNOSES) | {
        codes.SYSTOLIC_BP,
        codes.HBA1C,
        codes.COPD_EXACERBATION,
        codes.HOUSEBOUND,
        codes.LIVES_ALONE,
        codes.SOCIAL_ISOLATION,
        *codes.carer_codes(),
        *codes.falls_codes(),
        *(code for group in codes.condition_codes() for code in group),
        *(code for group in codes.extra_deficit_codes() for code in group),
    }
    assert sorted(generator_codes - set(terms())) == []
    # the hospital diagnoses' own codelist is exactly the generator's list
    assert load_codelist("hospital_diagnoses").codes == set(hospital.DIAGNOSES)


def test_an_unknown_code_says_so_rather_than_showing_the_bare_code():
    assert term_for("125605004") == "Fracture of bone (disorder)"
    assert term_for("123456") == "Unknown code 123456 (no term held)"


@pytest.mark.django_db
def test_the_activity_table_shows_terms_not_codes(client):
    person = PersonFactory()
    recently = timezone.localdate() - dt.timedelta(days=30)
    for n, code in enumerate(("125605004", "123456")):
        Activity.objects.create(
            person=person,
            source_id=f"ae-{n}",
            kind=Activity.Kind.AE_ATTENDANCE,
            detail=code,
            start_date=recently,
            end_date=recently,
        )
    client.force_login(staff(Role.GP, person.practice.organisation))
    text = page_text(client.get(detail_url(person)))
    assert "Fracture of bone (disorder)" in text
    assert "Unknown code 123456 (no term held)" in text
    assert "SNOMED CT 125605004" not in text and "SNOMED CT 123456" not in text
