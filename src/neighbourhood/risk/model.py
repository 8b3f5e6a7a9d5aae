"""The admission-risk model: probability of an emergency admission in the next 12 months.

Trained on the earlier window (features on index - 12 months, outcome = any emergency admission in the 12
months up to the index date), applied on the index date. Gradient-boosted trees (LightGBM, deterministic,
fixed seed) then Platt scaling on a held-out part of the training people, so scores are calibrated
probabilities and every score can be explained with the trees' per-feature contributions (in log-odds, scaled
by the Platt slope).

Saved as a directory: `model.txt` (LightGBM's own text format, no pickle) + `metadata.json`.
"""

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from neighbourhood.risk.dates import Window
from neighbourhood.risk.features import CONDITION_COLUMNS

MODEL_FEATURES = (
    "age",
    "female",
    "imd_decile",
    "efi_deficit_count",
    "ltc_count",
    "unstable_ltc_count",
    "repeat_oral_medicines",
    "falls_12m",
    "ae_attendances_12m",
    "emergency_admissions_12m",
    "elective_admissions_12m",
    "bed_days_12m",
    "emergency_admissions_year_before",
    "ae_attendances_year_before",
    "social_care_services",
    "social_care_assessments_12m",
    "social_care_cost_12m",
    "is_carer",
    "lives_alone",
    "housebound",
    *CONDITION_COLUMNS,
)
LIGHTGBM_PARAMS = {
    "objective": "binary",
    # single-split trees: an additive model (like a GAM) whose per-feature contributions are exact and cheap
    "learning_rate": 0.2,  # half the rounds of 0.1, AUROC within 0.003 of it on the synthetic truth
    "max_bin": 63,
    "max_depth": 1,
    "num_leaves": 2,
    "min_data_in_leaf": 100,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "lambda_l2": 10.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "seed": 20161,
    "verbosity": -1,
}
# More of these never lowers the risk, less deprivation never raises it: keeps each feature's effect (and so
# the reasons shown to GPs) clinically sensible and stops the trees chasing noise.
NON_DECREASING = frozenset(
    {
        "efi_deficit_count",
        "ltc_count",
        "unstable_ltc_count",
        "repeat_oral_medicines",
        "falls_12m",
        "ae_attendances_12m",
        "emergency_admissions_12m",
        "bed_days_12m",
        "emergency_admissions_year_before",
        "ae_attendances_year_before",
        "social_care_services",
        "social_care_cost_12m",
        "lives_alone",
        "housebound",
        *CONDITION_COLUMNS,
    }
)
NON_INCREASING = frozenset({"imd_decile"})
NUM_ROUNDS = 1000
EARLY_STOPPING_ROUNDS = 30
MIN_TRAINING_PEOPLE = 200
MIN_TRAINING_EVENTS = 20
# an additive model of a few dozen features learns nothing more from more people; this bounds training time
MAX_TRAINING_PEOPLE = 250_000


class ModelError(ValueError):
    """The model cannot be trained or loaded: says why."""


# unknown deprivation is scored as the middle of the range, so no feature is ever missing
UNKNOWN_IMD_DECILE = 5.5


def model_matrix(features: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(model_array(features), columns=list(MODEL_FEATURES), index=features.index)


def model_array(features: pd.DataFrame) -> np.ndarray:
    """The model's inputs as one float64 array (people x MODEL_FEATURES)."""
    return np.column_stack([model_column(features, name) for name in MODEL_FEATURES])


def model_column(features: pd.DataFrame, name: str) -> np.ndarray:
    """One model input as float64: `female` from sex; unknown deprivation is the middle of the range."""
    if name == "female":
        return (features["sex"] == "female").to_numpy(dtype="float64")
    if name == "imd_decile":
        imd = features["imd_decile"].to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(imd), UNKNOWN_IMD_DECILE, imd)
    return features[name].to_numpy(dtype="float64")


@dataclass(frozen=True)
class StrongContributions:
    """The (person, feature) pairs whose contribution to the calibrated log-odds is at least some size: all
    the reasons can be, without a people x features matrix."""

    rows: np.ndarray  # positions in the features frame
    features: np.ndarray  # positions in MODEL_FEATURES
    values: np.ndarray


@dataclass(frozen=True)
class FeatureSteps:
    """One feature's share of the model: sum over its trees of (leaf value - the tree's expected value)."""

    thresholds: np.ndarray  # ascending
    suffix_left_minus_right: np.ndarray  # [i] = sum over trees with threshold index >= i of (left - right)
    right_minus_expected: float

    def contribution(self, x: np.ndarray) -> np.ndarray:
        first_at_or_above = np.searchsorted(self.thresholds, x, side="left")
        return self.right_minus_expected + self.suffix_left_minus_right[first_at_or_above]


