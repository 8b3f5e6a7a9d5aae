"""A deliberately plain pandas implementation of eFI and the Wokingham flag inputs.

Slow and memory-hungry on purpose: it is the reference the Ibis engines must agree with on small lakes (tests)
and the baseline the benchmark compares against. Same definitions as `features.py`; no cleverness.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from neighbourhood.person_key import NHS_NUMBER, PSEUDONYM, kind_of
from neighbourhood.risk import efi, flags
from neighbourhood.risk.codes import COPD, DIABETES, HYPERTENSION, case_finding_codes
from neighbourhood.risk.dates import Window
from neighbourhood.risk.features import UnstableDefinition


def _read(data_dir: Path, name: str) -> pd.DataFrame:
    single = data_dir / f"{name}.parquet"
    return pd.read_parquet(single if single.exists() else data_dir / name)


def _per_person(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame.groupby("nhs_number").size().rename(name)


def efi_and_flag_inputs(data_dir: Path, index_date: dt.date, unstable: UnstableDefinition | None = None):
    unstable = unstable or UnstableDefinition()
    window = Window.year_before(index_date)
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    people = _read(data_dir, "people")
    for column in ("date_of_birth", "registration_date", "date_of_death"):
        people[column] = pd.to_datetime(people[column])
    # a valid key of the lake's kind: pseudonyms if it has any (the engine refuses a lake of both kinds)
    kinds = people["nhs_number"].map(kind_of)
    lake_kind = PSEUDONYM if (kinds == PSEUDONYM).any() else NHS_NUMBER
    people = people[
        people["practice_ods_code"].notna()
        & (kinds == lake_kind)
        & (people["registration_date"].isna() | (people["registration_date"] < end))  # as features.population
        & (people["date_of_death"].isna() | (people["date_of_death"] > end))
    ].copy()
    people["age"] = [
        index_date.year - born.year - ((index_date.month, index_date.day) < (born.month, born.day))
        for born in people["date_of_birth"]
    ]

    events = _read(data_dir, "events")
    events["date"] = pd.to_datetime(events["date"])
    events = events[events["date"] < end].merge(case_finding_codes(), on="snomed_code")
    code_deficits = events[events["kind"] == "efi"][["nhs_number", "name"]].drop_duplicates()

    meds = _read(data_dir, "medications")
    for column in ("start_date", "end_date"):
        meds[column] = pd.to_datetime(meds[column])
    in_window = meds[(meds["start_date"] < end) & (meds["end_date"].isna() | (meds["end_date"] > start))]
    medicine_counts = in_window.groupby("nhs_number")["name"].nunique()
    poly = medicine_counts[medicine_counts >= efi.POLYPHARMACY_MIN_MEDICINES]
    deficits = pd.concat([code_deficits, pd.DataFrame({"nhs_number": poly.index, "name": "Polypharmacy"})])
    current = meds[
        (meds["start_date"] < end)
        & (meds["end_date"].isna() | (meds["end_date"] > end))
        & meds["is_repeat"]
        & (meds["route"] == "oral")
    ]

    hospital = _read(data_dir, "hospital_activity")
    for column in ("start_date", "end_date"):
        hospital[column] = pd.to_datetime(hospital[column])
    hospital = hospital[(hospital["start_date"] >= start) & (hospital["start_date"] < end)]
    emergency = hospital[(hospital["setting"] == "inpatient") & (hospital["admission_method"] == "emergency")]

    care = _read(data_dir, "social_care")
    for column in ("start_date", "end_date"):
        care[column] = pd.to_datetime(care[column])
    services = care[(care["activity"] == "service") & (care["start_date"] < end)].copy()
    overlap_end = services["end_date"].fillna(end).clip(upper=end)
    overlap_start = services["start_date"].clip(lower=start)
    services["cost"] = (
        services["weekly_cost_gbp"].fillna(0) * ((overlap_end - overlap_start).dt.days.clip(lower=0)) / 7
    )

    ltc = events[events["kind"] == "ltc"][["nhs_number", "name"]].drop_duplicates()
    recent = events[events["date"] >= start]
    unstable_rows = [
        emergency.merge(
            case_finding_codes().query("kind == 'ltc'"), left_on="diagnosis_code", right_on="snomed_code"
        )[["nhs_number", "name"]]
    ]
    for measurement, threshold, condition in (
        ("systolic_bp", unstable.systolic_bp_mmhg, HYPERTENSION),
        ("hba1c", unstable.hba1c_mmol_mol, DIABETES),
    ):
        readings = recent[(recent["name"] == measurement) & recent["value"].notna()]
        last_day = readings.groupby("nhs_number")["date"].transform("max")
        latest = readings[readings["date"] == last_day].groupby("nhs_number")["value"].max()
        high = latest[latest >= threshold].index
        unstable_rows.append(pd.DataFrame({"nhs_number": high, "name": condition}).merge(ltc))
    exacerbations = recent[recent["name"] == "copd_exacerbation"].groupby("nhs_number").size()
    frequent = exacerbations[exacerbations >= unstable.copd_exacerbations].index
    unstable_rows.append(pd.DataFrame({"nhs_number": frequent, "name": COPD}).merge(ltc))
    unstable_ltcs = pd.concat(unstable_rows).drop_duplicates()

    falls = recent[recent["name"] == "fall"].groupby("nhs_number")["date"].nunique()
    concern = recent[recent["name"] == "self_medication_concern"].groupby("nhs_number").size() > 0
    table = people[["nhs_number", "age"]].set_index("nhs_number")
    table = table.join(
        [
            _per_person(deficits, "efi_deficit_count"),
            _per_person(emergency, "emergency_admissions_12m"),
            _per_person(hospital[hospital["setting"] == "ae"], "ae_attendances_12m"),
            current.groupby("nhs_number")["name"].nunique().rename("repeat_oral_medicines"),
            falls.rename("falls_12m"),
            concern.rename("self_medication_concern"),
            _per_person(unstable_ltcs, "unstable_ltc_count"),
            hospital.groupby("nhs_number")["cost_gbp"].sum().rename("hospital_cost_12m"),
            services.groupby("nhs_number")["cost"].sum().rename("social_care_cost_12m"),
        ]
    )
    table = table.fillna(0).reset_index().sort_values("nhs_number").reset_index(drop=True)
    for column in table.columns.drop(["nhs_number", "hospital_cost_12m", "social_care_cost_12m"]):
        table[column] = table[column].astype("int64")
    table["efi"] = np.where(table["age"] >= efi.EFI_MIN_AGE, efi.score(table["efi_deficit_count"]), np.nan)
    return table


def efi_and_flags(data_dir: Path, index_date: dt.date, thresholds: flags.WokinghamThresholds | None = None):
    table = efi_and_flag_inputs(Path(data_dir), index_date)
    table["efi_category"] = efi.category(table["efi"])
    table["wokingham_flag"], table["wokingham_reasons"] = flags.wokingham(
        table, thresholds or flags.WokinghamThresholds()
    )
    return table
