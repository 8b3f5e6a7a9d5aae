"""The proactive care register: at least 2% of adults, ranked by admission risk, plus clinicians' nominations,
minus clinicians' exclusions. Nobody leaves silently: people stay until a clinician removes them, and anyone
from the previous register who is not on this one is listed as a leaver with the reason."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Nomination:
    nhs_number: str
    reason: str
    nominated_by: str


@dataclass(frozen=True)
class Exclusion:
    nhs_number: str
    reason: str  # declined, moved away, end of life care elsewhere, ...


@dataclass(frozen=True)
class RegisterRules:
    adult_fraction: float = 0.02
    adult_age: int = 18


@dataclass
class RegisterSelection:
    on_register: pd.Series  # bool, aligned with the people frame
    reasons: list[list[str]]
    entrants: pd.DataFrame  # nhs_number, reasons
    leavers: pd.DataFrame  # nhs_number, reason
    target_size: int
    warnings: list[str]


def as_nominations(items: Iterable) -> list[Nomination]:
    return [item if isinstance(item, Nomination) else Nomination(*item) for item in items]


def as_exclusions(items: Iterable) -> list[Exclusion]:
    return [item if isinstance(item, Exclusion) else Exclusion(*item) for item in items]


def select_register(
    people: pd.DataFrame,
    *,
    rules: RegisterRules,
    nominations: Iterable = (),
    exclusions: Iterable = (),
    previous_register: Iterable[str] = (),
    departures: dict[str, str] | None = None,
) -> RegisterSelection:
    """`people`: living registered people with nhs_number, age, risk_rank. `departures`: NHS number -> why a
    person is no longer among them (died, left the practice); used to explain previous members who are
    gone."""
    nominations, exclusions = as_nominations(nominations), as_exclusions(exclusions)
    previous = set(previous_register)
    departures = departures or {}
    excluded = {e.nhs_number: e.reason for e in exclusions}
    numbers = pd.Index(people["nhs_number"])
    # people nobody chose share one empty list; everyone else gets a list of their own
    no_reasons: list[str] = []
    reasons: list[list[str]] = [no_reasons] * len(people)
    on = np.zeros(len(people), dtype=bool)
    warnings = []

    def positions_of(nhs_numbers) -> dict[str, int]:
        wanted = list(nhs_numbers)
        found = numbers.get_indexer(wanted) if wanted else np.array([], dtype=np.int64)
        return {nhs: int(i) for nhs, i in zip(wanted, found, strict=True) if i >= 0}

    def add_reason(i: int, reason: str) -> None:
        reasons[i] = [*reasons[i], reason]

    adult = (people["age"] >= rules.adult_age).to_numpy()
    target = math.ceil(rules.adult_fraction * int(adult.sum()))
    eligible = adult & ~numbers.isin(list(excluded))
    ranks = people["risk_rank"].to_numpy()
    eligible_positions = np.flatnonzero(eligible)
    by_rank = eligible_positions[np.argsort(ranks[eligible_positions], kind="stable")]
    highest_risk = f"Among the {rules.adult_fraction:.0%} of adults at highest risk of admission"
    for i in by_rank[:target].tolist():
        on[i] = True
        add_reason(i, highest_risk)
    if len(by_rank) < target:
        warnings.append(f"Only {len(by_rank):,} adults can be on the register; the target is {target:,}")

    nominated = positions_of(n.nhs_number for n in nominations)
    unknown_nominations = 0
    for nomination in nominations:
        i = nominated.get(nomination.nhs_number)
        if i is None:
            unknown_nominations += 1
            continue
        if nomination.nhs_number not in excluded:
            on[i] = True
        add_reason(i, f"Nominated by {nomination.nominated_by}: {nomination.reason}")
    if unknown_nominations:
        warnings.append(
            f"{unknown_nominations:,} nominated people are not living registered people at the index date "
            "and are not on the register"
        )

    position = positions_of(previous | set(excluded))
    for nhs in sorted(previous):
        i = position.get(nhs)
        if i is not None and nhs not in excluded:
            on[i] = True
            add_reason(i, "On the register from a previous run (stays until a clinician removes them)")
    for nhs, reason in excluded.items():
        i = position.get(nhs)
        if i is not None:
            on[i] = False
            add_reason(i, f"Excluded by a clinician: {reason}")

    on_register = pd.Series(on, index=people.index)
    current = set(people["nhs_number"][on_register])
    entering = (on_register & ~people["nhs_number"].isin(previous)).to_numpy()
    entrants = people.loc[entering, ["nhs_number"]].copy()
    entrants["reasons"] = [reasons[i] for i in np.flatnonzero(entering)]
    leavers = []
    for nhs in sorted(previous - current):
        if nhs in excluded:
            reason = f"Removed by a clinician: {excluded[nhs]}"
        elif nhs not in position:
            reason = departures.get(
                nhs, "No longer in the data (left the practice or the record was removed)"
            )
        else:  # cannot happen: previous members stay unless excluded
            raise AssertionError("a previous register member was dropped without a reason")
        leavers.append({"nhs_number": nhs, "reason": reason})
    return RegisterSelection(
        on_register=on_register,
        reasons=reasons,
        entrants=entrants.reset_index(drop=True),
        leavers=pd.DataFrame(leavers, columns=["nhs_number", "reason"]),
        target_size=target,
        warnings=warnings,
    )
