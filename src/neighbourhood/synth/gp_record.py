"""GP record events for diagnoses and measurements: codes, dates and values."""

import numpy as np

from .codes import COPD_EXACERBATION, HBA1C, SYSTOLIC_BP, condition_codes
from .columns import EventLog
from .conditions import CONDITION_INDEX, Conditions
from .population import Cohort
from .timeline import NEVER, Timeline, poisson_days


def record_diagnoses(conditions: Conditions, events: EventLog) -> None:
    for j, codes in enumerate(condition_codes()):
        who = np.flatnonzero(conditions.diagnosed_on[:, j] != NEVER)
        ids = events.code_ids(codes)
        events.add(who, conditions.diagnosed_on[who, j], ids[conditions.code_choice[who, j]])


def record_measurements(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    death: np.ndarray,
    timeline: Timeline,
    events: EventLog,
) -> None:
    n = cohort.size
    alive_until = timeline.observed_until(death)
    h = cohort.hidden_frailty

    # Systolic BP: people with hypertension often (some poorly controlled), other adults over 40 now and then.
    hypertension_on = conditions.diagnosed_on[:, CONDITION_INDEX["Hypertension"]]
    hypertensive = hypertension_on != NEVER
    start = np.maximum(
        np.where(hypertensive, hypertension_on, 0), timeline.observed_from(cohort.date_of_birth)
    )
    per_year = np.where(hypertensive, 1.4, np.where(cohort.age >= 40, 0.3, 0.0))
    usual = np.where(hypertensive, 137 + 14 * rng.standard_normal(n), 124 + 10 * rng.standard_normal(n))
    person, day = poisson_days(rng, start, alive_until, per_year)
    value = np.rint(usual[person] + 9 * rng.standard_normal(len(person)))
    events.add_code(person, day, SYSTOLIC_BP, np.clip(value, 80, 240))

    # HbA1c (mmol/mol) for people with diabetes, higher with deprivation; a tail above 75.
    diabetes_on = conditions.diagnosed_on[:, CONDITION_INDEX["Diabetes"]]
    diabetic = diabetes_on != NEVER
    start = np.maximum(diabetes_on, timeline.history_start)
    usual = 50 * np.exp(0.25 * rng.standard_normal(n) + 0.12 * cohort.deprivation)
    person, day = poisson_days(rng, start, alive_until, np.where(diabetic, 1.8, 0.0))
    value = np.rint(usual[person] * np.exp(0.07 * rng.standard_normal(len(person))))
    events.add_code(person, day, HBA1C, np.clip(value, 30, 160))

    # COPD exacerbations, commoner in frailer people.
    copd_on = conditions.diagnosed_on[:, CONDITION_INDEX["COPD"]]
    start = np.maximum(copd_on, timeline.history_start)
    person, day = poisson_days(
        rng, start, alive_until, np.where(copd_on != NEVER, 0.6 * np.exp(0.5 * h), 0.0)
    )
    events.add_code(person, day, COPD_EXACERBATION)
