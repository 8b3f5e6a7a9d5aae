"""The Wokingham flag: top 10% of combined health and social care cost AND any of five markers of complexity.

Runs on the one-row-per-person features frame (already aggregated by the engine), so every engine gives the
same flags from the same features. Thresholds are configurable; their meaning is in docs/case-finding.md.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class WokinghamThresholds:
    top_cost_fraction: float = 0.10
    unplanned_admissions: int = 2  # emergency admissions in the last 12 months
    falls: int = 2  # falls recorded in the last 12 months
    unstable_ltcs: int = (
        2  # long-term conditions unstable in the last 12 months (features.UnstableDefinition)
    )
    repeat_oral_medicines: int = 5  # current repeat oral medicines (distinct), or a recorded concern about
    # managing them (case_finding.snomed.csv `self_medication_concern`, in the last 12 months)
    frequent_ae_attendances: int = 4  # A&E attendances in the last 12 months that make a "frequent attender"


def in_top_cost(cost: pd.Series, fraction: float) -> pd.Series:
    """The `fraction` of people with the highest cost (ties at the cut-off all included); nobody with no
    cost."""
    if cost.empty:
        return pd.Series(False, index=cost.index)
    places = int(np.ceil(fraction * len(cost)))
    if places == 0:
        return pd.Series(False, index=cost.index)
    cut_off = np.sort(cost.to_numpy())[::-1][places - 1]
    return (cost >= cut_off) & (cost > 0)


def wokingham(people: pd.DataFrame, thresholds: WokinghamThresholds) -> tuple[pd.Series, list[list[str]]]:
    """(flag per person, the reasons that fired); reasons are listed for everyone in the top-cost group."""
    cost = people["hospital_cost_12m"] + people["social_care_cost_12m"]
    top = in_top_cost(cost.round(2), thresholds.top_cost_fraction)
    t = thresholds
    criteria = [
        (
            people["emergency_admissions_12m"] >= t.unplanned_admissions,
            lambda r: f"{r.emergency_admissions_12m} unplanned admissions in the last year",
        ),
        (people["falls_12m"] >= t.falls, lambda r: f"{r.falls_12m} falls in the last year"),
        (
            people["unstable_ltc_count"] >= t.unstable_ltcs,
            lambda r: f"{r.unstable_ltc_count} long-term conditions not under control",
        ),
        (
            people["repeat_oral_medicines"] >= t.repeat_oral_medicines,
            lambda r: f"{r.repeat_oral_medicines} repeat oral medicines",
        ),
        (
            people["self_medication_concern"] > 0,
            lambda r: "Concern recorded about managing own medicines",
        ),
        (
            people["ae_attendances_12m"] >= t.frequent_ae_attendances,
            lambda r: f"Frequent A&E attender ({r.ae_attendances_12m} visits in the last year)",
        ),
    ]
    fired = np.column_stack([mask.to_numpy() for mask, _ in criteria]) & top.to_numpy()[:, None]
    flag = pd.Series(fired.any(axis=1), index=people.index)
    # one shared empty list for the unflagged majority (read-only, like every reasons list)
    no_reasons: list[str] = []
    reasons = [no_reasons] * len(people)
    positions = np.flatnonzero(flag.to_numpy())
    for position, row in zip(positions, people.iloc[positions].itertuples(index=False), strict=True):
        reasons[position] = [
            f"Top {t.top_cost_fraction:.0%} of health and social care cost",
            *(describe(row) for (_, describe), hit in zip(criteria, fired[position], strict=True) if hit),
        ]
    return flag, reasons
