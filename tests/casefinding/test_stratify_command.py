"""End to end: a synthetic lake, loaded and stratified through the commands, read back by the pages."""

import datetime as dt

import markupsafe
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from neighbourhood.casefinding.models import RegisterChange, RiskRun, RiskScore
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Person, Practice
from neighbourhood.synth.generate import generate_neighbourhood
from tests.factories import staff


def _escaped(text: str) -> str:
    return str(markupsafe.escape(text))  # as the templates print it


pytestmark = [pytest.mark.django_db, pytest.mark.slow]
INDEX_DATE = dt.date(2026, 4, 1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    out = tmp_path_factory.mktemp("lake")
    generate_neighbourhood(out, people=3000, seed=11, index_date=INDEX_DATE)
    return out


@pytest.fixture
def loaded(lake, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load", str(lake))
    return lake


def test_stratify_stores_a_run_the_worklist_reads_and_exports(loaded, client, tmp_path):
    export = tmp_path / "export.csv"
    call_command("stratify", data=str(loaded), index_date="2026-04-01", export=str(export))
    run = RiskRun.objects.get()
    assert run.status == RiskRun.Status.SUCCEEDED and run.model_version and run.code_version
    artefact = tmp_path / "models" / run.model_version
    assert run.model_info["artefact"] == str(artefact)
    assert (artefact / "model.txt").exists() and (artefact / "metadata.json").exists()
    assert (tmp_path / "reports" / f"run-{run.pk}" / "calibration.png").exists()
    living = Person.objects.filter(date_of_death__isnull=True).count()
    assert RiskScore.objects.filter(run=run).count() == living
    adults_on_register = RiskScore.objects.filter(run=run, on_register=True).count()
    assert (
        adults_on_register
        >= 0.02 * RiskScore.objects.filter(run=run, person__date_of_birth__lte="2008-04-01").count()
    )
    assert RegisterChange.objects.filter(run=run, change="entered").count() == adults_on_register

    exported = pd.read_csv(export, dtype={"nhs_number": str})
    assert list(exported.columns) == [
        "nhs_number",
        "efi",
        "efi_category",
        "admission_risk",
        "wokingham_flag",
        "segment",
        "on_register",
        "reasons",
    ]
    assert len(exported) == living

    practice = Practice.objects.order_by("-list_size").first()
    client.force_login(staff(Role.GP, practice.organisation))
    page = client.get("/case-finding/", {"on_register": "on"}).content.decode()
    top = RiskScore.objects.filter(run=run, person__practice=practice, on_register=True).order_by(
        "-admission_risk"
    )[0]
    assert _escaped(top.person.family_name.upper()) in page
    assert top.risk_factors and _escaped(top.risk_factors[0]) in page


def test_second_run_keeps_register_members_and_a_failed_run_leaves_results_in_place(loaded, tmp_path):
    call_command("stratify", data=str(loaded), index_date="2026-04-01")
    first = RiskRun.objects.get()
    members = set(RiskScore.objects.filter(run=first, on_register=True).values_list("person_id", flat=True))

    call_command("stratify", data=str(loaded), index_date="2026-04-01")
    second = RiskRun.objects.latest("id")
    again = set(RiskScore.objects.filter(run=second, on_register=True).values_list("person_id", flat=True))
    assert members <= again
    assert not RegisterChange.objects.filter(run=second, change="left").exists()

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "people.parquet").write_bytes(b"not parquet")
    with pytest.raises(CommandError, match="previous results are still in place"):
        call_command("stratify", data=str(broken), index_date="2026-04-01")
    assert RiskRun.objects.latest("id").status == RiskRun.Status.FAILED
    from neighbourhood.casefinding.queries import latest_run

    assert latest_run() == second
