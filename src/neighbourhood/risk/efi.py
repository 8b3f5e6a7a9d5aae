"""The electronic Frailty Index (Clegg et al. 2016) as Ibis expressions.

A deficit is present if any code of its list was recorded before the index date (the original eFI has no time
limit), counted once however many codes or records show it. Polypharmacy, the 36th deficit, is present
with five or more distinct medicines prescribed in the 12 months before the index date (the gm-sde
implementation of Clegg's definition). eFI = deficits / 36, reported for people aged 65 and over. See
docs/case-finding.md.
"""

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from neighbourhood.risk.codes import EFI_DEFICIT_TOTAL, POLYPHARMACY, bits_table, efi_deficit_names
from neighbourhood.risk.dates import Window

POLYPHARMACY_MIN_MEDICINES = 5
EFI_MIN_AGE = 65
# With integer deficit counts: fit <= 4 (0.111), mild 5-8 (<= 0.222), moderate 9-12 (0.333), severe >= 13
# (0.361)
CATEGORY_UPPER_BOUNDS = (("fit", 0.12), ("mild", 0.24), ("moderate", 0.36))
SEVERE = "severe"


def code_deficits(coded_events: ir.Table) -> ir.Table:
    """(nhs_number, deficit) once per person and deficit, from events already joined to the codes table."""
    return coded_events.filter(coded_events.kind == "efi").select("nhs_number", deficit="name").distinct()


def polypharmacy(medications: ir.Table, window: Window) -> ir.Table:
    """(nhs_number, deficit) for people with >= 5 distinct medicines on prescription at some time in the
    window."""
    in_window = medications.filter(
        medications.start_date < window.end,
        medications.end_date.isnull() | (medications.end_date > window.start),
    )
    counts = in_window.group_by("nhs_number").agg(medicines=in_window.name.nunique())
    return counts.filter(counts.medicines >= POLYPHARMACY_MIN_MEDICINES).select(
        "nhs_number", deficit=ibis.literal(POLYPHARMACY)
    )


def deficits_per_person(coded_events: ir.Table, medications: ir.Table, window: Window) -> ir.Table:
    """nhs_number, efi_deficit_count, efi_deficit_mask for people with any deficit.

    The mask has bit i set for the i-th of `efi_deficit_names()`: one number per person travels out of the
    engine far faster than a list of names (`deficit_names` turns it back)."""
    deficits = code_deficits(coded_events).union(polypharmacy(medications, window))
    bits = deficits.inner_join(bits_table("deficit", efi_deficit_names()), "deficit")
    return bits.group_by("nhs_number").agg(
        efi_deficit_count=bits.count(), efi_deficit_mask=bits.bit.sum().cast("int64")
    )


def deficit_names(masks: np.ndarray) -> list[list[str]]:
    """Per person, the names of the deficits set in their mask, sorted by name.

    People with the same deficits share one list: treat the lists as read-only."""
    names = efi_deficit_names()
    by_name = np.array(sorted(range(len(names)), key=names.__getitem__))
    codes, unique_masks = pd.factorize(np.asarray(masks, dtype="int64"))
    present = (unique_masks[:, None] >> by_name[None, :]) & 1 == 1
    lists = np.empty(len(unique_masks), dtype=object)
    lists[:] = [[names[bit] for bit in by_name[row]] for row in present]
    return lists[codes].tolist()


def score(deficit_count):
    """eFI from the deficit count; works on numbers, numpy arrays and pandas Series."""
    return deficit_count / EFI_DEFICIT_TOTAL


def category(efi: pd.Series) -> pd.Series:
    """fit (<= 0.12), mild (<= 0.24), moderate (<= 0.36), severe (> 0.36); missing where eFI is missing."""
    values = efi.to_numpy(dtype="float64", na_value=np.nan)
    labels = np.select(
        [values <= bound for _, bound in CATEGORY_UPPER_BOUNDS],
        [name for name, _ in CATEGORY_UPPER_BOUNDS],
        SEVERE,
    ).astype(object)
    labels[np.isnan(values)] = None
    return pd.Series(labels, index=efi.index, dtype="object")


def add_scores(people: pd.DataFrame) -> pd.DataFrame:
    """Add `efi` (null under 65) and `efi_category` to a frame with `age` and `efi_deficit_count`."""
    aged = people["age"] >= EFI_MIN_AGE
    people["efi"] = score(people["efi_deficit_count"].astype("float64")).where(aged)
    people["efi_category"] = category(people["efi"])
    return people
