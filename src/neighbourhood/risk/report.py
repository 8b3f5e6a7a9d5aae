"""The model report: how well the admission-risk scores predicted what happened, as HTML with PNG charts.

The realised outcome is an emergency admission in the 12 months from the index date, read from the lake here
and only here (scores never see it). When the lake has a `truth` table (synthetic data) the model's AUROC is
compared with the AUROC of the true probabilities. Subgroups with fewer than 10 people or 10 events are
suppressed.
"""

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from neighbourhood.disclosure import safe_count
from neighbourhood.risk.dates import years_after
from neighbourhood.risk.lake import connect, fetch, read_lake
from neighbourhood.risk.model import calibration_slope_intercept
from neighbourhood.risk.pipeline import emergency_admissions_between

SMALL_NUMBER = 10
TOP_FRACTIONS = (0.02, 0.05)
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
    "Z": "Not stated",
}


@dataclass
class Evaluation:
    scored: pd.DataFrame  # nhs_number, admission_risk, outcome, truth (or NaN), subgroup columns
    overall: dict
    top: pd.DataFrame
    subgroups: pd.DataFrame
    follow_up_complete: bool


def realised_outcomes(data_dir: Path, index_date, engine: str = "duckdb", spark_session=None) -> tuple:
    """(frame of nhs_number, outcome, truth; whether the lake covers the full 12 months after the index
    date)."""
    lake = read_lake(connect(engine, spark_session), data_dir, engine=engine)
    end = years_after(index_date)
    spells = lake.hospital_activity
    outcome = fetch(emergency_admissions_between(lake, index_date, end).select("nhs_number"))
    last_activity = fetch(spells.aggregate(last=spells.start_date.max()))["last"].iloc[0]
    frame = pd.DataFrame({"nhs_number": outcome["nhs_number"], "outcome": 1})
    truth = None
    if lake.truth is not None:
        truth = fetch(lake.truth.select("nhs_number", truth="p_emergency_admission_12m"))
    # activity within the last month of the follow-up year means the extract reaches its end
    complete = not pd.isna(last_activity) and last_activity >= end - dt.timedelta(days=31)
    return frame, truth, bool(complete)


def _auroc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


def _summary(group: pd.DataFrame) -> dict:
    y, p = group["outcome"].to_numpy(), group["admission_risk"].to_numpy()
    events = int(y.sum())
    if len(group) < SMALL_NUMBER or events < SMALL_NUMBER or len(group) - events < SMALL_NUMBER:
        return {
            "people": safe_count(0).text,
            "events": safe_count(0).text,
            "auroc": None,
            "calibration_slope": None,
            "observed_rate": None,
            "mean_predicted": None,
        }
    slope, _ = calibration_slope_intercept(y, p)
    return {
        # Shown to analysts: through the one disclosure-control function (rounded to 5).
        "people": safe_count(len(group)).text,
        "events": safe_count(events).text,
        "auroc": _auroc(y, p),
        "calibration_slope": slope,
        "observed_rate": float(y.mean()),
        "mean_predicted": float(p.mean()),
    }


def evaluate(result, *, engine: str = "duckdb", spark_session=None) -> Evaluation:
    outcomes, truth, complete = realised_outcomes(result.data_dir, result.index_date, engine, spark_session)
    scored = result.people[["nhs_number", "admission_risk", "age", "sex", "imd_decile", "ethnicity"]].merge(
        outcomes, on="nhs_number", how="left"
    )
    scored["outcome"] = scored["outcome"].fillna(0).astype("int64")
    scored["truth"] = (
        scored[["nhs_number"]].merge(truth, on="nhs_number", how="left")["truth"]
        if truth is not None
        else np.nan
    )
    y, p = scored["outcome"].to_numpy(), scored["admission_risk"].to_numpy()
    slope, intercept = calibration_slope_intercept(y, p)
    overall = {
        "people": len(scored),
        "events": int(y.sum()),
        "auroc": _auroc(y, p),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "brier": float(np.mean((p - y) ** 2)),
        "truth_auroc": _auroc(y, scored["truth"].to_numpy()) if scored["truth"].notna().all() else None,
    }
    if overall["truth_auroc"]:
        overall["auroc_ratio_to_truth"] = overall["auroc"] / overall["truth_auroc"]
    ranked = scored.sort_values("admission_risk", ascending=False, kind="stable")
    rows = []
    for fraction in TOP_FRACTIONS:
        top = ranked.head(int(np.ceil(fraction * len(ranked))))
        rows.append(
            {
                "top": f"{fraction:.0%}",
                "people": len(top),
                "precision": top["outcome"].mean(),
                "capture": top["outcome"].sum() / max(y.sum(), 1),
            }
        )
    bands = pd.cut(
        scored["age"], [-1, 17, 64, 74, 84, 200], labels=["0-17", "18-64", "65-74", "75-84", "85+"]
    )
    groupings = {
        "Age band": bands.astype(str),
        "Sex": scored["sex"].astype(str),
        "IMD quintile (1 = most deprived)": ((scored["imd_decile"] + 1) // 2).map(
            lambda q: "Not known" if pd.isna(q) else str(int(q))
        ),
        "Ethnicity": scored["ethnicity"].map(ETHNIC_GROUPS).fillna("Not known"),
    }
    subgroup_rows = []
    for grouping, labels in groupings.items():
        for label, group in scored.groupby(labels, sort=True):
            subgroup_rows.append({"grouping": grouping, "group": label, **_summary(group)})
    return Evaluation(scored, overall, pd.DataFrame(rows), pd.DataFrame(subgroup_rows), complete)


