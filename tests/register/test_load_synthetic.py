"""The loader against the synthetic generator's lake: all of it loads, and loading again changes nothing."""

import datetime as dt

import pytest

from neighbourhood.register.actions import load_register
from neighbourhood.register.lake import default_as_of
from neighbourhood.register.models import Activity, Condition, Medication, Person, Practice, Relationship

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Practice, Person, Relationship, Condition, Medication, Activity)
    }


def test_a_synthetic_lake_loads_and_a_second_load_changes_nothing(tmp_path):
    from neighbourhood.synth.generate import generate_neighbourhood

    index_date = dt.date(2025, 3, 31)
    summary = generate_neighbourhood(tmp_path / "lake", people=2_000, seed=11, index_date=index_date)
    as_of = default_as_of(tmp_path / "lake")
    assert as_of == index_date

    first = load_register(data_dir=tmp_path / "lake", as_of=as_of)
    after_first = counts()
    load_register(data_dir=tmp_path / "lake", as_of=as_of)

    assert counts() == after_first
    assert after_first["Person"] == first.people == summary.people
    assert after_first["Practice"] == summary.rows["practices"]
    # The generator writes a year of follow-up after the index date; none of it is history.
    assert not Activity.objects.filter(start_date__gt=index_date).exists()
    assert not Condition.objects.filter(first_recorded__gt=index_date).exists()
    assert not Medication.objects.filter(start_date__gt=index_date).exists()
    assert first.activities < summary.rows["hospital_activity"] + summary.rows["social_care"]
