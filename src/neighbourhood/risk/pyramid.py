"""Pyramid of need: people ranked by admission risk, cut into segments, with each segment's share of people,
spend and emergency admissions."""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Segment:
    name: str
    upper_fraction: float  # the segment ends this far down the ranking (0.005 = the top 0.5%)


DEFAULT_SEGMENTS = (
    Segment("Top 0.5%", 0.005),
    Segment("0.5% to 2%", 0.02),
    Segment("2% to 5%", 0.05),
    Segment("5% to 20%", 0.20),
    Segment("Rest (80%)", 1.0),
)
# scores equal to this many decimal places are ties, broken by NHS number, so every engine ranks alike
RANKING_DECIMALS = 12


def risk_rank(nhs_number: pd.Series, admission_risk: pd.Series) -> pd.Series:
    """1 = highest risk; ties broken by NHS number."""
    by_number = np.empty(len(nhs_number), dtype="int64")
    by_number[nhs_number.argsort().to_numpy()] = np.arange(len(nhs_number))  # no string compares per pair
    order = np.lexsort((by_number, -admission_risk.round(RANKING_DECIMALS).to_numpy()))
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(1, len(order) + 1)
    return pd.Series(rank, index=nhs_number.index)


def risk_percentile(rank: pd.Series) -> pd.Series:
    """Percent of people with a lower risk (the highest-risk person is near 100)."""
    total = len(rank)
    return 100.0 * (total - rank) / total if total else rank.astype("float64")


def segment_of(rank: pd.Series, segments: tuple[Segment, ...] = DEFAULT_SEGMENTS) -> pd.Series:
    total = len(rank)
    fraction = rank.to_numpy() / max(total, 1)
    bounds = np.array([s.upper_fraction for s in segments])
    positions = np.minimum(np.searchsorted(bounds, fraction - 1e-12, side="left"), len(segments) - 1)
    return pd.Series(np.array([s.name for s in segments], dtype=object)[positions], index=rank.index)


def pyramid(people: pd.DataFrame, segments: tuple[Segment, ...] = DEFAULT_SEGMENTS) -> pd.DataFrame:
    """One row per segment, highest risk first: people, spend and emergency admissions in the last 12
    months."""
    grouped = people.groupby("segment", sort=False).agg(
        people=("nhs_number", "size"),
        spend_gbp=("cost_12m_gbp", "sum"),
        emergency_admissions=("emergency_admissions_12m", "sum"),
        mean_admission_risk=("admission_risk", "mean"),
    )
    table = grouped.reindex([s.name for s in segments]).fillna(0).reset_index(names="segment")
    for column in ("people", "spend_gbp", "emergency_admissions"):
        total = table[column].sum()
        table[f"share_{column.removesuffix('_gbp')}"] = table[column] / total if total else 0.0
    table["people"] = table["people"].astype("int64")
    table["emergency_admissions"] = table["emergency_admissions"].astype("int64")
    return table
