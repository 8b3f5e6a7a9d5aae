"""A case-finding run: compute with neighbourhood.risk, then store the results in one transaction.

A run that fails is kept with its error and status "failed"; pages keep reading the last run that succeeded.
"""

import json
import math
import subprocess
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from neighbourhood.care.proposals import propose_care_teams
from neighbourhood.casefinding import queries, reports
from neighbourhood.casefinding.models import RegisterChange, RiskRun, RiskScore
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent
from neighbourhood.register.models import Person

BATCH = 2_000


def code_version() -> str:
    from importlib.metadata import version

    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        sha = ""
    return f"{version('neighbourhood')}{'+' + sha if sha else ''}"


def model_dir(version: str) -> Path:
    """Where a trained model is kept: one folder per version, never overwritten by another version."""
    return Path(settings.VAR_DIR) / "models" / version


def lake_provenance(data_dir: Path) -> str:
    """How the lake says it was made (metadata.json: seed, people, index date, generator), for the run's
    record. Not the data cut, the date an extract was taken: that is `risk.lake.data_cut`."""
    metadata = Path(data_dir) / "metadata.json"
    if not metadata.exists():
        return ""
    made = json.loads(metadata.read_text())
    return ", ".join(f"{k}={made[k]}" for k in ("seed", "people", "index_date", "generated_by") if k in made)


def run_case_finding(
    *,
    data_dir: Path,
    index_date: date,
    engine: str = "duckdb",
    started_by: str = "system:stratify",
    export_path: Path | None = None,
    spark_master: str | None = None,
    spark_conf: dict[str, str] | None = None,
) -> RiskRun:
    """Run case finding over the lake and store the results. Raises after recording a failed run.
    `spark_master`: the cluster a Spark run uses (default local mode); `spark_conf`: more Spark settings."""
    from neighbourhood.risk.pipeline import export, run_stratification
    from neighbourhood.risk.report import write_model_report

    run = RiskRun.objects.create(
        index_date=index_date,
        data_dir=str(data_dir),
        data_cut=lake_provenance(data_dir),
        engine=engine,
        code_version=code_version(),
        started_by=started_by,
    )
    try:
        result = run_stratification(
            Path(data_dir),
            index_date=index_date,
            engine=engine,
            spark_master=spark_master,
            spark_conf=spark_conf,
            nominations=queries.active_nominations(),
            exclusions=queries.active_exclusions(),
            previous_register=queries.current_register_nhs_numbers(),
        )
        write_model_report(result, reports.report_dir(run), engine=engine)
        saved = result.model.save(model_dir(result.model_info["version"]))
        result.model_info["artefact"] = str(saved)
        _store(run, result)
        if export_path is not None:
            export(result, Path(export_path))
    except Exception as error:
        RiskRun.objects.filter(pk=run.pk).update(
            status=RiskRun.Status.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        access.record(
            None,
            "case_finding_run",
            outcome=AuditEvent.Outcome.FAILED,
            username=started_by,
            reason=f"The run failed ({type(error).__name__}); the run keeps the error",
            detail={"run": run.pk},
        )
        raise
    return RiskRun.objects.get(pk=run.pk)


PSEUDONYMISED_NEEDS_EXPORT = (
    "This lake is pseudonymised (person keys like P…): case finding can run on it for population analytics, "
    "but the record names people by NHS number, so the results are not stored. Give --export FILE.csv or "
    "FILE.parquet to write them"
)


def export_pseudonymised_run(
    *,
    data_dir: Path,
    index_date: date,
    export_path: Path,
    engine: str = "duckdb",
    started_by: str = "system:stratify",
    spark_master: str | None = None,
    spark_conf: dict[str, str] | None = None,
) -> int:
    """Case finding over a pseudonymised lake, written to `export_path` only (no run is stored: the
    worklists, register and record are keyed by NHS number). Returns how many people were scored."""
    from neighbourhood.risk.pipeline import export, run_stratification

    result = run_stratification(
        Path(data_dir), index_date=index_date, engine=engine, spark_master=spark_master, spark_conf=spark_conf
    )
    export(result, Path(export_path))
    access.record(
        None,
        "case_finding_export",
        outcome=AuditEvent.Outcome.ALLOWED,
        username=started_by,
        detail={"people": len(result.people), "person_key": "pseudonym", "file": Path(export_path).name},
    )
    return len(result.people)


def _clean(value):
    """JSON-safe plain Python values from what pandas hands back (numpy scalars, NaN)."""
    if value is None:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _store(run: RiskRun, result) -> None:
    people = result.people
    person_ids = dict(
        Person.objects.filter(nhs_number__in=list(people["nhs_number"])).values_list("nhs_number", "id")
    )
    missing = len(people) - len(person_ids)
    warnings = list(result.warnings)
    if missing:
        warnings.append(
            f"{missing:,} people in the data are not on the register database and were not stored"
        )
    with transaction.atomic():
        scores = []
        for row in people.itertuples(index=False):
            person_id = person_ids.get(row.nhs_number)
            if person_id is None:
                continue
            scores.append(
                RiskScore(
                    run=run,
                    person_id=person_id,
                    efi=_clean(row.efi),
                    efi_category=_clean(row.efi_category) or "",
                    efi_deficits=list(_clean(row.efi_deficits) or []),
                    admission_risk=float(row.admission_risk),
                    risk_percentile=float(row.risk_percentile),
                    risk_factors=list(_clean(row.risk_factors) or []),
                    wokingham_flag=bool(row.wokingham_flag),
                    wokingham_reasons=list(_clean(row.wokingham_reasons) or []),
                    segment=row.segment,
                    on_register=bool(row.on_register),
                    register_reasons=list(_clean(row.register_reasons) or []),
                    cost_12m_gbp=float(_clean(row.cost_12m_gbp) or 0),
                    emergency_admissions_12m=int(_clean(row.emergency_admissions_12m) or 0),
                )
            )
        RiskScore.objects.bulk_create(scores, batch_size=BATCH)
        entered = zip(result.entrants["nhs_number"], result.entrants["reasons"].map("; ".join), strict=True)
        left = zip(result.leavers["nhs_number"], result.leavers["reason"], strict=True)
        changes = [
            RegisterChange(run=run, person_id=person_ids[nhs], change=change, reason=reason[:300])
            for change, pairs in (("entered", entered), ("left", left))
            for nhs, reason in pairs
            if nhs in person_ids
        ]
        RegisterChange.objects.bulk_create(changes, batch_size=BATCH)
        propose_care_teams(run=run)
        run.status = RiskRun.Status.SUCCEEDED
        run.finished_at = timezone.now()
        run.model_version = str(result.model_info.get("version", ""))
        run.model_info = json.loads(json.dumps(result.model_info, default=str))
        run.pyramid = json.loads(result.pyramid.to_json(orient="records"))
        run.counts = {
            **{k: _clean(v) for k, v in result.counts.items()},
            "stored": len(scores),
            "entrants": len(result.entrants),
            "leavers": len(result.leavers),
        }
        run.warnings = warnings
        run.save()
        access.record(
            None,
            "case_finding_run",
            outcome=AuditEvent.Outcome.ALLOWED,
            username=run.started_by,
            detail={"run": run.pk, "stored": len(scores), "entrants": len(result.entrants)},
        )
