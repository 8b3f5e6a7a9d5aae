"""Who lives here: age, sex, ethnicity, names, practice, LSOA, registration, and a hidden frailty."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .area import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, PRACTICE_SHARES, Area
from .timeline import Timeline

# England by five-year age band (ONS mid-year estimates, rounded): 0-4 ... 85-89, 90+.
AGE_BAND_SHARES = np.array(
    [5.4, 5.9, 6.1, 5.8, 6.1, 6.6, 6.9, 6.7, 6.4, 6.2, 6.8, 6.7, 5.9, 5.0, 4.9, 3.9, 2.6, 1.6, 0.95]
)
AGE_BAND_SHARES = AGE_BAND_SHARES / AGE_BAND_SHARES.sum()
# Share female per band: women outlive men, so older bands are more female.
FEMALE_SHARE = np.array(
    [0.488, 0.488, 0.488, 0.488, 0.49, 0.50, 0.505, 0.505, 0.505, 0.505, 0.505, 0.505, 0.51, 0.515,
     0.525, 0.545, 0.565, 0.60, 0.66]
)  # fmt: skip

# NHS data dictionary ethnic category codes with roughly England (2021 census) shares; Z = not stated.
ETHNIC_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z")
ETHNIC_SHARES = np.array(
    [71.0, 0.9, 6.2, 0.9, 0.4, 0.8, 0.7, 3.1, 2.7, 1.1, 1.6, 1.1, 2.5, 0.5, 0.8, 2.2, 3.5]
)
# Older people are more often White British in England; this shifts weight towards A for the 65+.
OLDER_WHITE_BRITISH_FACTOR = 1.5


@dataclass
class Cohort:
    """One chunk of people as parallel numpy arrays (index i is the same person everywhere)."""

    nhs_numbers: pa.Array
    age: np.ndarray  # years at the index date (float)
    date_of_birth: np.ndarray  # day numbers
    female: np.ndarray  # bool
    ethnicity: np.ndarray  # index into ETHNIC_CODES
    practice: np.ndarray  # index into Area.practice_codes
    lsoa: np.ndarray  # index into Area.lsoa_codes
    imd_decile: np.ndarray  # int8
    registration_date: np.ndarray  # day numbers
    hidden_frailty: np.ndarray  # persistent, never written: drives illness, death and hospital use

    @property
    def size(self) -> int:
        return len(self.age)

    @property
    def deprivation(self) -> np.ndarray:
        """0 (least deprived decile) to 1 (most deprived)."""
        return (10 - self.imd_decile.astype(np.float64)) / 9


def draw_cohort(rng: np.random.Generator, nhs_numbers: np.ndarray, area: Area, timeline: Timeline) -> Cohort:
    n = len(nhs_numbers)
    band = rng.choice(len(AGE_BAND_SHARES), size=n, p=AGE_BAND_SHARES)
    in_band = rng.random(n)
    top = band == len(AGE_BAND_SHARES) - 1
    # 90+: ages thin out quickly, few past 100.
    in_band[top] = np.minimum(rng.exponential(0.9, top.sum()), 3.0)
    age = band * 5.0 + in_band * 5.0
    female = rng.random(n) < FEMALE_SHARE[band]

    ethnic_weights = np.tile(ETHNIC_SHARES, (2, 1))
    ethnic_weights[1, 0] *= OLDER_WHITE_BRITISH_FACTOR
    ethnic_weights /= ethnic_weights.sum(axis=1, keepdims=True)
    older = age >= 65
    ethnicity = np.where(
        older,
        rng.choice(len(ETHNIC_CODES), size=n, p=ethnic_weights[1]),
        rng.choice(len(ETHNIC_CODES), size=n, p=ethnic_weights[0]),
    )

    practice = rng.choice(len(PRACTICE_SHARES), size=n, p=PRACTICE_SHARES)
    lsoa = _lsoa_for(rng, practice, area)

    dob = timeline.index - np.floor(age * 365.25).astype(np.int64) - 1
    years_registered = rng.exponential(12.0, n)
    registration = np.maximum(dob, timeline.index - 1 - np.floor(years_registered * 365.25).astype(np.int64))
    return Cohort(
        nhs_numbers=pa.array(nhs_numbers.tolist(), type=pa.string()),
        age=age,
        date_of_birth=dob,
        female=female,
        ethnicity=ethnicity,
        practice=practice,
        lsoa=lsoa,
        imd_decile=area.lsoa_imd_decile[lsoa],
        registration_date=registration,
        hidden_frailty=rng.standard_normal(n),
    )


def _lsoa_for(rng: np.random.Generator, practice: np.ndarray, area: Area) -> np.ndarray:
    """Most people live in their practice's catchment; some are registered from further away."""
    n = len(practice)
    lsoa = rng.integers(0, len(area.lsoa_codes), n)
    in_catchment = rng.random(n) < 0.88
    for p, lsoas in enumerate(area.lsoas_of_practice()):
        chosen = in_catchment & (practice == p)
        lsoa[chosen] = lsoas[rng.integers(0, len(lsoas), chosen.sum())]
    return lsoa


def name_columns(rng: np.random.Generator, female: np.ndarray) -> tuple[pa.Array, pa.Array]:
    n = len(female)
    female_names = pa.array(FEMALE_GIVEN_NAMES)
    male_names = pa.array(MALE_GIVEN_NAMES)
    given_f = female_names.take(rng.integers(0, len(FEMALE_GIVEN_NAMES), n))
    given_m = male_names.take(rng.integers(0, len(MALE_GIVEN_NAMES), n))
    given = pc.if_else(pa.array(female), given_f, given_m)
    family = pa.array(FAMILY_NAMES).take(rng.integers(0, len(FAMILY_NAMES), n))
    return given, family