def additive_steps(booster: lgb.Booster) -> tuple[float, dict[int, FeatureSteps]]:
    """Decompose a model of single-split trees into a bias and one step function per feature.

    Equal to LightGBM's TreeSHAP contributions for such trees, at a fraction of the cost for a million
    people."""
    bias = 0.0
    per_feature: dict[int, list[tuple[float, float, float, float]]] = {}
    for tree in booster.dump_model()["tree_info"]:
        node = tree["tree_structure"]
        if "leaf_value" in node:
            bias += node["leaf_value"]
            continue
        left, right = node["left_child"], node["right_child"]
        if node["decision_type"] != "<=" or "leaf_value" not in left or "leaf_value" not in right:
            raise ModelError("additive_steps needs single-split numerical trees")
        expected = (left["leaf_value"] * left["leaf_count"] + right["leaf_value"] * right["leaf_count"]) / (
            left["leaf_count"] + right["leaf_count"]
        )
        bias += expected
        per_feature.setdefault(node["split_feature"], []).append(
            (node["threshold"], left["leaf_value"], right["leaf_value"], expected)
        )
    steps = {}
    for feature, trees in per_feature.items():
        trees.sort()
        thresholds = np.array([t[0] for t in trees])
        left_minus_right = np.array([t[1] - t[2] for t in trees])
        suffix = np.concatenate([np.cumsum(left_minus_right[::-1])[::-1], [0.0]])
        steps[feature] = FeatureSteps(thresholds, suffix, float(sum(t[2] - t[3] for t in trees)))
    return bias, steps


