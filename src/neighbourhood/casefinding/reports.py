"""Where each run's model report (HTML + PNG charts from neighbourhood.risk.report) is kept and found."""

import re
from pathlib import Path

from django.conf import settings

from neighbourhood.casefinding.models import RiskRun

CHART_NAME = re.compile(r"^[a-z0-9_\-]+\.png$")
METRIC_LABELS = {
    "auroc": "AUROC (training window, held out)",
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


def report_for(run: RiskRun) -> dict | None:
    metrics = run.model_info.get("metrics", {}) if run.model_info else {}
    folder = report_dir(run)
    charts = (
        [
            {
                "name": p.name,
                "alt": p.stem.replace("_", " ").capitalize(),
                "caption": p.stem.replace("_", " "),
            }
            for p in sorted(folder.glob("*.png"))
        ]
        if folder.is_dir()
        else []
    )
    if not metrics and not charts:
        return None
    rows = [
        (METRIC_LABELS.get(key, key.replace("_", " ")), f"{value:.3f}" if isinstance(value, float) else value)
        for key, value in metrics.items()
    ]
    return {"metrics": rows, "charts": charts}
