"""Arrow schemas of the lake tables, exactly as docs/data-model.md describes them."""

import pyarrow as pa

STRING = pa.string()
DATE = pa.date32()
MONEY = pa.float64()

SCHEMAS: dict[str, pa.Schema] = {
    "practices": pa.schema(
        [
            ("ods_code", STRING),
            ("name", STRING),
            ("pcn_code", STRING),
            ("pcn_name", STRING),
            ("local_authority_code", STRING),
            ("local_authority_name", STRING),
            ("list_size", pa.int64()),
        ]
    ),
    "lsoas": pa.schema([("lsoa_code", STRING), ("local_authority_code", STRING), ("imd_decile", pa.int8())]),
    "people": pa.schema(
        [
            ("nhs_number", STRING),
            ("given_name", STRING),
            ("family_name", STRING),
            ("date_of_birth", DATE),
            ("sex", STRING),
            ("ethnicity", STRING),
            ("practice_ods_code", STRING),
            ("lsoa_code", STRING),
            ("imd_decile", pa.int8()),
            ("registration_date", DATE),
            ("date_of_death", DATE),
        ]
    ),
    "events": pa.schema(
        [("nhs_number", STRING), ("date", DATE), ("snomed_code", STRING), ("value", pa.float64())]
    ),
    "medications": pa.schema(
        [
            ("nhs_number", STRING),
            ("start_date", DATE),
            ("end_date", DATE),
            ("name", STRING),
            ("route", STRING),
            ("is_repeat", pa.bool_()),
        ]
    ),
    "hospital_activity": pa.schema(
        [
            ("nhs_number", STRING),
            ("spell_id", STRING),
            ("setting", STRING),
            ("admission_method", STRING),
            ("start_date", DATE),
            ("end_date", DATE),
            ("diagnosis_code", STRING),
            ("cost_gbp", MONEY),
        ]
    ),
    "social_care": pa.schema(
        [
            ("nhs_number", STRING),
            ("record_id", STRING),
            ("activity", STRING),
            ("kind", STRING),
            ("start_date", DATE),
            ("end_date", DATE),
            ("weekly_cost_gbp", MONEY),
            ("funding", STRING),
        ]
    ),
    "relationships": pa.schema(
        [
            ("nhs_number", STRING),
            ("related_nhs_number", STRING),
            ("relationship", STRING),
            ("start_date", DATE),
        ]
    ),
    "truth": pa.schema([("nhs_number", STRING), ("p_emergency_admission_12m", pa.float64())]),
}

# Written once as DIR/<table>.parquet; the others per chunk as DIR/<table>/part-NNNNN.parquet.
SMALL_TABLES = ("practices", "lsoas")
CHUNKED_TABLES = tuple(name for name in SCHEMAS if name not in SMALL_TABLES)
