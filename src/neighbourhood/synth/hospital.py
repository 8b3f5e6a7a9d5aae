"""Hospital activity (A&E, emergency and elective admissions) and the true admission risk behind it.

Each person's log-odds of an emergency admission in a year is built from things a GP record shows, but not as
a plain sum of them (docs/data-model.md, "The truth"):

- age on a J-shaped, accelerating curve: high in infancy, lowest in childhood, rising slowly through adult
  life and about four times as fast after 65;
- conditions, frailty deficits, falls, deprivation, housebound, social care, and men over 50, with the effect
  of conditions shrinking with age (relative risks of disease attenuate in the very old);
- interactions: heart failure with chronic kidney disease (the cardiorenal syndrome), frailty or being
  housebound with living alone, dementia with living alone;
- a persistent hidden term: the person's hidden frailty (which also drives their conditions, deficits, falls
  and death) mixed with noise of their own;
- episodes of deterioration that no code records (`Declines`): each starts in the half-year before a year,
  raises the chance of an emergency admission in that year, and shows only in the trajectory before it, as
  more GP consultations and A&E attendances.

The same recipe gives the log-odds of each of the three years before the index date and of the year after,
each from the person's state at that year's start (age, conditions, deficits, falls, findings then), so a
record read on any date shows what drives the following year; the hidden term is shared by every year (so
earlier admissions reveal part of it), and each year adds its own deteriorations. The truth table holds the
probability for the year after; realised follow-up admissions are drawn from exactly it.

The effect sizes are chosen as clinically plausible odds ratios (about 2 for heart failure, 1.6 more for heart
failure with CKD, 3 for a deterioration), not fitted to make any model do well; only the baseline is set so
that about 6% of adults have an emergency admission a year.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .columns import dates, numbered_ids, strings
from .conditions import CONDITION_INDEX, Conditions, sigmoid
from .frailty import Frailty
from .population import Cohort
from .tariff import Tariff
from .timeline import NEVER, Timeline, poisson_days

BASELINE_LOG_ODDS = -4.6
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


YEARS_BACK = (3, 2, 1, 0)  # the years drawn: three of history, then follow-up (the columns of Declines)
# deteriorations: when they start before a year, how long the extra contacts last, what they add
DECLINE_LEAD_DAYS = 150  # start up to five months before the year
DECLINE_DAYS_INTO_YEAR = 90  # extra contacts go on three months into it
DECLINE_WEIGHT = 1.1  # odds ratio 3 for an emergency admission in the year
DECLINE_GP_FACTOR = 3.0  # GP consultations three times as often
DECLINE_AE_FACTOR = 3.0  # A&E attendances three times as often...
DECLINE_AE_EXTRA_PER_YEAR = 0.75  # ...and at least this many more a year, for people who rarely attend


@dataclass
class Declines:
    """Episodes of deterioration no code records: column k is one that starts before the year YEARS_BACK[k]
    years before the index date (0: follow-up), as a day number, NEVER where none starts."""

    onset: np.ndarray  # (people x len(YEARS_BACK))
    index: int  # the index date's day number

    def declining(self) -> np.ndarray:
        """(people x years) whether a deterioration raises that year's risk."""
        return self.onset != NEVER

    def windows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(person, first day, last day) of each episode's extra GP and A&E contacts."""
        person, year = np.nonzero(self.declining())
        year_start = self.index - 365 * np.asarray(YEARS_BACK)[year]
        return person, self.onset[person, year], year_start + DECLINE_DAYS_INTO_YEAR - 1


@dataclass
class Risk:
    log_odds: np.ndarray  # for the year after the index date
    steady_log_odds: np.ndarray  # (people x YEARS_BACK) each year's, from the state then, without declines
    hidden: np.ndarray  # the part no record shows (standard normal)
    truth: np.ndarray  # probability of at least one emergency admission in that year (0 if dead before)
    declines: Declines


def age_log_odds(age: np.ndarray) -> np.ndarray:
    """J-shaped and accelerating: infants are admitted often, children least; then a slow rise through adult
    life that steepens about fourfold after 65 (age-specific emergency admission rates in England roughly
    double with each decade past 65)."""
    return (
        np.where(age < 1, 1.6, np.where(age < 5, 0.6, 0.0))
        + 0.012 * np.maximum(age - 30, 0)
        + 0.045 * np.maximum(age - 65, 0)
    )


