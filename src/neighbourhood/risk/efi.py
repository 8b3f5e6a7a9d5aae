"""The electronic Frailty Index (Clegg et al. 2016) as Ibis expressions.

A deficit is present if any code of its list was recorded before the index date (the original eFI has no time
limit), counted once however many codes or records show it. Polypharmacy, the 36th deficit, is present
with five or more distinct medicines prescribed in the 12 months before the index date (the gm-sde
implementation of Clegg's definition). eFI = deficits / 36, reported for people aged 65 and over. See
docs/case-finding.md.
"""

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from neighbourhood.risk.codes import EFI_DEFICIT_TOTAL, POLYPHARMACY, efi_deficit_names

POLYPHARMACY_MIN_MEDICINES = 5
EFI_MIN_AGE = 65
# With integer deficit counts: fit <= 4 (0.111), mild 5-8 (<= 0.222), moderate 9-12 (0.333), severe >= 13
# (0.361)
CATEGORY_UPPER_BOUNDS = (("fit", 0.12), ("mild", 0.24), ("moderate", 0.36))
SEVERE = "severe"


def deficit_mask(coded_mask: ir.IntegerValue, medicines_12m: ir.IntegerValue) -> ir.IntegerValue:
    """The person's deficits as one number, bit i set for the i-th of `efi_deficit_names()`: the coded
    deficits (`features.coded_summary`) and polypharmacy, five or more distinct medicines prescribed in the
    12 months. One number per person travels out of the engine far faster than a list of names
    (`deficit_names` turns it back)."""
    polypharmacy = 1 << efi_deficit_names().index(POLYPHARMACY)
    on_many = (medicines_12m.fill_null(0) >= POLYPHARMACY_MIN_MEDICINES).ifelse(polypharmacy, 0)
    return coded_mask.fill_null(0) | on_many


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
