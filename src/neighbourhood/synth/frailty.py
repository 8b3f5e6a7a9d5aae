"""Frailty deficits, falls, and the social findings (housebound, lives alone, social isolation)."""

from dataclasses import dataclass

import numpy as np

from .codes import EXTRA_DEFICITS, HOUSEBOUND, LIVES_ALONE, SOCIAL_ISOLATION, extra_deficit_codes, falls_codes
from .columns import EventLog
from .conditions import CONDITION_INDEX, Conditions, sigmoid
from .population import Cohort
from .timeline import NEVER, Timeline, poisson_days


@dataclass
class Frailty:
    deficits_at_index: np.ndarray  # count of extra eFI deficits recorded before the index date
    falls_last_year: np.ndarray  # falls recorded in the 12 months before the index date
    housebound_on: np.ndarray  # day first recorded, NEVER if not
    lives_alone_on: np.ndarray
    isolated_on: np.ndarray
    deficit_days: tuple[np.ndarray, np.ndarray]  # (person, day) of each extra deficit recorded
    fall_days: tuple[np.ndarray, np.ndarray]  # (person, day) of each fall

    def deficits_before(self, day: int) -> np.ndarray:
        person, on = self.deficit_days
        return np.bincount(person[on < day], minlength=len(self.housebound_on))

    def falls_in_year_before(self, day: int) -> np.ndarray:
        person, on = self.fall_days
        return np.bincount(person[(on >= day - 365) & (on < day)], minlength=len(self.housebound_on))


def _recorded_before(rng, index: int, n: int, mean_years: float, follow_up_share: float = 0.08) -> np.ndarray:
    """Days when findings were first recorded: mostly before the index date, some during follow-up."""
    before = index - 1 - np.floor(rng.exponential(mean_years * 365.25, n)).astype(np.int64)
    after = index + rng.integers(0, 365, n)
    return np.where(rng.random(n) < follow_up_share, after, before)


def draw_frailty(
    rng: np.random.Generator,
    cohort: Cohort,
    conditions: Conditions,
    death: np.ndarray,
    timeline: Timeline,
    events: EventLog,
) -> Frailty:
    n = cohort.size
    age, h = cohort.age, cohort.hidden_frailty
    n_conditions = conditions.present_on(timeline.index).sum(axis=1)
    alive_until = timeline.observed_until(death)

    # Extra deficits: how many (Poisson, rising with age, frailty and illness), then which (weighted).
    rate = np.exp(0.35 + 0.06 * (age - 75) + 0.55 * h + 0.12 * n_conditions)
    rate = np.where(age < 40, rate * 0.3, rate)
    count = np.minimum(rng.poisson(rate), len(EXTRA_DEFICITS))
    weights = np.log([w for _, w in EXTRA_DEFICITS])
    keys = weights[None, :] + rng.gumbel(size=(n, len(EXTRA_DEFICITS)))
    ranked = np.argsort(-keys, axis=1)
    taken = np.arange(len(EXTRA_DEFICITS))[None, :] < count[:, None]
    person, rank = np.nonzero(taken)
    deficit = ranked[person, rank]
    day = np.maximum(
        _recorded_before(rng, timeline.index, len(person), 4.0), cohort.date_of_birth[person] + 365
    )
    kept = day <= alive_until[person]
    person, deficit, day = person[kept], deficit[kept], day[kept]
    code_lists = extra_deficit_codes()
    for d, codes in enumerate(code_lists):
        mine = deficit == d
        ids = events.code_ids(codes)
        events.add(person[mine], day[mine], ids[rng.integers(0, len(codes), mine.sum())])
    deficits_at_index = np.bincount(person[day < timeline.index], minlength=n)

    # Falls: one event per fall, across history and follow-up while alive.
    fall_rate = np.exp(-3.4 + 0.07 * (age - 65) + 0.5 * h + 0.15 * deficits_at_index)
    fall_rate = np.where(age < 50, np.exp(-5.5), fall_rate)
    observed_from = timeline.observed_from(cohort.date_of_birth)
    fall_person, fall_day = poisson_days(rng, observed_from, alive_until, fall_rate)
    fall_ids = events.code_ids(falls_codes())
    events.add(fall_person, fall_day, fall_ids[rng.integers(0, len(fall_ids), len(fall_person))])
    last_year = (fall_day >= timeline.index - 365) & (fall_day < timeline.index)
    falls_last_year = np.bincount(fall_person[last_year], minlength=n)

    adult = age >= 18
    lives_alone_p = np.select([age < 30, age < 65, age < 80], [0.06, 0.12, 0.28], 0.45) * adult
    lives_alone = rng.random(n) < lives_alone_p
    housebound = (age >= 50) & (
        rng.random(n) < sigmoid(-4.4 + 0.12 * (age - 75) + 0.6 * h + 0.25 * deficits_at_index)
    )
    depressed = conditions.present_on(timeline.index)[:, CONDITION_INDEX["Depression"]]
    isolated = adult & (rng.random(n) < np.where(lives_alone, 0.10, 0.01) * np.where(depressed, 2.0, 1.0))

    def record(has: np.ndarray, code: str, mean_years: float, from_age: int) -> np.ndarray:
        earliest = cohort.date_of_birth + from_age * 365
        on = np.where(has, np.maximum(_recorded_before(rng, timeline.index, n, mean_years), earliest), NEVER)
        on = np.where(on <= alive_until, on, NEVER)
        who = np.flatnonzero(on != NEVER)
        events.add_code(who, on[who], code)
        return on

    return Frailty(
        deficits_at_index=deficits_at_index,
        falls_last_year=falls_last_year,
        housebound_on=record(housebound, HOUSEBOUND, 2.0, from_age=50),
        lives_alone_on=record(lives_alone, LIVES_ALONE, 3.0, from_age=18),
        isolated_on=record(isolated, SOCIAL_ISOLATION, 2.0, from_age=18),
        deficit_days=(person, day),
        fall_days=(fall_person, fall_day),
    )
