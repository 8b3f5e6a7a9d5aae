"""Long-term conditions, deaths, frailty deficits, falls and social findings for a cohort."""

from dataclasses import dataclass
from functools import cache

import numpy as np

from .population import AGE_BAND_SHARES, FEMALE_SHARE, Cohort
from .timeline import NEVER, Timeline


def sigmoid(log_odds: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-log_odds))


@dataclass(frozen=True)
class ConditionSpec:
    """How common a long-term condition is: overall prevalence in England, and how it rises.

    Logit of having it at the index date = intercept (solved so the whole population hits `prevalence`)
    + age_slope per decade from 60 + deprivation (0..1) + hidden frailty + log(female odds ratio).
    """

    group: str  # the condition as named in the long_term_conditions codelist
    prevalence: float
    age_slope: float
    min_age: float = 0.0
    female_odds: float = 1.0
    deprivation: float = 0.5
    frailty: float = 0.35
    code_weights: tuple[float, ...] = (1.0,)


CONDITIONS: tuple[ConditionSpec, ...] = (
    ConditionSpec("Hypertension", 0.14, 0.75, min_age=18, code_weights=(0.3, 0.7)),
    ConditionSpec("Diabetes", 0.07, 0.55, min_age=5, deprivation=0.9, code_weights=(0.9, 0.1)),
    ConditionSpec("Asthma", 0.06, -0.05, min_age=2, deprivation=0.4),
    ConditionSpec("COPD", 0.02, 0.75, min_age=35, deprivation=1.4, frailty=0.5),
    ConditionSpec("Heart failure", 0.01, 1.0, min_age=30, frailty=0.5),
    ConditionSpec("Chronic kidney disease", 0.04, 1.05, min_age=18),
    ConditionSpec("Atrial fibrillation", 0.02, 1.05, min_age=30, female_odds=0.75, deprivation=0.1),
    ConditionSpec("Coronary heart disease", 0.03, 0.9, min_age=30, female_odds=0.55, code_weights=(0.6, 0.4)),
    ConditionSpec("Dementia", 0.008, 1.5, min_age=50, female_odds=1.3, code_weights=(0.6, 0.4)),
    ConditionSpec("Depression", 0.12, 0.0, min_age=12, female_odds=1.8, deprivation=0.8),
    ConditionSpec("Serious mental illness", 0.01, 0.0, min_age=16, deprivation=1.0, code_weights=(0.5, 0.5)),
    ConditionSpec("Cancer", 0.03, 0.75, min_age=0),
    ConditionSpec("Stroke and TIA", 0.02, 0.95, min_age=30, code_weights=(0.6, 0.4)),
    ConditionSpec("Osteoarthritis", 0.09, 0.85, min_age=30, female_odds=1.5),
    ConditionSpec("Rheumatoid arthritis", 0.008, 0.4, min_age=18, female_odds=2.5),
    ConditionSpec("Osteoporosis", 0.02, 1.1, min_age=40, female_odds=4.0),
    ConditionSpec("Parkinson's disease", 0.003, 1.2, min_age=40, female_odds=0.65),
    ConditionSpec("Epilepsy", 0.008, 0.0, min_age=0, deprivation=0.6),
    ConditionSpec("Learning disability", 0.005, -0.2, min_age=0, deprivation=0.6),
)
CONDITION_INDEX = {spec.group: i for i, spec in enumerate(CONDITIONS)}


def _reference_grid() -> tuple[np.ndarray, ...]:
    """Quadrature over England's age/sex mix, deprivation deciles and the hidden frailty's normal."""
    ages, age_weights, female_shares = [], [], []
    for band, share in enumerate(AGE_BAND_SHARES):
        years = np.arange(5) + 0.5 if band < len(AGE_BAND_SHARES) - 1 else np.array([0.5, 1.5, 2.5, 3.5])
        w = np.ones(len(years)) if band < len(AGE_BAND_SHARES) - 1 else np.exp(-years / 0.9)
        ages.append(band * 5 + years)
        age_weights.append(share * w / w.sum())
        female_shares.append(np.full(len(years), FEMALE_SHARE[band]))
    age = np.concatenate(ages)
    age_w = np.concatenate(age_weights)
    fem = np.concatenate(female_shares)
    h, h_w = np.polynomial.hermite_e.hermegauss(11)
    h_w = h_w / h_w.sum()
    dep = (10 - np.arange(1, 11)) / 9
    a, f, d, z = np.meshgrid(np.arange(len(age)), [0, 1], dep, np.arange(len(h)), indexing="ij")
    weight = age_w[a] * np.where(f == 1, fem[a], 1 - fem[a]) * (1 / 10) * h_w[z]
    return age[a].ravel(), f.ravel().astype(bool), d.ravel(), h[z].ravel(), weight.ravel()


