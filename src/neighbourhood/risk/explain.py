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


# what each phrase is built from, where that is more than the feature's own column
PHRASE_INPUTS = {"efi_deficit_count": ("age", "efi_deficit_count", "efi", "efi_category")}


def _phrases_once_per_value(column: str, arrays: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """The feature's phrase for each of `rows`, built once per distinct value (a million people say "Aged 84"
    in a hundred ways, not a million)."""
    inputs = PHRASE_INPUTS.get(column, (column,))
    if len(inputs) == 1:
        codes, distinct = pd.factorize(arrays[column][rows], use_na_sentinel=False)
        values = {column: np.asarray(distinct)}
    else:
        codes, distinct = pd.MultiIndex.from_arrays([arrays[c][rows] for c in inputs]).factorize()
        values = {c: distinct.get_level_values(i).to_numpy() for i, c in enumerate(inputs)}
    built = np.empty(len(distinct), dtype=object)
    built[:] = PHRASES[column](values)
    return built[codes]


def top_factors(
    people: pd.DataFrame, contributions: pd.DataFrame, limit: int = MAX_FACTORS
) -> list[list[str]]:
    """For each person, the phrases of the features that raise their risk most, largest first (ties: the
    feature listed first).

    Works on the few (person, feature) pairs that are reasons at all, not on every pair. People with the same
    reasons share one list: treat the lists as read-only."""
    values = contributions.to_numpy()
    rows, features = np.nonzero(values >= MIN_CONTRIBUTION)
    return top_factors_of(people, list(contributions.columns), rows, features, values[rows, features], limit)


def top_factors_of(
    people: pd.DataFrame,
    columns: list[str],
    rows: np.ndarray,
    features: np.ndarray,
    values: np.ndarray,
    limit: int = MAX_FACTORS,
) -> list[list[str]]:
    """`top_factors` from the (person row, feature position, contribution) triples of the contributions of
    at least MIN_CONTRIBUTION (`AdmissionRiskModel.score_strongest`)."""
    speakable = np.zeros(len(rows), dtype=bool)
    for position in np.unique(features):
        mine = features == position
        speakable[mine] = _has_phrase(people, columns[position])[rows[mine]]
    rows, features, values = rows[speakable], features[speakable], values[speakable]
    order = np.lexsort((features, -values, rows))
    rows, features = rows[order], features[order]
    first_of_row = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    slot = np.arange(len(rows)) - np.repeat(first_of_row, np.diff(np.r_[first_of_row, len(rows)]))
    kept = slot < limit
    rows, features, slot = rows[kept], features[kept], slot[kept]

    inputs = {c for c in columns if c in PHRASES} | {"age", "efi", "efi_category", "efi_deficit_count"}
    arrays = {c: people[c].to_numpy(dtype=object if c == "efi_category" else None) for c in inputs}
    phrase_ids = np.zeros((len(people), limit), dtype=np.int64)  # 0: no phrase; vocabulary[id - 1]
    vocabulary: list[str] = []
    for position, column in enumerate(columns):
        mine = features == position
        if mine.any():
            ids, distinct = pd.factorize(_phrases_once_per_value(column, arrays, rows[mine]))
            phrase_ids[rows[mine], slot[mine]] = ids + len(vocabulary) + 1
            vocabulary.extend(distinct)
    combination, distinct_rows = _distinct_rows(phrase_ids, len(vocabulary))
    lists = np.empty(len(distinct_rows), dtype=object)
    lists[:] = [[vocabulary[i - 1] for i in ids if i] for ids in distinct_rows.tolist()]
    return lists[combination].tolist()


def _distinct_rows(ids: np.ndarray, largest: int) -> tuple[np.ndarray, np.ndarray]:
    """(per row, which distinct row it is; the distinct rows) of a small non-negative integer matrix."""
    bits = max(int(largest).bit_length(), 1)
    if bits * ids.shape[1] > 63:
        distinct, inverse = np.unique(ids, axis=0, return_inverse=True)
        return inverse.reshape(-1), distinct
    packed = np.zeros(len(ids), dtype=np.int64)
    for k in range(ids.shape[1]):
        packed |= ids[:, k] << (bits * k)
    codes, distinct_packed = pd.factorize(packed)
    shifts = bits * np.arange(ids.shape[1])
    distinct = (distinct_packed[:, None] >> shifts[None, :]) & ((1 << bits) - 1)
    return codes, distinct
