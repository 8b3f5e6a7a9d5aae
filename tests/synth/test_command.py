import json

import pytest
from django.core.management import CommandError, call_command

from .lakes import read_frame


def test_command_writes_the_lake_and_reports_rows(tmp_path, capsys):
    out = tmp_path / "lake"
    call_command("synth", people=200, seed=2, out=str(out), index_date="2025-01-15", verbosity=0)
    assert json.loads((out / "metadata.json").read_text())["index_date"] == "2025-01-15"
    assert len(read_frame(out, "people")) == 200


def test_a_tariff_file_changes_costs(tmp_path):
    tariff = tmp_path / "tariff.toml"
    tariff.write_text("ae_attendance = 300\nemergency_bed_day = 500.5\n")
    call_command("synth", people=300, seed=2, out=str(tmp_path / "lake"), tariff=str(tariff), verbosity=0)
    hospital = read_frame(tmp_path / "lake", "hospital_activity")
    assert (hospital.cost_gbp[hospital.setting == "ae"] == 300).all()
    assert (
        json.loads((tmp_path / "lake" / "metadata.json").read_text())["tariff"]["emergency_bed_day"] == 500.5
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"ae_attendence": 300}', "unknown key 'ae_attendence'"),
        ('{"elective_admission": "a lot"}', "'elective_admission' must be a number"),
        ('{"ae_attendance": 300', "not valid json"),
    ],
)
def test_a_bad_tariff_file_is_refused_naming_the_key(tmp_path, content, message):
    tariff = tmp_path / "tariff.json"
    tariff.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("synth", people=10, seed=2, out=str(tmp_path / "lake"), tariff=str(tariff), verbosity=0)
    assert not (tmp_path / "lake").exists()


def test_asking_for_a_million_people_with_nhs_numbers_fails_with_the_test_range_error(tmp_path):
    with pytest.raises(CommandError, match=r"holds only 909,091 valid"):
        call_command(
            "synth", people=1_000_000, seed=2, out=str(tmp_path / "lake"), key="nhs_number", verbosity=0
        )
    assert not (tmp_path / "lake").exists()


def test_a_bad_index_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a date in the form YYYY-MM-DD"):
        call_command(
            "synth", people=10, seed=2, out=str(tmp_path / "lake"), index_date="1/4/2026", verbosity=0
        )
