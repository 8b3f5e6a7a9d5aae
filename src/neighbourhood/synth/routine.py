"""Routine primary care: consultations and what they leave in the record (weights, blood tests, medication
reviews, smoking status, flu vaccinations), and the odd recorded concern about managing medicines.

Most of a real GP record is like this: codes that no case-finding rule reads. They give the events table a
realistic size (tens of entries per person a year, more with age and illness), so the benchmarks scan what a
real extract holds, and the record page shows a believable history. Codes: `routine_care.snomed.csv`.
"""

from functools import cache

import numpy as np

from neighbourhood.terminology import load_codelist

from .columns import EventLog
from .conditions import CONDITION_INDEX, Conditions, sigmoid
from .hospital import DECLINE_GP_FACTOR, Declines
from .population import Cohort
from .timeline import NEVER, Timeline, poisson_days

SELF_MEDICATION_CONCERN = "285035003"  # Unable to manage medication (case_finding.snomed.csv)
# consultation type: share of consultations (surgery, telephone, online, letter)
CONSULTATION_SHARES = {"185202000": 0.58, "386472008": 0.28, "1068881000000101": 0.09, "308720009": 0.05}
# chance that a consultation records each of these (blood tests come as one panel)
RECORDED_AT_CONSULTATION = {"body_weight": 0.25, "pulse": 0.2, "alcohol_intake": 0.05, "smoking": 0.1}
BLOOD_TEST_CHANCE = {"under_65": 0.08, "65_and_over": 0.2}
# what a blood test asks for, and how often: the lab reports every analyte of each profile requested
BLOOD_PROFILES = {
    "full blood count": (0.85, ("haemoglobin", "wcc", "platelets", "mcv", "red_cell_count", "haematocrit")),
    "urea and electrolytes": (0.9, ("sodium", "potassium", "creatinine", "egfr")),
    "liver function": (0.55, ("alt", "alp", "bilirubin", "albumin", "ggt")),
    "lipids": (0.3, ("cholesterol", "hdl", "ldl", "triglycerides")),
    "thyroid": (0.25, ("tsh",)),
    "vitamin D": (0.05, ("vitamin_d",)),
    "folate": (0.04, ("folate",)),
}
MEDICATION_REVIEW_CHANCE = 0.15  # at a consultation, aged 50 and over


@cache
def routine_codes() -> dict[str, str]:
    """activity -> its one code; each activity in the codelist has exactly one, except consultations."""
    rows = load_codelist("routine_care").rows
    return {row.group: row.code for row in rows if row.group != "consultation"}


def _consultations(
    rng, cohort: Cohort, conditions: Conditions, alive_until: np.ndarray, timeline: Timeline, declines
):
    age, h = cohort.age, cohort.hidden_frailty
    n_conditions = conditions.present_on(timeline.index).sum(axis=1)
    per_year = np.exp(1.2 + 0.02 * np.maximum(age - 30, 0) + 0.15 * n_conditions + 0.3 * h)
    per_year = np.where(age < 5, 4.0, np.where(age < 16, 1.8, per_year))
    observed_from = timeline.observed_from(cohort.date_of_birth)
    person, day = poisson_days(rng, observed_from, alive_until, per_year)
    if declines is None:
        return person, day
    # a deterioration (hospital.Declines) shows as the person consulting far more often from its start
    who, first, last = declines.windows()
    first, last = np.maximum(first, observed_from[who]), np.minimum(last, alive_until[who])
    extra, extra_day = poisson_days(rng, first, last, (DECLINE_GP_FACTOR - 1) * per_year[who])
    return np.concatenate([person, who[extra]]), np.concatenate([day, extra_day])