def _linear(spec: ConditionSpec, age, female, dep, h) -> np.ndarray:
    return (
        spec.age_slope * (age - 60) / 10
        + spec.deprivation * dep
        + spec.frailty * h
        + np.log(spec.female_odds) * female
    )


@cache
def condition_intercepts() -> np.ndarray:
    age, female, dep, h, weight = _reference_grid()
    intercepts = []
    for spec in CONDITIONS:
        lin = _linear(spec, age, female, dep, h)
        eligible = age >= spec.min_age
        lo, hi = -20.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            prevalence = np.sum(weight * eligible * sigmoid(mid + lin))
            lo, hi = (mid, hi) if prevalence < spec.prevalence else (lo, mid)
        intercepts.append((lo + hi) / 2)
    return np.array(intercepts)


def condition_probabilities(cohort: Cohort) -> np.ndarray:
    """(people x conditions) probability of having each condition at the index date."""
    intercepts = condition_intercepts()
    probs = np.empty((cohort.size, len(CONDITIONS)))
    dep = cohort.deprivation
    for j, spec in enumerate(CONDITIONS):
        lin = intercepts[j] + _linear(spec, cohort.age, cohort.female, dep, cohort.hidden_frailty)
        probs[:, j] = np.where(cohort.age >= spec.min_age, sigmoid(lin), 0.0)
    return probs


@dataclass
class Conditions:
    diagnosed_on: np.ndarray  # (people x conditions) day numbers, NEVER where not diagnosed
    code_choice: np.ndarray  # (people x conditions) which of the condition's codes was recorded

    def present_on(self, day: int) -> np.ndarray:
        return self.diagnosed_on <= day


def draw_conditions(rng: np.random.Generator, cohort: Cohort, timeline: Timeline) -> Conditions:
    probs = condition_probabilities(cohort)
    n, k = probs.shape
    has = rng.random((n, k)) < probs
    # Years since diagnosis: recent diagnoses commoner, never before the condition's minimum age.
    min_ages = np.array([spec.min_age for spec in CONDITIONS])
    room = np.maximum(cohort.age[:, None] - min_ages[None, :], 0.05)
    years_before = np.minimum(rng.exponential(7.0, (n, k)), room * rng.random((n, k)))
    diagnosed = timeline.index - 1 - np.floor(years_before * 365.25).astype(np.int64)
    # New diagnoses during follow-up, at about a twentieth of the person's prevalence risk.
    incident = ~has & (rng.random((n, k)) < probs * 0.05)
    follow_up_day = timeline.index + rng.integers(0, timeline.follow_up_end - timeline.index + 1, (n, k))
    diagnosed = np.where(has, diagnosed, np.where(incident, follow_up_day, NEVER))
    code_choice = np.zeros((n, k), dtype=np.int64)
    for j, spec in enumerate(CONDITIONS):
        if len(spec.code_weights) > 1:
            code_choice[:, j] = rng.choice(len(spec.code_weights), size=n, p=spec.code_weights)
    return Conditions(diagnosed_on=diagnosed, code_choice=code_choice)


def draw_deaths(
    rng: np.random.Generator, cohort: Cohort, conditions: Conditions, timeline: Timeline
) -> np.ndarray:
    """Day of death (NEVER if alive at the end of follow-up), during history or follow-up."""
    n_conditions = conditions.present_on(timeline.index).sum(axis=1)
    annual = np.exp(-4.6 + 0.105 * (cohort.age - 65) + 0.3 * cohort.hidden_frailty + 0.12 * n_conditions)
    annual = np.where(cohort.age < 1, 0.004, np.minimum(annual, 0.6))
    born_by = timeline.observed_from(cohort.date_of_birth)
    span = timeline.follow_up_end - born_by + 1
    dies = rng.random(cohort.size) < 1 - (1 - annual) ** (span / 365.25)
    day = born_by + np.floor(rng.random(cohort.size) * span).astype(np.int64)
    death = np.where(dies, day, NEVER)
    # Nothing is diagnosed after death; diagnoses found only then are dropped.
    conditions.diagnosed_on = np.where(
        conditions.diagnosed_on < death[:, None], conditions.diagnosed_on, NEVER
    )
    return death