def draw_declines(rng: np.random.Generator, cohort: Cohort, timeline: Timeline) -> Declines:
    """Adults, more often when older and frailer: about 3% a year at 60, 6% at 85."""
    n = cohort.size
    chance = (cohort.age >= 18) * sigmoid(-3.5 + 0.03 * (cohort.age - 60) + 0.4 * cohort.hidden_frailty)
    starts = rng.random((n, len(YEARS_BACK))) < chance[:, None]
    year_start = timeline.index - 365 * np.asarray(YEARS_BACK)[None, :]
    onset = year_start - rng.integers(1, DECLINE_LEAD_DAYS + 1, (n, len(YEARS_BACK)))
    return Declines(onset=np.where(starts, onset, NEVER), index=timeline.index)


def _steady_log_odds(
    cohort: Cohort,
    conditions: Conditions,
    frailty: Frailty,
    using_social_care: np.ndarray,
    hidden: np.ndarray,
    day: int,
    years_back: int,
) -> np.ndarray:
    """The log-odds for the year starting on `day`, from the person's state then (so a record read then
    shows what drives that year), without that year's deterioration."""
    age = cohort.age - years_back
    at_start = conditions.present_on(day - 1)

    def has(condition: str) -> np.ndarray:
        return at_start[:, CONDITION_INDEX[condition]]

    lives_alone = frailty.lives_alone_on < day
    housebound = frailty.housebound_on < day
    deficits = frailty.deficits_before(day)
    frail = (deficits >= 4) | housebound
    # relative risks of disease shrink in the very old: conditions count for 65% of their weight at 90
    condition_scale = 1 - 0.35 * np.clip((age - 50) / 40, 0, 1)
    conditions_part = 0.2 * np.minimum(at_start.sum(axis=1), 8) + sum(
        w * has(g) for g, w in CONDITION_WEIGHTS.items()
    )
    return (
        BASELINE_LOG_ODDS
        + age_log_odds(age)
        + 0.15 * (~cohort.female & (age >= 50))
        + condition_scale * conditions_part
        + 0.45 * (has("Heart failure") & has("Chronic kidney disease"))  # the cardiorenal syndrome
        + 0.15 * np.minimum(deficits, 8)
        + 0.4 * np.minimum(frailty.falls_in_year_before(day), 3)
        + 0.6 * cohort.deprivation
        + 0.1 * lives_alone
        + 0.45 * (lives_alone & frail)  # nobody at home to notice or to help
        + 0.5 * (lives_alone & has("Dementia"))
        + 0.4 * housebound
        + 0.45 * using_social_care  # known at the index date only: the same every year
        + HIDDEN_WEIGHT * hidden
    )


def true_risk(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    frailty: Frailty,
    using_social_care: np.ndarray,
    death: np.ndarray,
    timeline: Timeline,
) -> Risk:
    hidden = 0.5 * cohort.hidden_frailty + np.sqrt(0.75) * rng.standard_normal(cohort.size)
    steady = np.column_stack(
        [
            _steady_log_odds(
                cohort, conditions, frailty, using_social_care, hidden, timeline.index - 365 * back, back
            )
            for back in YEARS_BACK
        ]
    )
    declines = draw_declines(rng, cohort, timeline)
    follow_up = YEARS_BACK.index(0)
    lin = steady[:, follow_up] + DECLINE_WEIGHT * declines.declining()[:, follow_up]
    truth = np.where(death >= timeline.index, sigmoid(lin), 0.0)
    return Risk(log_odds=lin, steady_log_odds=steady, hidden=hidden, truth=truth, declines=declines)


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
    declining = risk.declines.declining()
    for column, years_back in enumerate(YEARS_BACK):
        year_start = timeline.index - 365 * years_back
        window_start = np.maximum(year_start, cohort.date_of_birth)
        window_end = np.minimum(year_start + 364, last_day)
        alive = window_end >= window_start
        if years_back == 0:
            p = risk.truth
        else:
            noise = 0.15 * rng.standard_normal(n)
            p = sigmoid(risk.steady_log_odds[:, column] + DECLINE_WEIGHT * declining[:, column] + noise)
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
    steady = risk.steady_log_odds[:, YEARS_BACK.index(0)]
    ae_rate = 0.2 * np.exp(0.5 * (steady - BASELINE_LOG_ODDS) + 0.4 * risk.hidden - 0.7)
    ae_rate = np.minimum(ae_rate, MAX_WALK_IN_AE_PER_YEAR)
    walk_in_person, walk_in = poisson_days(rng, observed_from, last_day, ae_rate)
    # a deterioration shows as a run of A&E attendances from its start
    who, first, last = risk.declines.windows()
    extra_rate = (DECLINE_AE_FACTOR - 1) * ae_rate[who] + DECLINE_AE_EXTRA_PER_YEAR
    first, last = np.maximum(first, observed_from[who]), np.minimum(last, last_day[who])
    extra_person, extra_day = poisson_days(rng, first, last, extra_rate)
    walk_in_person = np.concatenate([walk_in_person, who[extra_person]])
    walk_in = np.concatenate([walk_in, extra_day])
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
