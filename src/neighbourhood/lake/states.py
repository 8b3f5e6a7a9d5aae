"""Person-level states derived from the lake, once: housebound, lives alone, socially isolated, carer, known
to social care. The record (`register.lake`, plain Python) and the analytics (`risk.features`, Ibis on DuckDB
and Spark) both use these; `tests/lake/test_contract.py` checks the two forms agree.

Every function takes `before`: only what is dated before that day counts. The analytics use the index date
itself ("data before D"); the record, "as known on" a date, passes the day after it.

**Which code wins.** Housebound and carer status are switched on and off by codes ("Housebound" and "No longer
housebound"; "Is a carer" and "Is no longer a carer"). The latest code in the record decides. **On the same
day, the "no longer" code wins**: extracts carry only the date, not the order within a day, and a code that
ends a status is the deliberate one: it is recorded at the review that finds the status over, often with the
review itself coded (759311000000103 "Housebound patient review" is in the housebound list), so the review and
its outcome share a date. Calling someone housebound, or a carer, on a day someone recorded that they no
longer are would put them on visiting lists they have left.

**Undated records.** A carer relationship with no start date counts (someone recorded it; the date is not
known). A coded event or a social care record with no date cannot be placed before a day and does not count.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from neighbourhood.terminology import load_codelist


@dataclass(frozen=True)
class CodedState:
    """A yes/no state coded in the GP record: `starts` (a category of `codelist`) says yes from its date;
    `ends`, if any, says no from its date."""

    name: str
    codelist: str
    starts: str
    ends: str | None = None


CODED_STATES: tuple[CodedState, ...] = (
    CodedState("housebound", "case_finding", "housebound", "no_longer_housebound"),
    CodedState("carer_code", "case_finding", "is_a_carer", "not_a_carer"),
    CodedState("lives_alone", "case_finding", "lives_alone"),
    CodedState("socially_isolated", "observations", "social_isolation"),
)
# what the record and the analytics call a person's states; `is_carer` also counts a carer_of relationship
PERSON_STATES = ("housebound", "is_carer", "lives_alone", "socially_isolated", "known_to_social_care")


@cache
def state_codes() -> dict[str, set[tuple[str, str]]]:
    """SNOMED code -> {(codelist, category)} for every code a coded state reads."""
    codes: dict[str, set[tuple[str, str]]] = {}
    for state in CODED_STATES:
        codelist = load_codelist(state.codelist)
        for category in (state.starts, state.ends):
            if category is not None:
                for code in codelist.codes_for(category):
                    codes.setdefault(code, set()).add((state.codelist, category))
    return codes


# --- plain Python: the record -------------------------------------------------------------------------------


def latest_says_yes(last_start: dt.date | None, last_end: dt.date | None) -> bool:
    """The later code wins; on the same day the code that ends the state wins."""
    return last_start is not None and (last_end is None or last_start > last_end)


def coded_states(last_dates: dict[tuple[str, str], dt.date]) -> dict[str, bool]:
    """One person's coded states from the latest date of each (codelist, category) recorded before the day."""
    states = {}
    for state in CODED_STATES:
        last_start = last_dates.get((state.codelist, state.starts))
        last_end = last_dates.get((state.codelist, state.ends)) if state.ends else None
        states[state.name] = latest_says_yes(last_start, last_end)
    return states


def last_dates_of(
    events: Iterable[tuple[dt.date | None, str]], before: dt.date
) -> dict[tuple[str, str], dt.date]:
    """One person's (date, SNOMED code) events -> the latest date of each (codelist, category) before
    `before`."""
    codes = state_codes()
    last: dict[tuple[str, str], dt.date] = {}
    for day, code in events:
        if day is None or day >= before:
            continue
        for category in codes.get(code, ()):
            if category not in last or day > last[category]:
                last[category] = day
    return last


def relationship_counts(start_date: dt.date | None, before: dt.date) -> bool:
    return start_date is None or start_date < before


def person_states(
    *,
    events: Iterable[tuple[dt.date | None, str]],
    carer_of_starts: Iterable[dt.date | None],
    social_care_starts: Iterable[dt.date | None],
    before: dt.date,
) -> dict[str, bool]:
    """One person's PERSON_STATES from their coded events (date, SNOMED code), the start dates of their
    carer_of relationships and of their social care records."""
    coded = coded_states(last_dates_of(events, before))
    return {
        "housebound": coded["housebound"],
        "is_carer": coded["carer_code"] or any(relationship_counts(s, before) for s in carer_of_starts),
        "lives_alone": coded["lives_alone"],
        "socially_isolated": coded["socially_isolated"],
        "known_to_social_care": any(s is not None and s < before for s in social_care_starts),
    }


# --- Ibis: the analytics ------------------------------------------------------------------------------------


def _chosen(only: Iterable[str] | None) -> tuple[CodedState, ...]:
    return tuple(state for state in CODED_STATES if only is None or state.name in only)


def coded_state_aggregates(coded, is_category, only: Iterable[str] | None = None) -> dict:
    """Aggregations over a person's coded events (grouped by person): the latest date of each category a coded
    state reads. `is_category(codelist, category)` is a boolean expression over `coded`'s rows; `only` names
    the states wanted (default all)."""
    aggregates = {}
    for state in _chosen(only):
        aggregates[f"{state.name}_started"] = coded.date.max(where=is_category(state.codelist, state.starts))
        if state.ends:
            aggregates[f"{state.name}_ended"] = coded.date.max(where=is_category(state.codelist, state.ends))
    return aggregates


def latest_says_yes_expr(last_start, last_end):
    """`latest_says_yes` as an Ibis expression."""
    if last_end is None:
        return last_start.notnull()
    return last_start.notnull() & (last_end.isnull() | (last_start > last_end))


def coded_state_values(summary, only: Iterable[str] | None = None) -> dict:
    """name -> boolean expression, from a table holding `coded_state_aggregates`."""
    return {
        state.name: latest_says_yes_expr(
            summary[f"{state.name}_started"], summary[f"{state.name}_ended"] if state.ends else None
        )
        for state in _chosen(only)
    }


def carer_relationships(relationships, before: dt.date):
    """nhs_number of everyone with a carer_of relationship counted before `before` (undated ones count)."""
    import ibis

    rel = relationships
    counted = rel.filter(
        rel.relationship == "carer_of", rel.start_date.isnull() | (rel.start_date < ibis.date(before))
    )
    return counted.select("nhs_number").distinct()


def known_to_social_care(social_care, before: dt.date):
    """nhs_number of everyone with a social care record (assessment or service) started before `before`."""
    import ibis

    started = social_care.filter(social_care.start_date < ibis.date(before))
    return started.select("nhs_number").distinct()
