"""The place: one local authority, one primary care network of six practices, its LSOAs, and name lists."""

from dataclasses import dataclass

import numpy as np

PRACTICE_PLACES = ("Riverside", "Elm Grove", "Station Road", "Castle Street", "Millbrook", "Northgate",
    "Hillview", "Oak Lane", "Park View", "Westfield", "Abbey Fields", "Market Square")  # fmt: skip
PRACTICE_KINDS = ("Medical Centre", "Surgery", "Health Centre", "Medical Practice")
LOCAL_AUTHORITY_NAMES = ("Ashdown", "Brackenford", "Caldermere", "Dunsworth", "Elmstead", "Fernleigh")
ODS_REGION_LETTERS = tuple("ABCDEFGHJKLMNPY")

# Share of the population on each practice's list (big town practice down to a small village one).
PRACTICE_SHARES = np.array([0.26, 0.21, 0.18, 0.15, 0.12, 0.08])
PEOPLE_PER_LSOA = 1_600
# Typical deprivation decile of each practice's catchment, so practices differ.
PRACTICE_IMD_CENTRES = np.array([2.5, 4.0, 5.5, 6.5, 8.0, 9.0])


@dataclass(frozen=True)
class Area:
    local_authority_code: str
    local_authority_name: str
    pcn_code: str
    pcn_name: str
    practice_codes: list[str]
    practice_names: list[str]
    lsoa_codes: list[str]
    lsoa_imd_decile: np.ndarray  # int8, per LSOA
    lsoa_practice: np.ndarray  # index of the practice whose catchment holds the LSOA

    def lsoas_of_practice(self) -> list[np.ndarray]:
        return [np.flatnonzero(self.lsoa_practice == p) for p in range(len(self.practice_codes))]


def build_area(rng: np.random.Generator, people: int) -> Area:
    la_name = str(rng.choice(LOCAL_AUTHORITY_NAMES))
    letter = str(rng.choice(ODS_REGION_LETTERS))
    practice_numbers = rng.choice(np.arange(81_000, 100_000), size=len(PRACTICE_SHARES), replace=False)
    places = rng.choice(PRACTICE_PLACES, size=len(PRACTICE_SHARES), replace=False)
    kinds = rng.choice(PRACTICE_KINDS, size=len(PRACTICE_SHARES))

    n_lsoas = max(2 * len(PRACTICE_SHARES), round(people / PEOPLE_PER_LSOA))
    lsoa_numbers = np.sort(rng.choice(np.arange(10_000, 40_000), size=n_lsoas, replace=False))
    # Bigger practices cover more LSOAs; every practice has at least one.
    lsoa_practice = np.concatenate(
        [np.arange(len(PRACTICE_SHARES)), rng.choice(len(PRACTICE_SHARES), n_lsoas - 6, p=PRACTICE_SHARES)]
    )
    rng.shuffle(lsoa_practice)
    imd = PRACTICE_IMD_CENTRES[lsoa_practice] + rng.normal(0, 1.8, n_lsoas)
    return Area(
        local_authority_code=f"E06000{rng.integers(900, 1000)}",
        local_authority_name=la_name,
        pcn_code=f"U{rng.integers(10_000, 100_000)}",
        pcn_name=f"{la_name} Central PCN",
        practice_codes=[f"{letter}{n}" for n in practice_numbers],
        practice_names=[f"{place} {kind}" for place, kind in zip(places, kinds, strict=True)],
        lsoa_codes=[f"E01{n:06d}" for n in lsoa_numbers],
        lsoa_imd_decile=np.clip(np.rint(imd), 1, 10).astype(np.int8),
        lsoa_practice=lsoa_practice,
    )


FEMALE_GIVEN_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia", "Lily", "Freya", "Emily", "Ella", "Poppy",
    "Margaret", "Patricia", "Susan", "Jean", "Dorothy", "Joan", "Linda", "Sarah", "Karen", "Helen", "Fatima",
    "Aisha", "Priya", "Zainab", "Maryam", "Chloe", "Hannah", "Ruth", "Agnieszka", "Niamh", "Yetunde", "Mei",
)  # fmt: skip
MALE_GIVEN_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Charlie", "Thomas", "James",
    "John", "David", "Michael", "Peter", "Robert", "William", "Stephen", "Paul", "Mohammed", "Ali", "Ibrahim",
    "Arjun", "Rahul", "Tomasz", "Kwame", "Daniel", "Samuel", "Joseph", "Liam", "Ciaran", "Wei", "Kofi",
)  # fmt: skip
FAMILY_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
    "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
    "Khan", "Ahmed", "Begum", "Ali", "Singh", "Hussain", "Kaur", "Okafor", "Mensah", "Nowak", "Kowalski",
    "Murphy", "O'Brien", "Chen", "Wang", "Campbell", "Stewart", "Bennett",
)  # fmt: skip
