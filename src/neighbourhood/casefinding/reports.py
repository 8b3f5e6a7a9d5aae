"""Where each run's model report (HTML + PNG charts from neighbourhood.risk.report) is kept and found, and
the overview's figures as shown: every count, share and measure through neighbourhood.disclosure, worked out
from the counts the run and its report store (metrics.json keeps raw counts and stays on the server)."""

import datetime as dt
import json
import re
from pathlib import Path

from django.conf import settings

from neighbourhood import presenters
from neighbourhood.casefinding.models import RiskRun
from neighbourhood.disclosure import (
    SUPPRESSED,
    SafeGroup,
    safe_admitted,
    safe_amount_share,
    safe_count,
    safe_group,
    safe_share,
)

CHART_NAME = re.compile(r"^[a-z0-9_\-]+\.png$")
CHART_ALT = {
    "calibration.png": "Calibration plot: predicted against observed emergency admission rates",
    "roc.png": "ROC curve of the admission-risk model over the 12 months after the data date",
}
METRIC_LABELS = {
    "auroc": "AUROC (training window, held-out part)",
    "calibration_slope": "Calibration slope (training window, held-out part)",
    "calibration_intercept": "Calibration intercept (training window, held-out part)",
    "brier": "Brier score (training window, held-out part)",
}
EVALUATION_LABELS = {
    "auroc": "AUROC over the following 12 months",
    "truth_auroc": "AUROC of the true probabilities (synthetic data only)",
    "auroc_ratio_to_truth": "Model AUROC as a share of the truth's",
    "calibration_slope": "Calibration slope over the following 12 months",
}
NO_COUNTS = "not shown: no counts to check for small numbers"


def report_dir(run: RiskRun) -> Path:
    return Path(settings.VAR_DIR) / "reports" / f"run-{run.pk}"


def image_path(run: RiskRun, name: str) -> Path | None:
    if not CHART_NAME.match(name):
        return None
    path = report_dir(run) / name
    return path if path.is_file() else None


def _count(value) -> int | None:
    """A count from stored JSON; anything else (missing, or text from an older report) is no count."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _group(people, events) -> SafeGroup | None:
    people, events = _count(people), _count(events)
    if people is None or events is None or events > people:
        return None
    return safe_group(people, events)


def _measure_rows(measures: dict, labels: dict, group: SafeGroup | None, scope: str) -> list[tuple[str, str]]:
    """Measures over a group of people, shown only when the group's counts say they may be."""
    if group is None:
        return [(f"Measures {scope}", NO_COUNTS)]
    if not group.shown:
        return [(f"Measures {scope}", f"suppressed: {group.suppressed_because}")]
    return [
        (label, f"{measures[key]:.3f}")
        for key, label in labels.items()
        if isinstance(measures.get(key), float)
    ]


def pyramid_rows(pyramid: list[dict]) -> list[dict]:
    """The pyramid of need as shown: every count and share through neighbourhood.disclosure, then a total."""
    total_people = sum(row["people"] for row in pyramid)
    total_admissions = sum(row["emergency_admissions"] for row in pyramid)
    total_spend = sum(row["spend_gbp"] for row in pyramid)
    rows = []
    for row in pyramid:
        people, admissions = row["people"], row["emergency_admissions"]
        few_people = safe_count(people).suppressed
        rows.append(
            {
                "segment": row["segment"],
                "people": safe_count(people).text,
                "share_of_people": safe_share(people, total_people),
                "share_of_spend": safe_amount_share(
                    row["spend_gbp"], total_spend, people=people, all_people=total_people
                ).text,
                # admissions among fewer than 10 people say too much about each of them
                "emergency_admissions": SUPPRESSED if few_people else safe_count(admissions).text,
                "share_of_admissions": SUPPRESSED if few_people else safe_share(admissions, total_admissions),
            }
        )
    rows.append(
        {
            "segment": "All people",
            "people": safe_count(total_people).text,
            "share_of_people": "100%",
            "share_of_spend": "100%",
            "emergency_admissions": safe_count(total_admissions).text,
            "share_of_admissions": "100%",
        }
    )
    return rows


def _evaluation(metrics: dict) -> tuple[list[tuple[str, str]], list[dict]]:
    """How the scores did over the 12 months after the data date (from the report's metrics.json): summary
    rows and subgroup rows."""
    overall = metrics.get("overall", {})
    group = _group(overall.get("people"), overall.get("events"))
    rows = []
    if group is not None:
        rows += [
            ("People scored", group.people),
            ("People admitted in the following 12 months", group.events),
        ]
    rows += _measure_rows(overall, EVALUATION_LABELS, group, "over the following 12 months")
    for top in metrics.get("top", []):
        selected = _count(top.get("people"))
        label = f"Top {top['top']} by risk"
        if selected is not None:
            label += f" ({safe_count(selected).text} people)"
        rows.append(
            (label, safe_admitted(selected, _count(top.get("admitted")), _count(top.get("all_admitted"))))
        )
    subgroups = []
    for row in metrics.get("subgroups", []):
        group = _group(row.get("people"), row.get("events"))
        shown = group is not None and group.shown
        subgroups.append(
            {
                "grouping": row.get("grouping", ""),
                "group": row.get("group", ""),
                "people": group.people if group else None,
                "admitted": group.events if group else None,
                "auroc": f"{row['auroc']:.3f}" if shown and isinstance(row.get("auroc"), float) else None,
                "calibration_slope": f"{row['calibration_slope']:.3f}"
                if shown and isinstance(row.get("calibration_slope"), float)
                else None,
                "note": (f"Suppressed: {group.suppressed_because}" if not shown else "")
                if group
                else NO_COUNTS,
            }
        )
    return rows, subgroups


def _training_rows(model_info: dict) -> list[tuple[str, str]]:
    """What the model achieved on the held-out part of its training window (neighbourhood.risk.model.train
    stores these under metrics["held_out"])."""
    held_out = (model_info.get("metrics") or {}).get("held_out") or {}
    window = model_info.get("training_window") or {}
    rows = []
    if window.get("outcome_from") and window.get("outcome_to_exclusive"):
        start = dt.date.fromisoformat(window["outcome_from"])
        end = dt.date.fromisoformat(window["outcome_to_exclusive"])
        rows.append(
            (
                "Training window",
                f"admissions from {presenters.long_date(start)} to "
                f"{presenters.long_date(end - dt.timedelta(days=1))}",
            )
        )
    trained = _group(model_info.get("training_people"), model_info.get("training_events"))
    if trained is not None:
        rows += [
            ("People in the training window", trained.people),
            ("People admitted in the training window", trained.events),
        ]
    if not held_out:
        return rows
    group = _group(held_out.get("people"), held_out.get("events"))
    if group is not None:
        rows += [
            ("People in the held-out part", group.people),
            ("People admitted in the held-out part", group.events),
        ]
    return rows + _measure_rows(held_out, METRIC_LABELS, group, "on the held-out part")


def report_for(run: RiskRun) -> dict | None:
    folder = report_dir(run)
    charts = (
        [
            {"name": p.name, "alt": CHART_ALT.get(p.name, p.stem.replace("_", " ")), "caption": ""}
            for p in sorted(folder.glob("*.png"))
        ]
        if folder.is_dir()
        else []
    )
    metrics_file = folder / "metrics.json"
    evaluation, subgroups = (
        _evaluation(json.loads(metrics_file.read_text())) if metrics_file.is_file() else ([], [])
    )
    training = _training_rows(run.model_info or {})
    if not training and not charts and not evaluation:
        return None
    return {"metrics": training, "evaluation": evaluation, "subgroups": subgroups, "charts": charts}
