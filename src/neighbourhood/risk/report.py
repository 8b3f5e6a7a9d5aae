"""The model report: how well the admission-risk scores predicted what happened, as HTML with PNG charts.

The realised outcome is an emergency admission in the 12 months from the index date, read from the lake here
and only here (scores never see it). When the lake has a `truth` table (synthetic data) the model's AUROC is
compared with the AUROC of the true probabilities, and a model that ranks better than the truth is flagged as
a probable leak (no model of the record can).

Beside the model, in the same run and on the same people, four baselines (`BASELINES`): logistic regressions
fitted on the model's own training people and window (`pipeline.training_frame`) on age and sex only, the
count of prior emergency admissions only, the eFI only, and the model's own features. The report states by
how much the model beats the best of them, and how far subgroups (age band, sex, IMD quintile, ethnicity)
differ.

The HTML is read by analysts, so everything in it goes through neighbourhood.disclosure: counts under 10
suppressed and others rounded to 5, shares from the rounded counts, and measures over a group (AUROC,
calibration) only when it has at least 10 people, 10 admitted and 10 not admitted; the charts are drawn from
such groups too. `metrics.json` keeps the raw counts for the overview page, which puts them through the same
functions, and is not copied out with the report.
"""

import datetime as dt
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler

from neighbourhood.disclosure import safe_count, safe_group, safe_proportion
from neighbourhood.risk.codes import EFI_DEFICIT_TOTAL
from neighbourhood.risk.dates import years_after
from neighbourhood.risk.lake import connect, fetch, read_lake
from neighbourhood.risk.model import MODEL_FEATURES, calibration_slope_intercept, model_array
from neighbourhood.risk.pipeline import StratifyConfig, emergency_admissions_between, training_frame

TOP_FRACTIONS = (0.02, 0.05)
SUBGROUP_INPUTS = ("age", "sex", "imd_decile", "ethnicity")
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
    "Z": "Not stated",
}


def _age_and_sex(frame: pd.DataFrame) -> np.ndarray:
    return np.column_stack([frame["age"].to_numpy("float64"), (frame["sex"] == "female").to_numpy("float64")])


def _prior_admissions(frame: pd.DataFrame) -> np.ndarray:
    # 0, 1, 2, 3 and 4 or more, each its own risk: no shape assumed
    return np.minimum(frame["emergency_admissions_12m"].to_numpy("float64"), 4).reshape(-1, 1)


def _efi(frame: pd.DataFrame) -> np.ndarray:
    # the eFI's own formula for everyone: it is reported only from 65, but deficits are counted at any age
    return (frame["efi_deficit_count"].to_numpy("float64") / EFI_DEFICIT_TOTAL).reshape(-1, 1)


def _age_spline_and_sex() -> ColumnTransformer:
    return ColumnTransformer(
        [("age", SplineTransformer(n_knots=6, degree=3), [0]), ("female", "passthrough", [1])]
    )


@dataclass(frozen=True)
class Baseline:
    name: str
    inputs: Callable[[pd.DataFrame], np.ndarray]
    transform: Callable[[], object]  # a new, unfitted scikit-learn transformer


BASELINES = (
    # age non-linearly (a cubic spline), as any fair age-only model would
    Baseline("Age and sex only", _age_and_sex, _age_spline_and_sex),
    Baseline(
        "Prior emergency admissions only (last 12 months)",
        _prior_admissions,
        lambda: OneHotEncoder(handle_unknown="ignore"),
    ),
    Baseline("eFI only", _efi, StandardScaler),
    Baseline("Logistic regression on the model's features", model_array, StandardScaler),
)


@dataclass
class Evaluation:
    scored: pd.DataFrame  # nhs_number, admission_risk, outcome, truth (or NaN), subgroup columns
    overall: dict
    top: pd.DataFrame
    subgroups: pd.DataFrame
    follow_up_complete: bool
    baselines: pd.DataFrame  # name, auroc, calibration_slope, calibration_in_the_large
    subgroup_gaps: pd.DataFrame  # per grouping: the highest and lowest AUROC and their gap


def _lake(data_dir: Path, engine: str, spark_session):
    return read_lake(connect(engine, spark_session), data_dir, engine=engine)


def realised_outcomes(
    data_dir: Path, index_date, engine: str = "duckdb", spark_session=None, lake=None
) -> tuple:
    """(frame of nhs_number, outcome, truth; whether the lake covers the full 12 months after the index
    date)."""
    lake = lake if lake is not None else _lake(data_dir, engine, spark_session)
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


def _in_the_large(y: np.ndarray, p: np.ndarray) -> float:
    """Mean predicted over observed, minus 1: +0.1 means 10% more admissions predicted than happened."""
    return float(p.mean() / y.mean() - 1)


