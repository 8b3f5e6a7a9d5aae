"""Hospital activity (A&E, emergency and elective admissions) and the true admission risk behind it.

Each person's log-odds of an emergency admission in a year is a sum of things a GP record shows
(age, conditions, frailty deficits, falls, deprivation, living alone, social care) plus a persistent
hidden term. The same log-odds drives admissions and A&E attendances in the three years before the
index date and in the year after, so earlier activity reveals part of the hidden term. The truth table
holds the probability for the year after; realised follow-up admissions are drawn from exactly it.

The hidden term mixes the person's hidden frailty (which also drives their conditions, deficits, falls
and death) with noise of their own. The weights are tuned so that about 6% of adults have an emergency
admission a year, the truth's AUROC is about 0.85, and a simple model on earlier data reaches about 0.95
of that (`benchmarks/synth.py --model-check`).
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .columns import dates, numbered_ids, strings
from .conditions import CONDITION_INDEX, Conditions, sigmoid
from .frailty import Frailty
from .population import Cohort
from .tariff import Tariff
from .timeline import Timeline, poisson_days

BASELINE_LOG_ODDS = -4.75
HIDDEN_WEIGHT = 0.8
MAX_WALK_IN_AE_PER_YEAR = 12.0  # frequent attenders, but not daily
CONDITION_WEIGHTS = {
    "COPD": 0.7,
    "Heart failure": 0.75,
    "Diabetes": 0.25,
    "Chronic kidney disease": 0.3,
    "Dementia": 0.45,
    "Cancer": 0.55,
    "Atrial fibrillation": 0.2,
    "Serious mental illness": 0.5,
}
# Diagnoses on emergency admissions: the person's own condition when they have one of these...
CONDITION_DIAGNOSES = {
    "COPD": "13645005",
    "Heart failure": "84114007",
    "Asthma": "195967001",
    "Atrial fibrillation": "49436004",
    "Diabetes": "44054006",
    "Stroke and TIA": "230690007",
    "Coronary heart disease": "22298006",
    "Epilepsy": "84757009",
}
# ...otherwise a common acute reason (pneumonia, UTI, chest pain, cellulitis, sepsis, fall, hip fracture, AKI)
ACUTE_DIAGNOSES = (
    "233604007",
    "68566005",
    "29857009",
    "128045006",
    "91302008",
    "1912002",
    "5913000",
    "14669001",
)
AE_DIAGNOSES = ("82271004", "29857009", "21522001", "1912002", "267036007", "125605004")
ELECTIVE_DIAGNOSES = ("193570009", "396232000", "235919008", "363346000", "396275006")
DIAGNOSES = list(
    dict.fromkeys([*CONDITION_DIAGNOSES.values(), *ACUTE_DIAGNOSES, *AE_DIAGNOSES, *ELECTIVE_DIAGNOSES])
)
DIAGNOSIS_POSITION = {code: i for i, code in enumerate(DIAGNOSES)}
SETTINGS = ("ae", "inpatient")
METHODS = ("emergency", "elective")


@dataclass
class Risk:
    log_odds: np.ndarray  # for the year after the index date
    hidden: np.ndarray  # the part no record shows (standard normal)
    truth: np.ndarray  # probability of at least one emergency admission in that year (0 if dead before)


def true_risk(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    frailty: Frailty,
    using_social_care: np.ndarray,
    death: np.ndarray,
    timeline: Timeline,
) -> Risk:
    age = cohort.age
    at_index = conditions.present_on(timeline.index - 1)
    hidden = 0.5 * cohort.hidden_frailty + np.sqrt(0.75) * rng.standard_normal(cohort.size)
    lin = (
        BASELINE_LOG_ODDS
        + 0.038 * np.maximum(age - 40, 0)
        + np.where(age < 1, 1.6, np.where(age < 5, 0.6, 0.0))
        + 0.2 * np.minimum(at_index.sum(axis=1), 8)
        + sum(w * at_index[:, CONDITION_INDEX[g]] for g, w in CONDITION_WEIGHTS.items())
        + 0.15 * np.minimum(frailty.deficits_at_index, 8)
        + 0.4 * np.minimum(frailty.falls_last_year, 3)
        + 0.6 * cohort.deprivation
        + 0.25 * (frailty.lives_alone_on < timeline.index)
        + 0.4 * (frailty.housebound_on < timeline.index)
        + 0.45 * using_social_care
        + HIDDEN_WEIGHT * hidden
    )
    truth = np.where(death >= timeline.index, sigmoid(lin), 0.0)
    return Risk(log_odds=lin, hidden=hidden, truth=truth)


def _stays(rng, n: int, age: np.ndarray, emergency: bool) -> np.ndarray:
    if emergency:
        same_day = rng.random(n) < np.where(age >= 75, 0.15, 0.35)
        days = np.ceil(rng.gamma(1.1, 2.0 + np.maximum(age, 0) / 12, n))
    else:
        same_day = rng.random(n) < 0.7
        days = 1 + rng.integers(0, 6, n)
    return np.where(same_day, 0, np.minimum(days, 120)).astype(np.int64)


def draw_hospital(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    risk: Risk,
    death: np.ndarray,
    timeline: Timeline,
    tariff: Tariff,
    chunk: int,
    schema: pa.Schema,
) -> pa.Table:
    n = cohort.size
    age = cohort.age
    last_day = np.minimum(death, timeline.follow_up_end)

    # Emergency admissions, one year at a time: three years of history, then follow-up (year 0).
    e_person, e_start, e_end = [], [], []
    for years_back in (3, 2, 1, 0):
        year_start = timeline.index - 365 * years_back
        window_start = np.maximum(year_start, cohort.date_of_birth)
        window_end = np.minimum(year_start + 364, last_day)
        alive = window_end >= window_start
        if years_back == 0:
            p = risk.truth
        else:
            noise = 0.15 * rng.standard_normal(n)
            p = sigmoid(risk.log_odds - 0.03 * years_back * (age > 40) + noise)
        admitted = alive & (rng.random(n) < p)
        who = np.flatnonzero(admitted)
        start = window_start[who] + np.floor(rng.random(len(who)) * (window_end[who] - window_start[who] + 1))
        start = start.astype(np.int64)
        stay_end = np.minimum(start + _stays(rng, len(who), age[who], True), death[who])
        e_person.append(who)
        e_start.append(start)
        e_end.append(stay_end)
        # Further admissions that year: some are readmissions within 30 days of discharge.
        extra = rng.poisson(0.25 + 2.0 * p[who])
        for k in range(1, 5):
            more = extra >= k
            who, start, stay_end, extra = who[more], start[more], stay_end[more], extra[more]
            readmit = rng.random(len(who)) < 0.4
            gap = np.where(readmit, rng.integers(1, 30, len(who)), rng.integers(30, 250, len(who)))
            start = stay_end + gap
            inside = start <= window_end[who]
            who, start, extra = who[inside], start[inside], extra[inside]
            stay_end = np.minimum(start + _stays(rng, len(who), age[who], True), death[who])
            e_person.append(who)
            e_start.append(start)
            e_end.append(stay_end)
    e_person, e_start, e_end = (np.concatenate(a) for a in (e_person, e_start, e_end))
    bed_days = e_end - e_start
    e_cost = tariff.emergency_admission_base + tariff.emergency_bed_day * bed_days
    e_diag = _admission_diagnoses(rng, conditions, e_person, e_start)

    # A&E: most emergency admissions arrive through A&E, and people attend without being admitted.
    via_ae = rng.random(len(e_person)) < 0.7
    observed_from = timeline.observed_from(cohort.date_of_birth)
    ae_rate = 0.2 * np.exp(0.5 * (risk.log_odds - BASELINE_LOG_ODDS) + 0.4 * risk.hidden - 0.7)
    ae_rate = np.minimum(ae_rate, MAX_WALK_IN_AE_PER_YEAR)
    walk_in_person, walk_in = poisson_days(rng, observed_from, last_day, ae_rate)
    a_person = np.concatenate([e_person[via_ae], walk_in_person])
    a_start = np.concatenate([e_start[via_ae], walk_in])
    walk_in_diag = np.where(
        rng.random(len(walk_in)) < 0.6, -1, rng.integers(0, len(AE_DIAGNOSES), len(walk_in))
    )
    a_diag = np.concatenate([np.full(via_ae.sum(), -1), walk_in_diag])

    # Elective admissions: mostly day cases; more with age, cancer and osteoarthritis.
    at_index = conditions.present_on(timeline.index)
    cancer = at_index[:, CONDITION_INDEX["Cancer"]]
    arthritis = at_index[:, CONDITION_INDEX["Osteoarthritis"]]
    elective_rate = 0.04 + 0.0025 * np.maximum(age - 40, 0) + 0.4 * cancer + 0.1 * arthritis
    l_person, l_start = poisson_days(rng, observed_from, last_day, elective_rate)
    l_end = np.minimum(l_start + _stays(rng, len(l_person), age[l_person], False), death[l_person])
    l_diag = rng.integers(0, len(ELECTIVE_DIAGNOSES), len(l_person))
    l_diag = np.where(cancer[l_person] & (rng.random(len(l_person)) < 0.6), 3, l_diag)
    l_diag = np.where(rng.random(len(l_person)) < 0.15, -1, l_diag)

    ae_codes = np.array([DIAGNOSIS_POSITION[c] for c in AE_DIAGNOSES])
    elective_codes = np.array([DIAGNOSIS_POSITION[c] for c in ELECTIVE_DIAGNOSES])

    person = np.concatenate([e_person, a_person, l_person])
    setting = np.concatenate(
        [np.ones(len(e_person)), np.zeros(len(a_person)), np.ones(len(l_person))]
    ).astype(np.int64)
    method = np.concatenate(
        [np.zeros(len(e_person)), np.full(len(a_person), -1), np.ones(len(l_person))]
    ).astype(np.int64)
    start = np.concatenate([e_start, a_start, l_start])
    end = np.concatenate([e_end, a_start, l_end])
    diagnosis = np.concatenate(
        [
            e_diag,
            np.where(a_diag >= 0, ae_codes[np.maximum(a_diag, 0)], -1),
            np.where(l_diag >= 0, elective_codes[np.maximum(l_diag, 0)], -1),
        ]
    )
    cost = np.concatenate(
        [
            e_cost,
            np.full(len(a_person), tariff.ae_attendance),
            np.full(len(l_person), tariff.elective_admission),
        ]
    )
    order = np.lexsort((setting, start, person))
    person, setting, method, start, end, diagnosis, cost = (
        a[order] for a in (person, setting, method, start, end, diagnosis, cost)
    )
    return pa.Table.from_arrays(
        [
            cohort.nhs_numbers.take(pa.array(person)),
            numbered_ids(f"H{chunk:04d}", 0, len(person), 8),
            strings(SETTINGS, setting),
            strings(METHODS, np.maximum(method, 0), null_where=method < 0),
            dates(start),
            dates(end),
            strings(DIAGNOSES, np.maximum(diagnosis, 0), null_where=diagnosis < 0),
            pa.array(cost.astype(np.float64), type=pa.float64()),
        ],
        schema=schema,
    )


def _admission_diagnoses(rng, conditions: Conditions, person: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Half the time the person's own relevant condition (if any), else a common acute reason; some unknown.

    Returns positions in DIAGNOSES, -1 for unknown."""
    columns = [CONDITION_INDEX[g] for g in CONDITION_DIAGNOSES]
    own_codes = np.array([DIAGNOSIS_POSITION[c] for c in CONDITION_DIAGNOSES.values()])
    acute_codes = np.array([DIAGNOSIS_POSITION[c] for c in ACUTE_DIAGNOSES])
    has = conditions.diagnosed_on[person][:, columns] <= start[:, None]
    keys = np.where(has, rng.gumbel(size=has.shape), -np.inf)
    own = own_codes[np.argmax(keys, axis=1)]
    use_own = has.any(axis=1) & (rng.random(len(person)) < 0.5)
    acute = acute_codes[rng.integers(0, len(ACUTE_DIAGNOSES), len(person))]
    return np.where(rng.random(len(person)) < 0.08, -1, np.where(use_own, own, acute))