def calibration_slope_intercept(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of the logistic recalibration of `y` on logit(p) (ideal: 1 and 0)."""
    logit = _logit(p).reshape(-1, 1)
    fit = LogisticRegression(C=np.inf, solver="lbfgs").fit(logit, y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    slope, intercept = calibration_slope_intercept(y, p)
    return {
        "auroc": float(roc_auc_score(y, p)),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "brier": float(brier_score_loss(y, p)),
        "people": len(y),
        "events": int(y.sum()),
    }


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class ModelMetadata:
    version: str
    trained_at: str
    training_window: dict  # features_before, outcome_from, outcome_to (exclusive)
    features: list[str]
    platt_slope: float
    platt_intercept: float
    metrics: dict
    training_people: int
    training_events: int
    lightgbm_params: dict = field(default_factory=dict)


@dataclass
class AdmissionRiskModel:
    booster: lgb.Booster
    metadata: ModelMetadata

    def _each_contribution(self, features: pd.DataFrame):
        """(bias, an iterator of (feature position, its contributions in the booster's log-odds)) over the
        features the trees split on, in feature order; the others contribute nothing."""
        bias, steps = additive_steps(self.booster)
        each = (
            (feature, steps[feature].contribution(model_column(features, MODEL_FEATURES[feature])))
            for feature in sorted(steps)
        )
        return bias, each

    def raw_contributions(self, features: pd.DataFrame) -> tuple[float, np.ndarray]:
        """(bias, per-person per-feature contributions) in the booster's log-odds; they sum to its score."""
        bias, each = self._each_contribution(features)
        contributions = np.zeros((len(features), len(MODEL_FEATURES)))
        for feature, contribution in each:
            contributions[:, feature] = contribution
        return bias, contributions

    def _calibrated(self, raw: np.ndarray) -> np.ndarray:
        slope, intercept = self.metadata.platt_slope, self.metadata.platt_intercept
        return 1 / (1 + np.exp(-(slope * raw + intercept)))

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.score(features)[0]

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Per-person, per-feature contribution to the calibrated log-odds (positive = raises the risk)."""
        return self.score(features)[1]

    def score(self, features: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """(calibrated probabilities, contributions to their log-odds), in one pass over the people."""
        bias, contributions = self.raw_contributions(features)
        raw = np.full(len(features), bias)
        for feature in range(contributions.shape[1]):  # column by column, as score_strongest adds them
            raw += contributions[:, feature]  # (adding a column of zeros changes nothing)
        slope = self.metadata.platt_slope
        frame = pd.DataFrame(contributions * slope, columns=list(MODEL_FEATURES), index=features.index)
        return self._calibrated(raw), frame

    def score_strongest(
        self, features: pd.DataFrame, at_least: float
    ) -> tuple[np.ndarray, StrongContributions]:
        """(calibrated probabilities, the contributions of at least `at_least`): `score` for a million people,
        one feature at a time, keeping only what could be a reason."""
        bias, each = self._each_contribution(features)
        slope = self.metadata.platt_slope
        raw = np.full(len(features), bias)
        rows, positions, values = [], [], []
        for feature, contribution in each:
            raw += contribution
            strong = np.flatnonzero(contribution * slope >= at_least)
            rows.append(strong)
            positions.append(np.full(len(strong), feature))
            values.append(contribution[strong] * slope)
        empty = [np.array([], dtype=np.int64)]
        strongest = StrongContributions(
            rows=np.concatenate(rows or empty),
            features=np.concatenate(positions or empty),
            values=np.concatenate(values or [np.array([])]),
        )
        return self._calibrated(raw), strongest

    def save(self, directory: Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "model.txt").write_text(self.booster.model_to_string())
        (directory / "metadata.json").write_text(json.dumps(asdict(self.metadata), indent=2))
        return directory

    @classmethod
    def load(cls, directory: Path) -> "AdmissionRiskModel":
        directory = Path(directory)
        model_file, metadata_file = directory / "model.txt", directory / "metadata.json"
        for path in (model_file, metadata_file):
            if not path.exists():
                raise ModelError(
                    f"Not an admission-risk model directory: {path.name} is missing in {directory}"
                )
        metadata = ModelMetadata(**json.loads(metadata_file.read_text()))
        if tuple(metadata.features) != MODEL_FEATURES:
            raise ModelError(
                f"Model {metadata.version} was trained on features {metadata.features}; "
                f"this version of the software computes {list(MODEL_FEATURES)}. Retrain it."
            )
        return cls(booster=lgb.Booster(model_str=model_file.read_text()), metadata=metadata)

    @property
    def info(self) -> dict:
        return asdict(self.metadata)


def train(features: pd.DataFrame, outcome: np.ndarray, *, index_date: dt.date, seed: int = 20161):
    """Fit on 70% of the people, stop early and Platt-calibrate on 15%, report metrics on the last 15%."""
    y = np.asarray(outcome, dtype="int64")
    if len(y) < MIN_TRAINING_PEOPLE or y.sum() < MIN_TRAINING_EVENTS:
        raise ModelError(
            f"Too little data to train the admission-risk model: {len(y):,} people and {int(y.sum()):,} "
            f"emergency admissions in the training window (need at least {MIN_TRAINING_PEOPLE} and "
            f"{MIN_TRAINING_EVENTS})"
        )
    x = model_array(features)
    order = np.random.default_rng(seed).permutation(len(y))[:MAX_TRAINING_PEOPLE]
    fit_rows, calibrate_rows, test_rows = np.split(order, [int(0.7 * len(order)), int(0.85 * len(order))])
    monotone = [1 if f in NON_DECREASING else -1 if f in NON_INCREASING else 0 for f in MODEL_FEATURES]
    params = LIGHTGBM_PARAMS | {"seed": seed, "monotone_constraints": monotone}
    booster = lgb.train(
        params,
        lgb.Dataset(x[fit_rows], y[fit_rows], feature_name=list(MODEL_FEATURES), free_raw_data=False),
        num_boost_round=NUM_ROUNDS,
        valid_sets=[lgb.Dataset(x[calibrate_rows], y[calibrate_rows], feature_name=list(MODEL_FEATURES))],
        callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))
    raw = booster.predict(x[calibrate_rows], raw_score=True).reshape(-1, 1)
    platt = LogisticRegression(C=np.inf, solver="lbfgs").fit(raw, y[calibrate_rows])
    slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    held_out_raw = booster.predict(x[test_rows], raw_score=True)
    held_out = 1 / (1 + np.exp(-(slope * held_out_raw + intercept)))
    window = Window.year_before(index_date)
    model_text = booster.model_to_string()
    digest = hashlib.sha256(f"{model_text}{slope}{intercept}".encode()).hexdigest()[:8]
    metadata = ModelMetadata(
        version=f"admission-risk-{window.end:%Y%m%d}-{digest}",
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        training_window={
            "features_before": window.start.isoformat(),
            "outcome_from": window.start.isoformat(),
            "outcome_to_exclusive": window.end.isoformat(),
        },
        features=list(MODEL_FEATURES),
        platt_slope=slope,
        platt_intercept=intercept,
        metrics={"held_out": metrics(y[test_rows], held_out)}
        if y[test_rows].sum() and len(set(y[test_rows])) > 1
        else {},
        training_people=len(y),
        training_events=int(y.sum()),
        lightgbm_params=params | {"num_boost_round": booster.current_iteration()},
    )
    return AdmissionRiskModel(booster=booster, metadata=metadata)
