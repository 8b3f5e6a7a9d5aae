"""Date windows. Everything "before the index date" means strictly before it; the index date itself is
follow-up."""

import datetime as dt
from dataclasses import dataclass


def years_before(day: dt.date, years: int = 1) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: dt.date, years: int = 1) -> dt.date:
    return years_before(day, -years)


@dataclass(frozen=True)
class Window:
    """[start, end): the 12 months up to (not including) `end`."""

    start: dt.date
    end: dt.date

    @classmethod
    def year_before(cls, end: dt.date) -> "Window":
        return cls(start=years_before(end), end=end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days
