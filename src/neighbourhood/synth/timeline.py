"""The generator's calendar: dates as int32 days since 1970-01-01, the form Parquet date32 stores."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
HISTORY_DAYS = 3 * 365 + 1  # hospital and GP activity for the three years before the index date
FOLLOW_UP_DAYS = 365  # and the twelve months after it
NEVER = 2**31 - 1  # "no date" in day arrays (no death), larger than any real day


def to_day(value: date) -> int:
    return (value - EPOCH).days


def from_day(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


@dataclass(frozen=True)
class Timeline:
    index_date: date

    @property
    def index(self) -> int:
        return to_day(self.index_date)

    @property
    def history_start(self) -> int:
        return self.index - HISTORY_DAYS

    @property
    def follow_up_end(self) -> int:
        """Last day of follow-up (inclusive)."""
        return self.index + FOLLOW_UP_DAYS - 1

    def observed_from(self, date_of_birth: np.ndarray) -> np.ndarray:
        """Per person, the first day activity can happen: the history start, or birth if later."""
        return np.maximum(self.history_start, date_of_birth)

    def observed_until(self, death: np.ndarray) -> np.ndarray:
        """Per person, the last day activity can happen: the day before death, or the end of follow-up if
        earlier."""
        return np.minimum(death - 1, self.follow_up_end)


def poisson_days(
    rng: np.random.Generator, start: np.ndarray, end: np.ndarray, per_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson-many days per person at `per_year`, uniform in [start, end]; returns (person, day)."""
    span = np.maximum(end - start + 1, 0)
    count = rng.poisson(per_year * span / 365.25)
    person = np.repeat(np.arange(len(start)), count)
    day = start[person] + np.floor(rng.random(len(person)) * span[person]).astype(np.int64)
    return person, day
