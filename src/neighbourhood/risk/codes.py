"""The codelists the case-finding analytics use, as one small table joined to GP events.

Every list comes from `neighbourhood.terminology`; this module only decides which rows count (see the eFI
mapping artefacts below) and tags each row with what it is used for.
"""

from functools import cache

import ibis
import pandas as pd
import pyarrow as pa

from neighbourhood.terminology import load_codelist

# SNOMED rows in the eFI lists that are artefacts of the automated Read/CTV3 -> SNOMED mapping, not the
# deficit:
# "Old age" is not a fall, unqualified diabetes is not kidney disease, coronary disease is not heart failure,
# osteoarthritis is not osteoporosis. Reasons in docs/case-finding.md.
EFI_MAPPING_ARTEFACTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("Falls", "49808004"),
        ("Falls", "501661000000103"),
        ("Chronic kidney disease", "73211009"),
        ("Heart failure", "53741008"),
        ("Heart failure", "413838009"),
        ("Osteoporosis", "239862000"),
    }
)
POLYPHARMACY = "Polypharmacy"
EFI_DEFICIT_TOTAL = 36

# Long-term conditions and the measurement that says each is poorly controlled (see UnstableDefinition).
HYPERTENSION = "Hypertension"
DIABETES = "Diabetes"
COPD = "COPD"


@cache
def efi_code_deficits() -> pd.DataFrame:
    """code -> deficit for the 35 code-based deficits, artefacts removed; a code may sit under several."""
    rows = [
        (row.code, row.group)
        for row in load_codelist("efi_deficits").rows
        if (row.group, row.code) not in EFI_MAPPING_ARTEFACTS
    ]
    return pd.DataFrame(rows, columns=["snomed_code", "name"]).drop_duplicates()


@cache
def efi_deficit_names() -> tuple[str, ...]:
    return (*sorted(efi_code_deficits()["name"].unique()), POLYPHARMACY)


@cache
def ltc_names() -> tuple[str, ...]:
    return tuple(sorted(ltc_codes()["name"].unique()))


@cache
def case_finding_codes() -> pd.DataFrame:
    """All codes used, with `kind` (efi, ltc, finding, measurement), `name` (deficit, condition, finding)
    and `bit`: for a deficit or condition, 1 << its place in `efi_deficit_names()` or `ltc_names()`, so that
    one number per person says which are recorded (0 for other kinds)."""
    frames = [
        efi_code_deficits().assign(kind="efi"),
        _frame("long_term_conditions", "ltc"),
        _frame("case_finding", "finding"),
        _frame("observations", "measurement"),
    ]
    codes = pd.concat(frames, ignore_index=True)[["snomed_code", "kind", "name"]]
    codes = codes.drop_duplicates().reset_index(drop=True)
    places = {("efi", name): i for i, name in enumerate(efi_deficit_names())}
    places |= {("ltc", name): i for i, name in enumerate(ltc_names())}
    codes["bit"] = [
        1 << places[kind, name] if (kind, name) in places else 0
        for kind, name in zip(codes["kind"], codes["name"], strict=True)
    ]
    return codes


def _frame(codelist: str, kind: str) -> pd.DataFrame:
    rows = [(row.code, row.group) for row in load_codelist(codelist).rows]
    return pd.DataFrame(rows, columns=["snomed_code", "name"]).assign(kind=kind)


def ltc_codes() -> pd.DataFrame:
    return _frame("long_term_conditions", "ltc")[["snomed_code", "name"]]


def codes_table() -> ibis.Table:
    # from Arrow, not pandas: Ibis's pandas schema inference warns under pandas 3
    return ibis.memtable(pa.Table.from_pandas(case_finding_codes(), preserve_index=False))
