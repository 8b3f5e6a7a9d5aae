"""Repeat medicines for each long-term condition, plus acute courses (antibiotics, steroids, ...)."""

import numpy as np
import pyarrow as pa

from .columns import dates, strings
from .conditions import CONDITION_INDEX, Conditions
from .population import Cohort
from .timeline import NEVER, Timeline, poisson_days

ROUTES = ("oral", "inhaled", "topical", "subcutaneous", "transdermal", "other")

# Condition -> (medicine, route, chance someone with the condition is on it).
REPEAT_FORMULARY: dict[str, tuple[tuple[str, str, float], ...]] = {
    "Hypertension": (
        ("Amlodipine 5mg tablets", "oral", 0.5),
        ("Ramipril 5mg capsules", "oral", 0.45),
        ("Indapamide 2.5mg tablets", "oral", 0.2),
        ("Losartan 50mg tablets", "oral", 0.15),
    ),
    "Diabetes": (
        ("Metformin 500mg tablets", "oral", 0.8),
        ("Gliclazide 80mg tablets", "oral", 0.3),
        ("Empagliflozin 10mg tablets", "oral", 0.25),
        ("Insulin glargine 100units/ml solution for injection 3ml pre-filled pens", "subcutaneous", 0.15),
    ),
    "Asthma": (
        ("Salbutamol 100micrograms/dose inhaler CFC free", "inhaled", 0.9),
        ("Beclometasone 100micrograms/dose inhaler CFC free", "inhaled", 0.6),
        ("Fostair 100micrograms/dose / 6micrograms/dose inhaler", "inhaled", 0.25),
    ),
    "COPD": (
        ("Salbutamol 100micrograms/dose inhaler CFC free", "inhaled", 0.9),
        ("Tiotropium 2.5micrograms/dose solution for inhalation cartridge", "inhaled", 0.6),
        ("Trimbow 87micrograms/dose / 5micrograms/dose / 9micrograms/dose inhaler", "inhaled", 0.35),
        ("Carbocisteine 375mg capsules", "oral", 0.2),
    ),
    "Heart failure": (
        ("Bisoprolol 2.5mg tablets", "oral", 0.7),
        ("Furosemide 40mg tablets", "oral", 0.7),
        ("Ramipril 2.5mg capsules", "oral", 0.5),
        ("Spironolactone 25mg tablets", "oral", 0.3),
        ("Dapagliflozin 10mg tablets", "oral", 0.3),
    ),
    "Chronic kidney disease": (("Atorvastatin 20mg tablets", "oral", 0.4),),
    "Atrial fibrillation": (
        ("Apixaban 5mg tablets", "oral", 0.6),
        ("Edoxaban 60mg tablets", "oral", 0.2),
        ("Bisoprolol 2.5mg tablets", "oral", 0.5),
        ("Digoxin 125microgram tablets", "oral", 0.1),
    ),
    "Coronary heart disease": (
        ("Atorvastatin 80mg tablets", "oral", 0.8),
        ("Aspirin 75mg dispersible tablets", "oral", 0.6),
        ("Clopidogrel 75mg tablets", "oral", 0.3),
        ("Glyceryl trinitrate 400micrograms/dose pump sublingual spray", "other", 0.4),
    ),
    "Dementia": (
        ("Donepezil 5mg tablets", "oral", 0.5),
        ("Memantine 10mg tablets", "oral", 0.2),
        ("Rivastigmine 4.6mg/24hours transdermal patches", "transdermal", 0.1),
    ),
    "Depression": (
        ("Sertraline 50mg tablets", "oral", 0.45),
        ("Citalopram 20mg tablets", "oral", 0.25),
        ("Mirtazapine 15mg tablets", "oral", 0.15),
    ),
    "Serious mental illness": (
        ("Olanzapine 10mg tablets", "oral", 0.5),
        ("Aripiprazole 10mg tablets", "oral", 0.3),
        ("Lithium carbonate 400mg modified-release tablets", "oral", 0.2),
    ),
    "Cancer": (
        ("Letrozole 2.5mg tablets", "oral", 0.15),
        ("Morphine sulfate 10mg/5ml oral solution", "oral", 0.1),
    ),
    "Stroke and TIA": (
        ("Clopidogrel 75mg tablets", "oral", 0.7),
        ("Atorvastatin 80mg tablets", "oral", 0.8),
    ),
    "Osteoarthritis": (
        ("Paracetamol 500mg tablets", "oral", 0.6),
        ("Ibuprofen 5% gel", "topical", 0.4),
        ("Naproxen 500mg tablets", "oral", 0.15),
        ("Codeine 30mg tablets", "oral", 0.15),
        ("Buprenorphine 5micrograms/hour transdermal patches", "transdermal", 0.08),
    ),
    "Rheumatoid arthritis": (
        ("Methotrexate 2.5mg tablets", "oral", 0.6),
        ("Folic acid 5mg tablets", "oral", 0.6),
        ("Hydroxychloroquine 200mg tablets", "oral", 0.3),
        ("Adalimumab 40mg/0.4ml solution for injection pre-filled pens", "subcutaneous", 0.15),
    ),
    "Osteoporosis": (
        ("Alendronic acid 70mg tablets", "oral", 0.7),
        ("Adcal-D3 chewable tablets", "oral", 0.6),
        ("Denosumab 60mg/1ml solution for injection pre-filled syringes", "subcutaneous", 0.1),
    ),
    "Parkinson's disease": (
        ("Co-careldopa 25mg/100mg tablets", "oral", 0.8),
        ("Rotigotine 4mg/24hours transdermal patches", "transdermal", 0.15),
    ),
    "Epilepsy": (
        ("Levetiracetam 500mg tablets", "oral", 0.6),
        ("Lamotrigine 100mg tablets", "oral", 0.3),
        ("Sodium valproate 500mg gastro-resistant tablets", "oral", 0.2),
    ),
}
# Common in older people whatever their coded conditions: (medicine, route, chance from age 60).
OLDER_ADULT_FORMULARY = (
    ("Atorvastatin 20mg tablets", "oral", 0.3),
    ("Omeprazole 20mg gastro-resistant capsules", "oral", 0.2),
    ("Colecalciferol 800unit capsules", "oral", 0.1),
    ("Senna 7.5mg tablets", "oral", 0.05),
    ("Zerobase 11% cream", "topical", 0.05),
)
TYPE_1_INSULIN = ("Insulin aspart 100units/ml solution for injection 3ml pre-filled pens", "subcutaneous")
# Acute courses: (medicine, route, days).
ACUTE_FORMULARY = (
    ("Amoxicillin 500mg capsules", "oral", 7),
    ("Nitrofurantoin 100mg modified-release capsules", "oral", 3),
    ("Doxycycline 100mg capsules", "oral", 5),
    ("Flucloxacillin 500mg capsules", "oral", 7),
    ("Clarithromycin 500mg tablets", "oral", 7),
    ("Prednisolone 5mg tablets", "oral", 5),
    ("Fusidic acid 2% cream", "topical", 7),
    ("Naproxen 250mg tablets", "oral", 14),
)

