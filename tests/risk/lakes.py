"""Small lakes for tests: hand-written rows per person, and a seeded random lake with a known true risk.

The random lake stands in for `neighbourhood.synth.generate` in fast tests: people's true probability of an
emergency admission depends on their age, conditions, frailty, deprivation and past use, and admissions are
drawn from it both in the training year and in the year after the index date, so a model can be trained and
checked.
"""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood.lake.contract import SCHEMAS
from neighbourhood.nhs_number import sample_test_numbers
from neighbourhood.risk.codes import efi_code_deficits, ltc_codes


def write_lake(out_dir: Path, tables: dict[str, list[dict]]) -> Path:
    """Write each table's rows (dicts; missing keys are null) with the contract's column types."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        rows = tables.get(name)
        if rows is None and name in ("truth", "relationships", "practices"):
            continue
        columns = {field.name: [row.get(field.name) for row in rows or []] for field in schema}
        pq.write_table(pa.table(columns, schema=schema), out_dir / f"{name}.parquet")
    return out_dir


def person(nhs_number: str, born: dt.date, **overrides) -> dict:
    row = {
        "nhs_number": nhs_number,
        "given_name": "Test",
        "family_name": "Person",
        "date_of_birth": born,
        "sex": "female",
        "ethnicity": "A",
        "practice_ods_code": "N81001",
        "lsoa_code": "E01000001",
        "imd_decile": 5,
        "registration_date": dt.date(2000, 1, 1),
        "date_of_death": None,
    }
    return row | overrides


def _days(rng, start: dt.date, end: dt.date, size: int) -> list[dt.date]:
    span = (end - start).days
    return [start + dt.timedelta(days=int(d)) for d in rng.integers(0, span, size=size)]


def random_lake(out_dir: Path, *, people: int, seed: int, index_date: dt.date) -> Path:
    """A seeded lake with a `truth` table; admissions in both years are drawn from each person's true risk."""
    rng = np.random.default_rng(seed)
    numbers = sample_test_numbers(rng, people)
    age = np.clip(rng.gamma(4.0, 11.0, size=people), 0, 100).astype(int)
    female = rng.random(people) < 0.51
    imd = rng.integers(1, 11, size=people)
    frailty = rng.gamma(1.0 + age / 25, 1.0, size=people) * (age / 60)
    n_ltc = rng.poisson(0.1 + frailty * 0.9)
    n_deficits = np.minimum(rng.poisson(frailty * 3.0), 30)
    lives_alone = rng.random(people) < (0.05 + 0.25 * (age > 70))
    n_meds = rng.poisson(0.3 + n_ltc * 1.5)
    logit = -5.2 + 0.03 * age + 0.35 * n_ltc + 0.12 * n_deficits + 0.06 * (10 - imd) + 0.4 * lives_alone
    start_window = index_date.replace(year=index_date.year - 2)
    # drawn from a generator of their own, so the rest of the lake is as it was before they were added
    concern_rng = np.random.default_rng(seed + 1)
    medicines_concern = (concern_rng.random(people) < 0.15) & (age >= 65)
    concern_days = concern_rng.integers(1, 700, size=people)
    # readings that make a condition unstable when the person has it (systolic BP, HbA1c, COPD exacerbation)
    readings = [
        (code, concern_rng.random(people) < share, concern_rng.normal(mean, sd, size=people))
        for code, share, mean, sd in (
            ("271649006", 0.3, 150, 15),
            ("999791000000106", 0.2, 65, 15),
            ("195951007", 0.05, float("nan"), 0),
        )
    ]
    reading_days = concern_rng.integers(1, 365, size=people)
    deficit_codes = efi_code_deficits().groupby("name")["snomed_code"].first()
    deficit_names = list(deficit_codes.index)
    conditions = ltc_codes().groupby("name")["snomed_code"].first()
    tables: dict[str, list[dict]] = {k: [] for k in ("people", "events", "medications", "hospital_activity")}
    tables["social_care"], tables["truth"] = [], []
    spell = 0
    for i, nhs in enumerate(numbers):
        born = index_date - dt.timedelta(days=int(age[i] * 365.25 + rng.integers(0, 365)))
        tables["people"].append(
            person(
                str(nhs),
                born,
                sex="female" if female[i] else "male",
                imd_decile=int(imd[i]),
                ethnicity=str(rng.choice(list("ABCDHJMRSZ"))),
            )
        )
        first_day = max(born, start_window)
        for deficit in rng.choice(deficit_names, size=n_deficits[i], replace=False):
            tables["events"].append(
                {
                    "nhs_number": str(nhs),
                    "date": _days(rng, first_day - dt.timedelta(days=1), index_date, 1)[0],
                    "snomed_code": deficit_codes[deficit],
                }
            )
        for condition in rng.choice(conditions.index, size=min(n_ltc[i], len(conditions)), replace=False):
            tables["events"].append(
                {
                    "nhs_number": str(nhs),
                    "date": _days(rng, first_day - dt.timedelta(days=1), index_date, 1)[0],
                    "snomed_code": conditions[condition],
                }
            )
        if lives_alone[i]:
            tables["events"].append({"nhs_number": str(nhs), "date": first_day, "snomed_code": "105529008"})
        if medicines_concern[i]:  # Unable to manage medication: counts only in the last 12 months
            concern_on = index_date - dt.timedelta(days=int(concern_days[i]))
            tables["events"].append({"nhs_number": str(nhs), "date": concern_on, "snomed_code": "285035003"})
        for code, taken, value in readings:
            if taken[i]:
                tables["events"].append(
                    {
                        "nhs_number": str(nhs),
                        "date": index_date - dt.timedelta(days=int(reading_days[i])),
                        "snomed_code": code,
                        "value": None if np.isnan(value[i]) else round(float(value[i])),
                    }
                )
        for m in range(n_meds[i]):
            tables["medications"].append(
                {
                    "nhs_number": str(nhs),
                    "start_date": first_day,
                    "end_date": None,
                    "name": f"Medicine {m}",
                    "route": "oral",
                    "is_repeat": True,
                }
            )
        # past use raises risk a little beyond the person's base risk (a persistent random effect)
        person_effect = rng.normal(0, 0.4)
        for year_start in (start_window, index_date.replace(year=index_date.year - 1), index_date):
            p = 1 / (1 + np.exp(-(logit[i] + person_effect)))
            if year_start == index_date:
                tables["truth"].append({"nhs_number": str(nhs), "p_emergency_admission_12m": float(p)})
            if rng.random() < p:
                for day in _days(
                    rng, year_start, year_start.replace(year=year_start.year + 1), rng.integers(1, 3)
                ):
                    spell += 1
                    tables["hospital_activity"].append(
                        {
                            "nhs_number": str(nhs),
                            "spell_id": f"S{spell}",
                            "setting": "inpatient",
                            "admission_method": "emergency",
                            "start_date": day,
                            "end_date": day + dt.timedelta(days=int(rng.integers(0, 12))),
                            "cost_gbp": 3500.0,
                        }
                    )
            if rng.random() < p * 1.5:
                spell += 1
                day = _days(rng, year_start, year_start.replace(year=year_start.year + 1), 1)[0]
                tables["hospital_activity"].append(
                    {
                        "nhs_number": str(nhs),
                        "spell_id": f"S{spell}",
                        "setting": "ae",
                        "start_date": day,
                        "end_date": day,
                        "cost_gbp": 180.0,
                    }
                )
        if frailty[i] > 3 and rng.random() < 0.5:
            tables["social_care"].append(
                {
                    "nhs_number": str(nhs),
                    "record_id": f"C{i}",
                    "activity": "service",
                    "kind": "home_care",
                    "start_date": first_day,
                    "end_date": None,
                    "weekly_cost_gbp": 250.0,
                    "funding": "council_managed",
                }
            )
    write_lake(out_dir, tables)
    (out_dir / "metadata.json").write_text(
        json.dumps(
            {"seed": seed, "people": people, "index_date": index_date.isoformat(), "generator": "tests"}
        )
    )
    return out_dir