def _charts(evaluation: Evaluation, out_dir: Path) -> dict[str, str]:
    scored = evaluation.scored
    y, p = scored["outcome"].to_numpy(), scored["admission_risk"].to_numpy()
    charts = {}
    figure, axes = plt.subplots(figsize=(5, 5))
    deciles = pd.qcut(pd.Series(p).rank(method="first"), 10, labels=False)
    calibration = pd.DataFrame({"p": p, "y": y, "d": deciles}).groupby("d").mean()
    axes.plot(
        [0, calibration[["p", "y"]].to_numpy().max()],
        [0, calibration[["p", "y"]].to_numpy().max()],
        linestyle="--",
        color="grey",
        label="Perfect calibration",
    )
    axes.plot(calibration["p"], calibration["y"], marker="o", label="Model (tenths of risk)")
    axes.set_xlabel("Predicted probability of emergency admission")
    axes.set_ylabel("Observed proportion admitted")
    axes.set_title("Calibration")
    axes.legend()
    figure.tight_layout()
    figure.savefig(out_dir / "calibration.png", dpi=100)
    plt.close(figure)
    charts["calibration"] = "calibration.png"
    if 0 < y.sum() < len(y):
        figure, axes = plt.subplots(figsize=(5, 5))
        fpr, tpr, _ = roc_curve(y, p)
        axes.plot(fpr, tpr, label=f"Model (AUROC {evaluation.overall['auroc']:.3f})")
        if evaluation.overall.get("truth_auroc"):
            fpr, tpr, _ = roc_curve(y, scored["truth"].to_numpy())
            axes.plot(fpr, tpr, label=f"True probabilities (AUROC {evaluation.overall['truth_auroc']:.3f})")
        axes.plot([0, 1], [0, 1], linestyle="--", color="grey")
        axes.set_xlabel("False positive rate")
        axes.set_ylabel("True positive rate")
        axes.set_title("ROC curve")
        axes.legend()
        figure.tight_layout()
        figure.savefig(out_dir / "roc.png", dpi=100)
        plt.close(figure)
        charts["roc"] = "roc.png"
    return charts


def _table(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "-"
        if isinstance(value, float):
            return f"{value:.3f}"
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_model_report(result, out_dir: Path | str, *, engine: str = "duckdb", spark_session=None) -> Path:
    """Write `index.html`, `calibration.png`, `roc.png` and `metrics.json` to `out_dir`; return the HTML
    path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    evaluation = evaluate(result, engine=engine, spark_session=spark_session)
    charts = _charts(evaluation, out_dir)
    overall = pd.DataFrame([{"measure": k, "value": v} for k, v in evaluation.overall.items()])
    model = result.model_info
    warning = (
        ""
        if evaluation.follow_up_complete
        else "<p><strong>The lake does not cover the 12 months after the index date: outcomes are incomplete "
        "and these figures understate the model.</strong></p>"
    )
    images = "".join(f'<p><img src="{name}" alt="{key} chart"></p>' for key, name in charts.items())
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Admission-risk model report</title></head><body>
<h1>Admission-risk model report</h1>
<p>Model {html.escape(model["version"])}, trained {html.escape(model["trained_at"])} on features before
{html.escape(model["training_window"]["features_before"])} and admissions from
{html.escape(model["training_window"]["outcome_from"])} to before
{html.escape(model["training_window"]["outcome_to_exclusive"])}. Scored on {result.index_date.isoformat()};
outcome: an emergency admission in the following 12 months.</p>
{warning}
<h2>Overall</h2>{_table(overall)}
<h2>Charts</h2>{images}
<h2>Precision and capture at the top of the ranking</h2>
<p>Precision: the share of the people at highest risk who were admitted. Capture: the share of all people
admitted who were among them.</p>{_table(evaluation.top)}
<h2>Subgroups</h2><p>Groups with fewer than 10 people or 10 events are suppressed; other counts are rounded
to the nearest 5.</p>
{_table(evaluation.subgroups)}
</body></html>
"""
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    metrics = {
        "overall": evaluation.overall,
        "top": evaluation.top.to_dict(orient="records"),
        "subgroups": evaluation.subgroups.to_dict(orient="records"),
        "model": model,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    return path
