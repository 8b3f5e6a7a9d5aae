"""eFI spec: each hand-built person has known deficits, so their eFI and category are known exactly."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from neighbourhood.risk import efi
from neighbourhood.risk.features import features_at, to_frame
from neighbourhood.risk.lake import connect, read_lake
from neighbourhood.terminology import load_codelist
from tests.risk.lakes import person, write_lake

INDEX = dt.date(2025, 4, 1)
BEFORE = dt.date(2024, 6, 1)
LONG_AGO = dt.date(2010, 1, 1)
ARTHRITIS, SPONDYLOSIS = "3723001", "8847002"  # both Arthritis
HYPERTENSION = "1201005"
DIABETIC_CATARACT = "43959009"  # listed under Diabetes and Visual impairment
OLD_AGE = "49808004"  # listed under Falls by the automated mapping: an artefact, not a fall


def first_code_of_each_deficit(count: int) -> list[tuple[str, dt.date]]:
    codelist = load_codelist("efi_deficits")
    single = {c for c, groups in codelist.group_of().items() if len(groups) == 1}
    codes = [sorted(codelist.codes_for(g) & single)[0] for g in codelist.groups()[:count]]
    return [(code, BEFORE) for code in codes]


def first_deficits(count: int) -> set[str]:
    return set(load_codelist("efi_deficits").groups()[:count])


def medicines(names: list[str], start=BEFORE, end=None) -> list[dict]:
    return [
        {"name": n, "start_date": start, "end_date": end, "route": "oral", "is_repeat": True} for n in names
    ]


@dataclass
class Case:
    nhs_number: str
    description: str
    age: int
    events: list[tuple[str, dt.date]] = field(default_factory=list)
    medications: list[dict] = field(default_factory=list)
    deficits: set[str] = field(default_factory=set)
    efi: float | None = None
    category: str | None = None


FIVE = [
    "Amlodipine 5mg tablets",
    "Atorvastatin 20mg tablets",
    "Ramipril 5mg capsules",
    "Metformin 500mg tablets",
    "Aspirin 75mg dispersible tablets",
]

CASES = [
    Case(
        "9990000018",
        "two deficits",
        70,
        [(ARTHRITIS, LONG_AGO), (HYPERTENSION, BEFORE)],
        deficits={"Arthritis", "Hypertension"},
        efi=2 / 36,
        category="fit",
    ),
    Case(
        "9990000026",
        "codes on or after the index date do not count",
        70,
        [(ARTHRITIS, INDEX), (HYPERTENSION, dt.date(2025, 5, 1))],
        efi=0.0,
        category="fit",
    ),
    Case(
        "9990000034",
        "the same code twice counts once",
        80,
        [(ARTHRITIS, LONG_AGO), (ARTHRITIS, BEFORE)],
        deficits={"Arthritis"},
        efi=1 / 36,
        category="fit",
    ),
    Case(
        "9990000042",
        "two codes of one deficit count once",
        80,
        [(ARTHRITIS, LONG_AGO), (SPONDYLOSIS, BEFORE)],
        deficits={"Arthritis"},
        efi=1 / 36,
        category="fit",
    ),
    Case(
        "9990000050",
        "a code listed under two deficits counts for both",
        75,
        [(DIABETIC_CATARACT, BEFORE)],
        deficits={"Diabetes", "Visual impairment"},
        efi=2 / 36,
        category="fit",
    ),
    Case("9990000069", "'Old age' is not a fall", 90, [(OLD_AGE, BEFORE)], efi=0.0, category="fit"),
    Case(
        "9990000077",
        "five medicines in the last year is polypharmacy",
        66,
        medications=medicines(FIVE[:4]) + medicines(FIVE[4:], start=LONG_AGO, end=dt.date(2024, 10, 1)),
        deficits={"Polypharmacy"},
        efi=1 / 36,
        category="fit",
    ),
    Case(
        "9990000085",
        "four distinct medicines (one twice) and one stopped over a year ago is not",
        66,
        medications=medicines(FIVE[:4])
        + medicines(FIVE[:1], start=LONG_AGO)
        + medicines(FIVE[4:], start=LONG_AGO, end=dt.date(2023, 1, 1)),
        efi=0.0,
        category="fit",
    ),
    Case(
        "9990000093",
        "medicines started on the index date do not count",
        66,
        medications=medicines(FIVE[:4]) + medicines(FIVE[4:], start=INDEX),
        efi=0.0,
        category="fit",
    ),
    Case(
        "9990000107",
        "under 65: deficits kept, eFI not reported",
        64,
        [(ARTHRITIS, BEFORE)],
        deficits={"Arthritis"},
        efi=None,
        category=None,
    ),
    Case(
        "9990000115",
        "4 deficits is fit",
        65,
        first_code_of_each_deficit(4),
        deficits=first_deficits(4),
        efi=4 / 36,
        category="fit",
    ),
    Case(
        "9990000123",
        "5 deficits is mild",
        70,
        first_code_of_each_deficit(5),
        deficits=first_deficits(5),
        efi=5 / 36,
        category="mild",
    ),
    Case(
        "9990000131",
        "8 deficits is mild",
        70,
        first_code_of_each_deficit(8),
        deficits=first_deficits(8),
        efi=8 / 36,
        category="mild",
    ),
    Case(
        "9990000158",
        "9 deficits is moderate",
        70,
        first_code_of_each_deficit(9),
        deficits=first_deficits(9),
        efi=9 / 36,
        category="moderate",
    ),
    Case(
        "9990000166",
        "12 deficits is moderate",
        70,
        first_code_of_each_deficit(12),
        deficits=first_deficits(12),
        efi=12 / 36,
        category="moderate",
    ),
    Case(
        "9990000174",
        "12 coded deficits and polypharmacy is severe",
        70,
        first_code_of_each_deficit(12),
        medications=medicines(FIVE),
        deficits=first_deficits(12) | {"Polypharmacy"},
        efi=13 / 36,
        category="severe",
    ),
]


def birth_date(age: int) -> dt.date:
    return INDEX.replace(year=INDEX.year - age) - dt.timedelta(days=30)


@pytest.fixture(scope="module")
def efi_lake(tmp_path_factory):
    people, events, meds = [], [], []
    for case in CASES:
        people.append(person(case.nhs_number, birth_date(case.age)))
        events += [{"nhs_number": case.nhs_number, "date": d, "snomed_code": c} for c, d in case.events]
        meds += [m | {"nhs_number": case.nhs_number} for m in case.medications]
    tables = {
        "people": people,
        "events": events,
        "medications": meds,
        "hospital_activity": [],
        "social_care": [],
    }
    return write_lake(tmp_path_factory.mktemp("efi"), tables)


def efi_frame(lake_dir, engine="duckdb", spark_session=None):
    lake = read_lake(connect(engine, spark_session), lake_dir)
    return efi.add_scores(to_frame(features_at(lake, INDEX))).set_index("nhs_number")


@pytest.fixture(scope="module")
def duckdb_efi(efi_lake):
    return efi_frame(efi_lake)


def test_case_numbers_are_valid_and_distinct():
    from neighbourhood.nhs_number import is_valid

    assert all(is_valid(c.nhs_number) for c in CASES)
    assert len({c.nhs_number for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.description for c in CASES])
def test_efi_of_hand_built_person(duckdb_efi, case):
    row = duckdb_efi.loc[case.nhs_number]
    assert set(row["efi_deficits"]) == case.deficits
    if case.efi is None:
        assert row["efi"] != row["efi"]  # NaN: not reported
        assert row["efi_category"] is None
    else:
        assert row["efi"] == pytest.approx(case.efi, abs=1e-12)
        assert row["efi_category"] == case.category
