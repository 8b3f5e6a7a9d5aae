"""Top contributing factors of each person's admission risk, in words a GP reads at a glance.

Phrases are built only for the few features chosen per person (a million people, a few phrases each).
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from neighbourhood.risk.efi import EFI_MIN_AGE
from neighbourhood.risk.features import CONDITION_COLUMNS

MAX_FACTORS = 4
# a contribution smaller than this (log-odds) is noise, not a reason
MIN_CONTRIBUTION = 0.05
MOST_DEPRIVED_DECILE = 3
LAST_YEAR = " in the last year"
YEAR_BEFORE = " the year before last"

Values = dict[str, np.ndarray]
Phrase = Callable[[Values], list[str]]


def _counted(column: str, one: str, many: str, suffix: str = "") -> Phrase:
    return lambda v: [f"{int(n)} {one if n == 1 else many}{suffix}" for n in v[column]]


def _said(phrase: str) -> Phrase:
    return lambda v: [phrase] * len(next(iter(v.values())))


def _frailty(v: Values) -> list[str]:
    phrases = []
    for age, count, score, category in zip(
        v["age"], v["efi_deficit_count"], v["efi"], v["efi_category"], strict=True
    ):
        if age >= EFI_MIN_AGE and count >= 5 and score == score:
            phrases.append(f"{str(category).capitalize()} frailty (eFI {score:.2f})")
        else:
            phrases.append(f"{int(count)} frailty {'deficit' if count == 1 else 'deficits'} recorded")
    return phrases


PHRASES: dict[str, Phrase] = {
    "age": lambda v: [f"Aged {int(a)}" for a in v["age"]],
    "imd_decile": lambda v: [
        f"Lives in one of England's most deprived areas (IMD decile {int(d)})" for d in v["imd_decile"]
    ],
    "efi_deficit_count": _frailty,
    "ltc_count": _counted("ltc_count", "long-term condition", "long-term conditions"),
    "unstable_ltc_count": _counted(
        "unstable_ltc_count",
        "long-term condition not under control",
        "long-term conditions not under control",
    ),
    "repeat_oral_medicines": _counted(
        "repeat_oral_medicines", "repeat oral medicine", "repeat oral medicines"
    ),
    "falls_12m": _counted("falls_12m", "fall", "falls", LAST_YEAR),
    "ae_attendances_12m": _counted("ae_attendances_12m", "A&E visit", "A&E visits", LAST_YEAR),
    "emergency_admissions_12m": _counted(
        "emergency_admissions_12m", "emergency admission", "emergency admissions", LAST_YEAR
    ),
    "elective_admissions_12m": _counted(
        "elective_admissions_12m", "planned hospital admission", "planned hospital admissions", LAST_YEAR
    ),
    "emergency_admissions_year_before": _counted(
        "emergency_admissions_year_before", "emergency admission", "emergency admissions", YEAR_BEFORE
    ),
    "ae_attendances_year_before": _counted(
        "ae_attendances_year_before", "A&E visit", "A&E visits", YEAR_BEFORE
    ),
    "bed_days_12m": _counted("bed_days_12m", "day", "days", " in hospital in the last year"),
    "social_care_services": _said("Receives social care services"),
    "social_care_assessments_12m": _said("Social care assessment in the last year"),
    "social_care_cost_12m": lambda v: [
        f"Social care costing £{c:,.0f}{LAST_YEAR}" for c in v["social_care_cost_12m"]
    ],
    "is_carer": _said("Is an unpaid carer"),
    "lives_alone": _said("Lives alone"),
    "housebound": _said("Housebound"),
    **{column: _said(condition) for column, condition in CONDITION_COLUMNS.items()},
}


def _has_phrase(people: pd.DataFrame, column: str) -> np.ndarray:
    """Whether the feature has something to say for each person (numeric: no strings built)."""
    if column == "age":
        return np.ones(len(people), dtype=bool)
    if column not in PHRASES:  # sex: being male or female is not a reason a GP acts on
        return np.zeros(len(people), dtype=bool)
    if column == "imd_decile":
        return (people["imd_decile"] <= MOST_DEPRIVED_DECILE).to_numpy()
    return (people[column] > 0).to_numpy()


def top_factors(
    people: pd.DataFrame, contributions: pd.DataFrame, limit: int = MAX_FACTORS
) -> list[list[str]]:
    """For each person, the phrases of the features that raise their risk most, largest first."""
    columns = list(contributions.columns)
    speakable = np.column_stack([_has_phrase(people, c) for c in columns])
    values = np.where(speakable, contributions.to_numpy(), -np.inf)
    order = np.argsort(-values, axis=1, kind="stable")[:, :limit]
    keep = np.take_along_axis(values, order, axis=1) >= MIN_CONTRIBUTION
    inputs = {c for c in columns if c in PHRASES} | {"age", "efi", "efi_category", "efi_deficit_count"}
    arrays = {c: people[c].to_numpy(dtype=object if c == "efi_category" else None) for c in inputs}
    phrases = np.full(order.shape, None, dtype=object)
    for position, column in enumerate(columns):
        rows, slots = np.nonzero((order == position) & keep)
        if len(rows):
            subset = {c: a[rows] for c, a in arrays.items()}
            phrases[rows, slots] = PHRASES[column](subset)
    return [[phrase for phrase in row if phrase is not None] for row in phrases.tolist()]
