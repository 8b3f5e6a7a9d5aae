"""Carers and next of kin (relationships), and council adult social care (assessments and services)."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .codes import carer_codes
from .columns import EventLog, dates, numbered_ids, strings
from .conditions import CONDITION_INDEX, Conditions, sigmoid
from .frailty import Frailty
from .population import Cohort
from .tariff import Tariff
from .timeline import NEVER, Timeline

SERVICE_KINDS = (
    "home_care",
    "day_care",
    "residential_care",
    "nursing_care",
    "reablement",
    "telecare",
    "equipment",
)
ASSESSMENT_KINDS = ("care_act_assessment", "carers_assessment", "review")
KINDS = SERVICE_KINDS + ASSESSMENT_KINDS
FUNDING = ("personal_budget", "direct_payment", "council_managed", "self_funded")
COMMUNITY_FUNDING_SHARES = (0.25, 0.2, 0.4, 0.15)
CARE_HOME_FUNDING_SHARES = (0.1, 0.0, 0.55, 0.35)
REABLEMENT_DAYS = 42


@dataclass
class Carers:
    carer: np.ndarray  # person index of each carer
    cared_for: np.ndarray  # person index they care for (-1 for someone outside the area)
    since: np.ndarray  # day caring started
    relationships: pa.Table


def draw_carers(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    frailty: Frailty,
    death: np.ndarray,
    timeline: Timeline,
    events: EventLog,
    schema: pa.Schema,
) -> Carers:
    n = cohort.size
    age = cohort.age
    alive = death >= timeline.index
    at_index = conditions.present_on(timeline.index)
    dementia = at_index[:, CONDITION_INDEX["Dementia"]]
    disability = at_index[:, CONDITION_INDEX["Learning disability"]]
    needs_care = alive & (
        dementia | disability | (frailty.housebound_on < timeline.index) | (frailty.deficits_at_index >= 3)
    )
    cared_for = np.flatnonzero(needs_care & (rng.random(n) < 0.45))
    can_care = np.flatnonzero(alive & ~needs_care & (age >= 25) & (age < 85))
    cared_for = cared_for[: len(can_care)]
    carer = rng.choice(can_care, size=len(cared_for), replace=False)
    # Some carers look after someone who lives elsewhere: coded as carers, with no link here.
    elsewhere = np.setdiff1d(can_care[rng.random(len(can_care)) < 0.02], carer)
    carer_all = np.concatenate([carer, elsewhere])
    cared_all = np.concatenate([cared_for, np.full(len(elsewhere), -1)])
    since = timeline.index - 1 - np.floor(rng.exponential(3 * 365.25, len(carer_all))).astype(np.int64)
    since = np.maximum(since, cohort.date_of_birth[carer_all] + 18 * 365)
    since = np.maximum(since, np.where(cared_all >= 0, cohort.date_of_birth[np.maximum(cared_all, 0)], 0))
    ids = events.code_ids(carer_codes())
    events.add(carer_all, since, ids[rng.integers(0, len(ids), len(carer_all))])

    # Next of kin: every cared-for person's carer, and for many older people another adult.
    older = np.flatnonzero((age >= 65) & (rng.random(n) < 0.5))
    adults = np.flatnonzero(alive & (age >= 30) & (age < 80))
    kin = adults[rng.integers(0, len(adults), len(older))] if len(adults) else np.zeros(0, dtype=np.int64)
    keep = (kin != older) if len(adults) else np.zeros(0, dtype=bool)
    kin_of, kin = older[keep], kin[keep]
    kin_since = np.maximum(cohort.registration_date[kin_of], cohort.date_of_birth[kin] + 18 * 365)

    person = np.concatenate([carer, carer, kin])
    related = np.concatenate([cared_for, cared_for, kin_of])
    kind = np.concatenate(
        [np.zeros(len(carer), dtype=np.int64), np.ones(len(carer) + len(kin), dtype=np.int64)]
    )
    start = np.concatenate([since[: len(carer)], since[: len(carer)], kin_since])
    order = np.lexsort((kind, related, person))
    relationships = pa.Table.from_arrays(
        [
            cohort.nhs_numbers.take(pa.array(person[order])),
            cohort.nhs_numbers.take(pa.array(related[order])),
            strings(("carer_of", "next_of_kin_of"), kind[order]),
            dates(start[order]),
        ],
        schema=schema,
    )
    return Carers(carer=carer_all, cared_for=cared_all, since=since, relationships=relationships)


def draw_social_care(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    frailty: Frailty,
    carers: Carers,
    death: np.ndarray,
    timeline: Timeline,
    tariff: Tariff,
    chunk: int,
    schema: pa.Schema,
) -> tuple[pa.Table, np.ndarray]:
    """The social care table and, per person, whether a service was running on the index date."""
    n = cohort.size
    age = cohort.age
    alive_until = timeline.observed_until(death)
    at_index = conditions.present_on(timeline.index)
    lin = (
        -4.6
        + 0.075 * (age - 65)
        + 0.5 * cohort.hidden_frailty
        + 0.6 * (frailty.lives_alone_on < timeline.index)
        + 1.0 * (frailty.housebound_on < timeline.index)
        + 1.0 * at_index[:, CONDITION_INDEX["Dementia"]]
        + 2.8 * at_index[:, CONDITION_INDEX["Learning disability"]]
        + 0.8 * at_index[:, CONDITION_INDEX["Serious mental illness"]]
        + 0.2 * frailty.deficits_at_index
    )
    client = (age >= 18) & (rng.random(n) < sigmoid(lin))
    first = np.where(
        rng.random(n) < 0.12,
        timeline.index + rng.integers(0, 365, n),
        timeline.index - 1 - np.floor(rng.exponential(2.5 * 365.25, n)).astype(np.int64),
    )
    first = np.maximum(first, cohort.date_of_birth + 18 * 365)
    client &= first <= alive_until
    who = np.flatnonzero(client)
    start = first[who]

    # Services: one or two per client, care homes for the oldest and most impaired.
    care_home_lean = 0.04 * np.maximum(age[who] - 70, 0) + 1.2 * at_index[who, CONDITION_INDEX["Dementia"]]
    weights = np.stack(
        [
            np.full(len(who), 0.42),
            np.full(len(who), 0.08),
            0.05 * np.exp(care_home_lean),
            0.025 * np.exp(care_home_lean),
            np.full(len(who), 0.12),
            np.full(len(who), 0.12),
            np.full(len(who), 0.08),
        ],
        axis=1,
    )
    services = 1 + (rng.random(len(who)) < 0.35)
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    ranked = np.argsort(-keys, axis=1)
    row, rank = np.nonzero(np.arange(len(SERVICE_KINDS))[None, :] < services[:, None])
    s_person = who[row]
    s_kind = ranked[row, rank]
    s_start = start[row] + rng.integers(7, 43, len(row))
    kept = s_start <= alive_until[s_person]
    s_person, s_kind, s_start = s_person[kept], s_kind[kept], s_start[kept]
    ended = rng.random(len(s_person)) < 0.25
    s_end = np.where(
        ended, s_start + 28 + np.floor(rng.exponential(365, len(s_person))).astype(np.int64), NEVER
    )
    s_end = np.where(SERVICE_KINDS.index("reablement") == s_kind, s_start + REABLEMENT_DAYS, s_end)
    s_end = np.where(s_end > timeline.follow_up_end, NEVER, s_end)
    s_end = np.minimum(s_end, death[s_person])
    weekly_base = np.array([getattr(tariff, f"{kind}_weekly") for kind in SERVICE_KINDS])
    noise = np.where(np.isin(s_kind, [5, 6]), 1.0, np.exp(0.25 * rng.standard_normal(len(s_person))))
    weekly = np.round(weekly_base[s_kind] * noise, 2)
    care_home = np.isin(s_kind, [2, 3])
    funding = np.where(
        care_home,
        rng.choice(len(FUNDING), len(s_person), p=CARE_HOME_FUNDING_SHARES),
        rng.choice(len(FUNDING), len(s_person), p=COMMUNITY_FUNDING_SHARES),
    )
    using_at_index = np.zeros(n, dtype=bool)
    running = (s_start < timeline.index) & (s_end >= timeline.index)
    using_at_index[s_person[running]] = True

    # Assessments: a Care Act assessment before services, yearly reviews, carers' assessments for some carers.
    review_count = np.floor((alive_until[who] - start) / 365.25).astype(np.int64).clip(0, 6)
    r_row = np.repeat(np.arange(len(who)), review_count)
    r_day = start[r_row] + 365 * (
        np.arange(len(r_row)) - np.repeat(np.cumsum(review_count) - review_count, review_count) + 1
    )
    assessed = rng.random(len(carers.carer)) < 0.3
    c_person = carers.carer[assessed]
    c_day = carers.since[assessed] + rng.integers(30, 700, assessed.sum())
    c_keep = c_day <= alive_until[c_person]
    c_person, c_day = c_person[c_keep], c_day[c_keep]

    a_person = np.concatenate([who, who[r_row], c_person])
    a_kind = np.concatenate([np.full(len(who), 7), np.full(len(r_row), 9), np.full(len(c_person), 8)])
    a_day = np.concatenate([start, r_day, c_day])

    person = np.concatenate([s_person, a_person])
    kind = np.concatenate([s_kind, a_kind])
    begin = np.concatenate([s_start, a_day])
    end = np.concatenate([s_end, a_day])
    cost = np.concatenate([weekly, np.zeros(len(a_person))])
    fund = np.concatenate([funding, np.full(len(a_person), -1)])
    order = np.lexsort((kind, begin, person))
    person, kind, begin, end, cost, fund = (a[order] for a in (person, kind, begin, end, cost, fund))
    is_assessment = kind >= len(SERVICE_KINDS)
    table = pa.Table.from_arrays(
        [
            cohort.nhs_numbers.take(pa.array(person)),
            numbered_ids(f"SC{chunk:04d}", 0, len(person), 8),
            strings(("service", "assessment"), is_assessment.astype(np.int64)),
            strings(KINDS, kind),
            dates(begin),
            dates(end),
            pa.array(cost, type=pa.float64()),
            strings(FUNDING, np.maximum(fund, 0), null_where=is_assessment),
        ],
        schema=schema,
    )
    return table, using_at_index
