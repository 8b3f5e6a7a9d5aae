"""Case finding on a pseudonymised lake (population analytics): it runs and writes a file, and stores nothing
in the record, whose worklists and register name people by NHS number."""

import datetime as dt

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from neighbourhood.casefinding.models import RiskRun
from neighbourhood.governance.models import AuditEvent
from neighbourhood.person_key import PSEUDONYM, is_pseudonym
from neighbourhood.synth.generate import generate_neighbourhood

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
INDEX_DATE = dt.date(2026, 4, 1)


@pytest.fixture(scope="module")
def pseudonymised_lake(tmp_path_factory):
    out = tmp_path_factory.mktemp("pseudonymised")
    generate_neighbourhood(out, people=2000, seed=5, index_date=INDEX_DATE, key=PSEUDONYM)
    return out


def test_without_export_it_says_why_nothing_can_be_stored(pseudonymised_lake, settings, tmp_path):
    settings.VAR_DIR = tmp_path

    with pytest.raises(CommandError, match=r"This lake is pseudonymised.*--export"):
        call_command("stratify", data=str(pseudonymised_lake), index_date=INDEX_DATE.isoformat())

    assert not RiskRun.objects.exists()


def test_with_export_it_writes_every_person_and_stores_no_run(pseudonymised_lake, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    export = tmp_path / "ics.csv"

    call_command(
        "stratify", data=str(pseudonymised_lake), index_date=INDEX_DATE.isoformat(), export=str(export)
    )

    rows = pd.read_csv(export, dtype=str)
    assert 1500 < len(rows) <= 2000  # the living, registered people
    assert rows["nhs_number"].map(is_pseudonym).all()
    assert not RiskRun.objects.exists()
    event = AuditEvent.objects.get(action="case_finding_export")
    assert event.detail["people"] == len(rows)
    assert "nothing stored in the record" in capsys.readouterr().out


def test_an_unreadable_people_table_is_left_to_the_lake_readers_to_report(tmp_path):
    from neighbourhood.lake.files import person_key_kind

    (tmp_path / "people.parquet").write_bytes(b"not parquet")
    assert person_key_kind(tmp_path) is None
    assert person_key_kind(tmp_path / "nowhere") is None