def _lab_values(rng, cohort: Cohort, conditions: Conditions, person: np.ndarray) -> dict[str, np.ndarray]:
    """One blood panel per row of `person`: plausible values for their age, sex and kidney disease."""
    n, m = cohort.size, len(person)
    female = cohort.female[person]
    ckd = conditions.diagnosed_on[person, CONDITION_INDEX["Chronic kidney disease"]] != NEVER
    usual_egfr = (100 - 0.8 * np.maximum(cohort.age - 35, 0) + 12 * rng.standard_normal(n))[person]
    usual_egfr = np.where(ckd, np.minimum(usual_egfr, 48 + 8 * rng.standard_normal(m)), usual_egfr)
    egfr = np.clip(np.rint(usual_egfr + 5 * rng.standard_normal(m)), 5, 90)  # labs report > 90 as 90
    creatinine = np.rint(75 * (90 / egfr) ** 0.9 * np.where(female, 0.85, 1.0))
    usual_hb = np.where(cohort.female, 134.0, 148.0) - 0.2 * np.maximum(cohort.age - 60, 0)
    haemoglobin = np.clip(np.rint(usual_hb[person] + 10 * rng.standard_normal(m)), 60, 200)

    def normal(mean, sd, low, high, decimals=1):
        return np.round(np.clip(mean + sd * rng.standard_normal(m), low, high), decimals)

    def skewed(median, spread, decimals=1):  # log-normal: enzymes, bilirubin, vitamins
        return np.round(median * np.exp(spread * rng.standard_normal(m)), decimals)

    return {
        "egfr": egfr,
        "creatinine": creatinine,
        "haemoglobin": haemoglobin,  # g/L
        "haematocrit": np.round(haemoglobin * 0.003 + 0.01 * rng.standard_normal(m), 3),  # L/L
        "wcc": skewed(6.8, 0.25),  # 10^9/L
        "platelets": normal(260, 60, 20, 800, 0),  # 10^9/L
        "mcv": normal(90, 5, 60, 120, 0),  # fL
        "red_cell_count": normal(np.where(female, 4.5, 5.0), 0.4, 2.0, 7.0, 2),  # 10^12/L
        "sodium": normal(139, 2.5, 120, 155, 0),  # mmol/L
        "potassium": normal(4.4, 0.4, 2.8, 6.5),
        "alt": skewed(22, 0.45, 0),  # U/L
        "alp": normal(80, 22, 20, 400, 0),
        "bilirubin": skewed(9, 0.45, 0),  # umol/L
        "albumin": normal(42 - 0.05 * np.maximum(cohort.age[person] - 60, 0), 3.5, 20, 55, 0),  # g/L
        "ggt": skewed(25, 0.6, 0),
        "cholesterol": normal(5.1, 1.0, 2.0, 12.0),  # mmol/L
        "hdl": normal(np.where(female, 1.6, 1.3), 0.38, 0.4, 3.5),
        "ldl": normal(3.0, 0.9, 0.5, 8.0),
        "triglycerides": skewed(1.4, 0.45),
        "tsh": skewed(1.8, 0.45, 2),  # mU/L
        "vitamin_d": skewed(50, 0.5, 0),  # nmol/L
        "folate": skewed(8, 0.45),  # ug/L
        "urine_acr": skewed(1.0, 1.0),  # mg/mmol
    }


