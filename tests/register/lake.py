"""A tiny hand-written lake (docs/data-model.md) for loader and page tests.

`lake_tables(people)` returns plain rows per table, to read and to change in a test; `write_lake` writes
them as Parquet with the contract's types. Person 0 is the one with a history; person 1 cares for person 0
and has only follow-up (after the index date) activity; person 2 is person 0's next of kin.
"""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from neighbourhood.lake.contract import SCHEMAS
from neighbourhood.nhs_number import sample_test_numbers

INDEX_DATE = dt.date(2025, 3, 31)
LA_CODE, LA_NAME = "E06000099", "Testshire Council"
PRACTICES = ("N81001", "N81002")

GIVEN = ("Ada", "Bilal", "Chloe", "Dev", "Eileen", "Femi", "Grace", "Hamza")
FAMILY = ("Archer", "Begum", "Cole", "Dale", "Evans", "Fisher", "Green", "Hughes")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def nhs_numbers(count: int) -> list[str]:
    return [str(n) for n in sample_test_numbers(np.random.default_rng(7), count)]


def lake_tables(people: int = 3) -> dict[str, list[dict]]:
    numbers = nhs_numbers(people)
    practices = [
        {
            "ods_code": code,
            "name": f"{name} Surgery",
            "pcn_code": "U00001",
            "pcn_name": "Testshire Central PCN",
            "local_authority_code": LA_CODE,
            "local_authority_name": LA_NAME,
            "list_size": 0,
        }
        for code, name in zip(PRACTICES, ("Riverside", "Hilltop"), strict=True)
    ]
    people_rows = [
        {
            "nhs_number": number,
            "given_name": GIVEN[i % len(GIVEN)],
            "family_name": f"{FAMILY[i % len(FAMILY)]}{'' if i < len(FAMILY) else i}",
            "date_of_birth": dt.date(1935 + i % 50, 1 + i % 12, 1 + i % 28),
            "sex": ("female", "male")[i % 2],
            "ethnicity": "A",
            "practice_ods_code": PRACTICES[i % 2],
            "lsoa_code": "E01000001",
            "imd_decile": 3,
            "registration_date": d("2001-04-01"),
            "date_of_death": None,
        }
        for i, number in enumerate(numbers)
    ]
    tables = {
        "practices": practices,
        "lsoas": [{"lsoa_code": "E01000001", "local_authority_code": LA_CODE, "imd_decile": 3}],
        "people": people_rows,
        "events": [],
        "medications": [],
        "hospital_activity": [],
        "social_care": [],
        "relationships": [],
    }
    first = numbers[0]
    tables["events"] += [
        {
            "nhs_number": first,
            "date": d("2012-06-01"),
            "snomed_code": "38341003",
            "value": None,
        },  # hypertension
        {
            "nhs_number": first,
            "date": d("2018-02-01"),
            "snomed_code": "59621000",
            "value": None,
        },  # hypertension
        {"nhs_number": first, "date": d("2023-09-14"), "snomed_code": "44054006", "value": None},  # diabetes
        {
            "nhs_number": first,
            "date": d("2024-01-10"),
            "snomed_code": "105529008",
            "value": None,
        },  # lives alone
        {
            "nhs_number": first,
            "date": d("2024-02-01"),
            "snomed_code": "138079003",
            "value": None,
        },  # housebound
        {"nhs_number": first, "date": d("2024-05-01"), "snomed_code": "271649006", "value": 150.0},  # BP
    ]
    tables["medications"] += [
        {
            "nhs_number": first,
            "start_date": d("2018-02-01"),
            "end_date": None,
            "name": "Amlodipine 5mg tablets",
            "route": "oral",
            "is_repeat": True,
        },
        {
            "nhs_number": first,
            "start_date": d("2023-09-14"),
            "end_date": d("2025-09-01"),  # still current on the index date
            "name": "Metformin 500mg tablets",
            "route": "oral",
            "is_repeat": True,
        },
        {
            "nhs_number": first,
            "start_date": d("2024-06-01"),
            "end_date": d("2024-06-08"),
            "name": "Amoxicillin 500mg capsules",
            "route": "oral",
            "is_repeat": False,
        },
    ]
    tables["hospital_activity"] += [
        {
            "nhs_number": first,
            "spell_id": "S0001",
            "setting": "ae",
            "admission_method": None,
            "start_date": d("2024-11-02"),
            "end_date": d("2024-11-02"),
            "diagnosis_code": None,
            "cost_gbp": 180.0,
        },
        {
            "nhs_number": first,
            "spell_id": "S0002",
            "setting": "inpatient",
            "admission_method": "emergency",
            "start_date": d("2024-11-02"),
            "end_date": d("2024-11-09"),
            "diagnosis_code": "84114007",
            "cost_gbp": 3400.0,
        },
    ]
    tables["social_care"] += [
        {
            "nhs_number": first,
            "record_id": "SC0001",
            "activity": "assessment",
            "kind": "care_act_assessment",
            "start_date": d("2024-11-20"),
            "end_date": d("2024-11-20"),
            "weekly_cost_gbp": 0.0,
            "funding": None,
        },
        {
            "nhs_number": first,
            "record_id": "SC0002",
            "activity": "service",
            "kind": "home_care",
            "start_date": d("2024-12-01"),
            "end_date": None,
            "weekly_cost_gbp": 245.5,
            "funding": "council_managed",
        },
    ]
    if people >= 2:
        second = numbers[1]
        tables["relationships"].append(
            {
                "nhs_number": second,
                "related_nhs_number": first,
                "relationship": "carer_of",
                "start_date": None,
            }
        )
        # Follow-up: all after the index date, so none of it belongs in the record as of the index date.
        tables["events"].append(
            {"nhs_number": second, "date": d("2025-06-01"), "snomed_code": "13645005", "value": None}  # COPD
        )
        tables["hospital_activity"].append(
            {
                "nhs_number": second,
                "spell_id": "S0003",
                "setting": "inpatient",
                "admission_method": "emergency",
                "start_date": d("2025-07-01"),
                "end_date": d("2025-07-04"),
                "diagnosis_code": None,
                "cost_gbp": 2100.0,
            }
        )
        tables["medications"].append(
            {
                "nhs_number": second,
                "start_date": d("2025-07-04"),
                "end_date": None,
                "name": "Salbutamol 100micrograms inhaler",
                "route": "inhaled",
                "is_repeat": True,
            }
        )
    if people >= 3:
        tables["relationships"].append(
            {
                "nhs_number": numbers[2],
                "related_nhs_number": first,
                "relationship": "next_of_kin_of",
                "start_date": d("2010-01-01"),
            }
        )
    return tables


def write_lake(out_dir: Path, tables: dict[str, list[dict]], *, index_date: dt.date = INDEX_DATE) -> Path:
    """Write each table as `<table>.parquet`, except events, written in two parts as large tables are."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        schema = SCHEMAS.get(name, pa.schema([]))
        columns = {column: [row.get(column) for row in rows] for column in (rows[0] if rows else {})}
        if rows:
            types = {f.name: f.type for f in schema}
            table = pa.table({c: pa.array(v, type=types.get(c)) for c, v in columns.items()})
        else:
            table = schema.empty_table()
        if name == "events":
            (out_dir / "events").mkdir(exist_ok=True)
            half = table.num_rows // 2
            pq.write_table(table.slice(0, half), out_dir / "events" / "part-0.parquet")
            pq.write_table(table.slice(half), out_dir / "events" / "part-1.parquet")
        else:
            pq.write_table(table, out_dir / f"{name}.parquet")
    (out_dir / "metadata.json").write_text(json.dumps({"seed": 1, "index_date": index_date.isoformat()}))
    return out_dir