MEDICINES = sorted(
    {(name, route) for items in REPEAT_FORMULARY.values() for name, route, _ in items}
    | {(name, route) for name, route, _ in OLDER_ADULT_FORMULARY}
    | {TYPE_1_INSULIN}
    | {(name, route) for name, route, _ in ACUTE_FORMULARY}
)
MEDICINE_INDEX = {medicine: i for i, medicine in enumerate(MEDICINES)}
MEDICINE_ROUTE = np.array([ROUTES.index(route) for _, route in MEDICINES])


def draw_medications(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    death: np.ndarray,
    timeline: Timeline,
    schema: pa.Schema,
) -> pa.Table:
    alive_until = timeline.observed_until(death)
    people, starts, medicines = [], [], []
    for group, items in REPEAT_FORMULARY.items():
        j = CONDITION_INDEX[group]
        diagnosed = conditions.diagnosed_on[:, j]
        has = np.flatnonzero(diagnosed != NEVER)
        chances = np.array([[chance for _, _, chance in items]])
        if group == "Diabetes":
            type_1 = conditions.code_choice[has, j] == 1
            insulin = len(items) - 1
            chances = np.repeat(chances, len(has), axis=0)
            chances[type_1] = 0.0
            chances[type_1, insulin] = 1.0
            t1 = has[type_1]
            people.append(t1)
            starts.append(diagnosed[t1])
            medicines.append(np.full(len(t1), MEDICINE_INDEX[TYPE_1_INSULIN]))
        on = rng.random((len(has), len(items))) < chances
        who, which = np.nonzero(on)
        ids = np.array([MEDICINE_INDEX[(name, route)] for name, route, _ in items])
        people.append(has[who])
        starts.append(diagnosed[has[who]] + rng.integers(0, 120, len(who)))
        medicines.append(ids[which])
    n_conditions = conditions.present_on(timeline.index).sum(axis=1)
    older = np.flatnonzero(cohort.age >= 60)
    chances = np.array([chance for _, _, chance in OLDER_ADULT_FORMULARY])[None, :]
    chances = np.minimum(chances * (1 + 0.15 * n_conditions[older, None]), 0.9)
    who, which = np.nonzero(rng.random(chances.shape) < chances)
    people.append(older[who])
    starts.append(timeline.index - 1 - np.floor(rng.exponential(4 * 365.25, len(who))).astype(np.int64))
    medicines.append(
        np.array([MEDICINE_INDEX[(name, route)] for name, route, _ in OLDER_ADULT_FORMULARY])[which]
    )

    person = np.concatenate(people)
    start = np.concatenate(starts)
    medicine = np.concatenate(medicines)
    # The same medicine for two conditions is one course.
    _, first = np.unique(person * len(MEDICINES) + medicine, return_index=True)
    person, start, medicine = person[first], start[first], medicine[first]
    kept = start <= alive_until[person]
    person, start, medicine = person[kept], start[kept], medicine[kept]
    stopped = rng.random(len(person)) < 0.18
    stop_day = start + 14 + np.floor(rng.exponential(700, len(person))).astype(np.int64)
    end = np.where(stopped & (stop_day <= timeline.follow_up_end), stop_day, NEVER)
    end = np.minimum(end, np.where(death[person] == NEVER, NEVER, death[person]))
    repeat = np.ones(len(person), dtype=bool)

    # Acute courses across history and follow-up, more for older and sicker people.
    rate = 0.35 * np.exp(0.012 * cohort.age + 0.15 * n_conditions)
    acute_person, acute_start = poisson_days(
        rng, timeline.observed_from(cohort.date_of_birth), alive_until, rate
    )
    which = rng.integers(0, len(ACUTE_FORMULARY), len(acute_person))
    acute_ids = np.array([MEDICINE_INDEX[(name, route)] for name, route, _ in ACUTE_FORMULARY])
    acute_days = np.array([days for _, _, days in ACUTE_FORMULARY])

    person = np.concatenate([person, acute_person])
    start = np.concatenate([start, acute_start])
    end = np.concatenate([end, acute_start + acute_days[which]])
    medicine = np.concatenate([medicine, acute_ids[which]])
    repeat = np.concatenate([repeat, np.zeros(len(acute_person), dtype=bool)])
    order = np.lexsort((medicine, start, person))
    person, start, end, medicine, repeat = (a[order] for a in (person, start, end, medicine, repeat))
    return pa.Table.from_arrays(
        [
            cohort.nhs_numbers.take(pa.array(person)),
            dates(start),
            dates(end),
            strings([name for name, _ in MEDICINES], medicine),
            strings(ROUTES, MEDICINE_ROUTE[medicine]),
            pa.array(repeat, type=pa.bool_()),
        ],
        schema=schema,
    )