def draw_routine_care(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    death: np.ndarray,
    timeline: Timeline,
    events: EventLog,
    declines: Declines | None = None,
) -> None:
    codes = routine_codes()
    n = cohort.size
    alive_until = timeline.observed_until(death)
    person, day = _consultations(rng, cohort, conditions, alive_until, timeline, declines)
    kinds = list(CONSULTATION_SHARES)
    kind = rng.choice(len(kinds), size=len(person), p=list(CONSULTATION_SHARES.values()))
    events.add(person, day, events.code_ids(kinds)[kind])
    face_to_face = kind == 0

    def recorded(chance, where=None) -> tuple[np.ndarray, np.ndarray]:
        hit = rng.random(len(person)) < chance
        if where is not None:
            hit &= where
        return person[hit], day[hit]

    weight_kg = np.where(cohort.female, 71.0, 84.0) + 14 * rng.standard_normal(n)
    height_m = np.where(cohort.female, 1.62, 1.76) + 0.07 * rng.standard_normal(n)
    adult = cohort.age[person] >= 18
    who, when = recorded(RECORDED_AT_CONSULTATION["body_weight"], face_to_face & adult)
    weighed = np.clip(weight_kg[who] + 1.5 * rng.standard_normal(len(who)), 35, 200)
    events.add_code(who, when, codes["body_weight"], np.round(weighed, 1))
    events.add_code(who, when, codes["bmi"], np.round(weighed / height_m[who] ** 2, 1))
    who, when = recorded(RECORDED_AT_CONSULTATION["pulse"], face_to_face)
    events.add_code(
        who, when, codes["pulse"], np.clip(np.rint(75 + 11 * rng.standard_normal(len(who))), 40, 150)
    )
    who, when = recorded(RECORDED_AT_CONSULTATION["alcohol_intake"], adult)
    units = np.where(
        rng.random(len(who)) < 0.4, 0.0, np.rint(np.exp(2 + 0.9 * rng.standard_normal(len(who))))
    )
    events.add_code(who, when, codes["alcohol_intake"], units)

    # smoking status is the person's own, asked now and then
    status = rng.choice(3, size=n, p=[0.55, 0.32, 0.13])
    who, when = recorded(RECORDED_AT_CONSULTATION["smoking"], adult)
    smoking_ids = events.code_ids([codes["never_smoked"], codes["ex_smoker"], codes["smoker"]])
    events.add(who, when, smoking_ids[status[who]])

    older = cohort.age[person] >= 65
    tested = rng.random(len(person)) < np.where(
        older, BLOOD_TEST_CHANCE["65_and_over"], BLOOD_TEST_CHANCE["under_65"]
    )
    who, when = person[tested & adult], day[tested & adult]
    labs = _lab_values(rng, cohort, conditions, who)
    for chance, analytes in BLOOD_PROFILES.values():
        asked = rng.random(len(who)) < chance
        for analyte in analytes:
            events.add_code(who[asked], when[asked], codes[analyte], labs[analyte][asked])
    diabetic = conditions.diagnosed_on[who, CONDITION_INDEX["Diabetes"]] <= when
    events.add_code(who[diabetic], when[diabetic], codes["urine_acr"], labs["urine_acr"][diabetic])

    review = recorded(MEDICATION_REVIEW_CHANCE, cohort.age[person] >= 50)
    events.add_code(*review, codes["medication_review"])
    _flu_vaccinations(rng, cohort, alive_until, timeline, events, codes["flu_vaccination"])
    _self_medication_concerns(rng, cohort, conditions, review, timeline, events)


def _flu_vaccinations(rng, cohort: Cohort, alive_until, timeline: Timeline, events: EventLog, code: str):
    """Each autumn (1 October + up to 10 weeks), about three in four of the 65 and over."""
    for year in range(-4, 1):
        day = timeline.index + 365 * year + 183 + rng.integers(0, 70, cohort.size)
        aged = cohort.age + year >= 65
        who = np.flatnonzero(
            aged & (rng.random(cohort.size) < 0.75) & (day >= timeline.history_start) & (day <= alive_until)
        )
        events.add_code(who, day[who], code)


def _self_medication_concerns(rng, cohort: Cohort, conditions, review, timeline: Timeline, events: EventLog):
    """At some medication reviews of older, frailer people with memory problems or many conditions."""
    person, day = review
    n_conditions = conditions.present_on(timeline.index).sum(axis=1)[person]
    dementia = conditions.diagnosed_on[person, CONDITION_INDEX["Dementia"]] <= day
    chance = sigmoid(
        -5.2
        + 0.06 * (cohort.age[person] - 75)
        + 0.5 * cohort.hidden_frailty[person]
        + 0.25 * n_conditions
        + 1.8 * dementia
    )
    hit = rng.random(len(person)) < chance
    events.add_code(person[hit], day[hit], SELF_MEDICATION_CONCERN)