def _summary(group: pd.DataFrame) -> dict:
    """Raw counts, and the measures only for a group large enough to show them (`safe_group`)."""
    y, p = group["outcome"].to_numpy(), group["admission_risk"].to_numpy()
    people, events = len(group), int(y.sum())
    if not safe_group(people, events).shown:
        return {
            "people": people,
            "events": events,
            "auroc": None,
            "calibration_slope": None,
            "mean_predicted": None,
            "calibration_in_the_large": None,
        }
    slope, _ = calibration_slope_intercept(y, p)
    return {
        "people": people,
        "events": events,
        "auroc": _auroc(y, p),
        "calibration_slope": slope,
        "mean_predicted": float(p.mean()),
        "calibration_in_the_large": _in_the_large(y, p),
    }


def evaluate_baselines(training: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """Each baseline fitted on the model's training people (`pipeline.training_frame`) and scored on the
    people the model is evaluated on (`scored`, with its features and `outcome`)."""
    y_train, y = training["admitted"].to_numpy(), scored["outcome"].to_numpy()
    rows = []
    for baseline in BASELINES:
        fitted = make_pipeline(baseline.transform(), LogisticRegression(max_iter=2_000))
        fitted.fit(baseline.inputs(training), y_train)
        p = fitted.predict_proba(baseline.inputs(scored))[:, 1]
        slope, _ = calibration_slope_intercept(y, p)
        rows.append(
            {
                "baseline": baseline.name,
                "auroc": _auroc(y, p),
                "calibration_slope": slope,
                "calibration_in_the_large": _in_the_large(y, p),
            }
        )
    return pd.DataFrame(rows)


def _subgroup_gaps(subgroups: pd.DataFrame) -> pd.DataFrame:
    """Per grouping, the groups with the highest and lowest AUROC among those shown, largest gap first."""
    rows = []
    for grouping, groups in subgroups.dropna(subset=["auroc"]).groupby("grouping", sort=False):
        if len(groups) < 2:
            continue
        high, low = groups.loc[groups["auroc"].idxmax()], groups.loc[groups["auroc"].idxmin()]
        in_the_large = groups["calibration_in_the_large"]
        rows.append(
            {
                "grouping": grouping,
                "highest": high["group"],
                "highest_auroc": float(high["auroc"]),
                "lowest": low["group"],
                "lowest_auroc": float(low["auroc"]),
                "auroc_gap": float(high["auroc"] - low["auroc"]),
                "calibration_in_the_large_gap": float(in_the_large.max() - in_the_large.min()),
            }
        )
    columns = [
        "grouping", "highest", "highest_auroc", "lowest", "lowest_auroc", "auroc_gap",
        "calibration_in_the_large_gap",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("auroc_gap", ascending=False, kind="stable").reset_index(drop=True)


def evaluate(result, *, engine: str = "duckdb", spark_session=None) -> Evaluation:
    lake = _lake(result.data_dir, engine, spark_session)
    outcomes, truth, complete = realised_outcomes(
        result.data_dir, result.index_date, engine, spark_session, lake=lake
    )
    inputs = dict.fromkeys(
        ["nhs_number", "admission_risk", *SUBGROUP_INPUTS, *MODEL_FEATURES, "efi_deficit_count"]
    )
    scored = result.people[[c for c in inputs if c in result.people]].merge(
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
        "mean_predicted": float(p.mean()),
        "calibration_in_the_large": _in_the_large(y, p) if y.sum() else None,
        "brier": float(np.mean((p - y) ** 2)),
        "truth_auroc": _auroc(y, scored["truth"].to_numpy()) if scored["truth"].notna().all() else None,
    }
    if overall["truth_auroc"]:
        overall["auroc_ratio_to_truth"] = overall["auroc"] / overall["truth_auroc"]
        # nothing read from the record can rank better than the probabilities that generated the outcomes
        overall["probable_leak"] = bool(overall["auroc"] > overall["truth_auroc"])
    baselines = pd.DataFrame(columns=["baseline", "auroc", "calibration_slope", "calibration_in_the_large"])
    if 0 < y.sum() < len(y):
        training = training_frame(lake, result.index_date, StratifyConfig(), len(scored))
        if 0 < training["admitted"].sum() < len(training):
            baselines = evaluate_baselines(training, scored)
    if len(baselines) and overall["auroc"] is not None:
        best = baselines.loc[baselines["auroc"].idxmax()]
        overall["best_baseline"] = best["baseline"]
        overall["best_baseline_auroc"] = float(best["auroc"])
        overall["margin_over_best_baseline"] = overall["auroc"] - float(best["auroc"])
    ranked = scored.sort_values("admission_risk", ascending=False, kind="stable")
    rows = []
    for fraction in TOP_FRACTIONS:
        top = ranked.head(int(np.ceil(fraction * len(ranked))))
        # counts, not ratios: shares are worked out from them through neighbourhood.disclosure
        rows.append(
            {
                "top": f"{fraction:.0%}",
                "people": len(top),
                "admitted": int(top["outcome"].sum()),
                "all_admitted": int(y.sum()),
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
    subgroups = pd.DataFrame(subgroup_rows)
    gaps = _subgroup_gaps(subgroups)
    if len(gaps):
        overall["largest_subgroup_auroc_gap"] = float(gaps["auroc_gap"].iloc[0])
        overall["largest_subgroup_auroc_gap_in"] = gaps["grouping"].iloc[0]
    scored = scored[["nhs_number", "admission_risk", "outcome", "truth", *SUBGROUP_INPUTS]]
    return Evaluation(scored, overall, pd.DataFrame(rows), subgroups, complete, baselines, gaps)


def _safe_roc(y: np.ndarray, p: np.ndarray, points: int = 100) -> tuple[list[float], list[float]]:
    """The ROC curve through at most `points` cut-offs, each point's rates worked out through
    neighbourhood.disclosure: a point is drawn only when the people above and below the cut-off, admitted and
    not, are each at least 10 (the curve's exact steps would count the people at the top of the ranking)."""
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order])
    positives, negatives = int(y.sum()), len(y) - int(y.sum())
    fpr, tpr = [0.0], [0.0]
    for cut in np.unique(np.linspace(1, len(y), points, dtype="int64")):
        true_positive, false_positive = int(hits[cut - 1]), int(cut - hits[cut - 1])
        sensitivity = safe_proportion(true_positive, positives)
        false_alarms = safe_proportion(false_positive, negatives)
        if not sensitivity.suppressed and not false_alarms.suppressed:
            fpr.append(false_alarms.value)
            tpr.append(sensitivity.value)
    return [*fpr, 1.0], [*tpr, 1.0]


def _charts(evaluation: Evaluation, out_dir: Path) -> dict[str, str]:
    scored = evaluation.scored
    y, p = scored["outcome"].to_numpy(), scored["admission_risk"].to_numpy()
    charts = {}
    figure, axes = plt.subplots(figsize=(5, 5))
    deciles = pd.qcut(pd.Series(p).rank(method="first"), 10, labels=False)
    tenths = (
        pd.DataFrame({"p": p, "y": y, "d": deciles})
        .groupby("d")
        .agg(p=("p", "mean"), people=("y", "size"), events=("y", "sum"))
    )
    # a point's observed proportion is a share of people: drawn only where it could be shown as a number
    observed = [
        safe_proportion(int(e), int(n)) for e, n in zip(tenths["events"], tenths["people"], strict=True)
    ]
    tenths["y"] = [share.value if not share.suppressed else np.nan for share in observed]
    calibration = tenths.dropna(subset=["y"])
    top = max(float(tenths["p"].max()), float(calibration["y"].max()) if len(calibration) else 0.0)
    axes.plot(
        [0, top],
        [0, top],
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
    if safe_group(len(y), int(y.sum())).shown:
        figure, axes = plt.subplots(figsize=(5, 5))
        axes.plot(*_safe_roc(y, p), label=f"Model (AUROC {evaluation.overall['auroc']:.3f})")
        if evaluation.overall.get("truth_auroc"):
            axes.plot(
                *_safe_roc(y, scored["truth"].to_numpy()),
                label=f"True probabilities (AUROC {evaluation.overall['truth_auroc']:.3f})",
            )
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


def _overall_table(overall: dict) -> pd.DataFrame:
    group = safe_group(overall["people"], overall["events"])
    rows = [
        {"measure": "people", "value": group.people},
        {"measure": "people admitted", "value": group.events},
    ]
    if not group.shown:
        return pd.DataFrame(
            [*rows, {"measure": "measures", "value": f"suppressed: {group.suppressed_because}"}]
        )
    measures = [{"measure": k, "value": v} for k, v in overall.items() if k not in ("people", "events")]
    return pd.DataFrame([*rows, *measures])


def _baseline_table(overall: dict, baselines: pd.DataFrame) -> pd.DataFrame:
    """The model and each baseline, over everyone scored: measures only when the whole group may show them."""
    if not safe_group(overall["people"], overall["events"]).shown or not len(baselines):
        return pd.DataFrame()
    model = {
        "baseline": "The model",
        "auroc": overall["auroc"],
        "calibration_slope": overall["calibration_slope"],
        "calibration_in_the_large": overall["calibration_in_the_large"],
    }
    return pd.DataFrame([model, *baselines.to_dict(orient="records")]).rename(
        columns={
            "baseline": "scores",
            "calibration_slope": "calibration slope",
            "calibration_in_the_large": "calibration in the large (mean predicted / observed - 1)",
        }
    )


def _verdicts(overall: dict, gaps: pd.DataFrame) -> str:
    """Sentences on the margin over the best baseline, a probable leak and the largest subgroup gap."""
    if not safe_group(overall["people"], overall["events"]).shown:
        return ""
    said = []
    if overall.get("probable_leak"):
        said.append(
            f"<p><strong>Probable leak: the model's AUROC ({overall['auroc']:.3f}) is above the true "
            f"probabilities' ({overall['truth_auroc']:.3f}), which nothing read from the record can reach. "
            "Check that no feature reads the 12 months being predicted.</strong></p>"
        )
    if "margin_over_best_baseline" in overall:
        margin = overall["margin_over_best_baseline"]
        name = html.escape(overall["best_baseline"])
        if margin > 0:
            said.append(
                f"<p>The model's AUROC is {margin:.3f} above the best baseline ({name}, "
                f"{overall['best_baseline_auroc']:.3f}).</p>"
            )
        else:
            said.append(
                f"<p><strong>The model does not beat the best baseline: {name} ranks better by "
                f"{-margin:.3f} AUROC.</strong></p>"
            )
    if len(gaps):
        gap = gaps.iloc[0]
        said.append(
            f"<p>Largest AUROC gap between subgroups: {gap['auroc_gap']:.3f}, by "
            f"{html.escape(str(gap['grouping']).lower())} ({html.escape(str(gap['highest']))} "
            f"{gap['highest_auroc']:.3f}, {html.escape(str(gap['lowest']))} {gap['lowest_auroc']:.3f}). "
            "Within a group the model cannot rank people by what defines the group (within an age band, by "
            "age), so a group's AUROC is not comparable with the overall one.</p>"
        )
    return "".join(said)


def _top_table(top: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "top": row.top,
                "people": safe_count(row.people).text,
                "precision (share admitted)": safe_proportion(row.admitted, row.people).text,
                "capture (share of all admitted)": safe_proportion(row.admitted, row.all_admitted).text,
            }
            for row in top.itertuples(index=False)
        ]
    )


def _subgroup_table(subgroups: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for row in subgroups.itertuples(index=False):
        group = safe_group(row.people, row.events)
        rows.append(
            {
                "grouping": row.grouping,
                "group": row.group,
                "people": group.people,
                "people admitted": group.events,
                "share admitted": safe_proportion(row.events, row.people).text,
                "mean predicted": row.mean_predicted if group.shown else None,
                "auroc": row.auroc if group.shown else None,
                "calibration slope": row.calibration_slope if group.shown else None,
                "calibration in the large": row.calibration_in_the_large if group.shown else None,
                "suppressed": group.suppressed_because,
            }
        )
    return pd.DataFrame(rows)


def write_model_report(result, out_dir: Path | str, *, engine: str = "duckdb", spark_session=None) -> Path:
    """Write `index.html`, `calibration.png`, `roc.png` and `metrics.json` to `out_dir`; return the HTML
    path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    evaluation = evaluate(result, engine=engine, spark_session=spark_session)
    charts = _charts(evaluation, out_dir)
    overall = _overall_table(evaluation.overall)
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
{_verdicts(evaluation.overall, evaluation.subgroup_gaps)}
<h2>Against simpler scores</h2>
<p>Each baseline is a logistic regression fitted on the model's own training people and window (features
12 months before the index date, admissions in the 12 months up to it) and scored on the same people as the
model. Age is a cubic spline; prior admissions are 0, 1, 2, 3 and 4 or more; the eFI is deficits / 36 at
every age.</p>
{_table(_baseline_table(evaluation.overall, evaluation.baselines))}
<h2>Charts</h2>{images}
<h2>Precision and capture at the top of the ranking</h2>
<p>Precision: the share of the people at highest risk who were admitted. Capture: the share of all people
admitted who were among them.</p>{_table(_top_table(evaluation.top))}
<h2>Subgroups</h2><p>Counts under 10 are suppressed and others rounded to the nearest 5; shares are worked out
from the rounded counts. Measures are shown only for groups with at least 10 people, 10 people admitted and 10
not admitted; the last column says which was too few.</p>
{_table(_subgroup_table(evaluation.subgroups))}
</body></html>
"""
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    metrics = {
        "overall": evaluation.overall,
        "top": evaluation.top.to_dict(orient="records"),
        "subgroups": evaluation.subgroups.to_dict(orient="records"),
        "baselines": evaluation.baselines.to_dict(orient="records"),
        "subgroup_gaps": evaluation.subgroup_gaps.to_dict(orient="records"),
        "model": model,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    return path
