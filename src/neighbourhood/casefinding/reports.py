"""Where each run's model report (HTML + PNG charts from neighbourhood.risk.report) is kept and found."""

import json
import re
from pathlib import Path

from django.conf import settings

from neighbourhood.casefinding.models import RiskRun

CHART_NAME = re.compile(r"^[a-z0-9_\-]+\.png$")
CHART_ALT = {
    "calibration.png": "Calibration plot: predicted against observed emergency admission rates",
    "roc.png": "ROC curve of the admission-risk model over the 12 months after the data date",
}
METRIC_LABELS = {
    "auroc": "AUROC (training window, held-out part)",
    "calibration_slope": "Calibration slope",
    "calibration_intercept": "Calibration intercept",
    "brier": "Brier score",
}


def report_dir(run: RiskRun) -> Path:
    return Path(settings.VAR_DIR) / "reports" / f"run-{run.pk}"


def image_path(run: RiskRun, name: str) -> Path | None:
    if not CHART_NAME.match(name):
        return None
    path = report_dir(run) / name
    return path if path.is_file() else None


def _evaluation_rows(folder: Path) -> list[tuple[str, str]]:
    """How the scores did over the 12 months after the data date (from the report's metrics.json)."""
    metrics_file = folder / "metrics.json"
    if not metrics_file.is_file():
        return []
    metrics = json.loads(metrics_file.read_text())
    overall = metrics.get("overall", {})
    rows = [
        (label, f"{overall[key]:.3f}")
        for key, label in (
            ("auroc", "AUROC over the following 12 months"),
            ("truth_auroc", "AUROC of the true probabilities (synthetic data only)"),
            ("auroc_ratio_to_truth", "Model AUROC as a share of the truth's"),
            ("calibration_slope", "Calibration slope over the following 12 months"),
        )
        if isinstance(overall.get(key), float)
    ]
    for top in metrics.get("top", []):
        rows.append(
            (
                f"Top {top['top']} by risk",
                f"{100 * top['precision']:.0f}% were admitted; they were {100 * top['capture']:.0f}% of all "
                "people admitted",
            )
        )
    return rows


def report_for(run: RiskRun) -> dict | None:
    folder = report_dir(run)
    training = run.model_info.get("metrics", {}) if run.model_info else {}
    charts = (
        [
            {"name": p.name, "alt": CHART_ALT.get(p.name, p.stem.replace("_", " ")), "caption": ""}
            for p in sorted(folder.glob("*.png"))
        ]
        if folder.is_dir()
        else []
    )
    evaluation = _evaluation_rows(folder)
    if not training and not charts and not evaluation:
        return None
    rows = [
        (METRIC_LABELS.get(key, key.replace("_", " ")), f"{value:.3f}" if isinstance(value, float) else value)
        for key, value in training.items()
    ]
    return {"metrics": rows, "evaluation": evaluation, "charts": charts}
