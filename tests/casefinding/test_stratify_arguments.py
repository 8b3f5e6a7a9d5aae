import pytest
from django.core.management import CommandError, call_command

from neighbourhood.casefinding.models import RiskRun

pytestmark = pytest.mark.django_db


def test_a_lake_that_does_not_say_its_index_date_needs_one_given(tmp_path):
    with pytest.raises(CommandError, match="Give --index-date"):
        call_command("stratify", data=str(tmp_path))
    assert not RiskRun.objects.exists()


def test_a_malformed_index_date_is_named(tmp_path):
    with pytest.raises(CommandError, match="--index-date must be YYYY-MM-DD"):
        call_command("stratify", data=str(tmp_path), index_date="1/4/2026")


def test_a_missing_data_directory_and_a_bad_export_name_are_refused(tmp_path):
    with pytest.raises(CommandError, match="No data directory"):
        call_command("stratify", data=str(tmp_path / "nowhere"), index_date="2026-04-01")
    with pytest.raises(CommandError, match=r"\.csv or \.parquet"):
        call_command("stratify", data=str(tmp_path), index_date="2026-04-01", export="out.xlsx")
