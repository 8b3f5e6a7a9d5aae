"""How things are shown to people: NHS numbers, dates, ages, money. Templates call these as filters."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from neighbourhood.nhs_number import format_for_display


def nhs_number(value: str | None) -> str:
    return format_for_display(value) if value else ""


def long_date(value: dt.date | dt.datetime | None) -> str:
    """23 November 2026"""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def short_date(value: dt.date | dt.datetime | None) -> str:
    """23 Nov 2026"""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def date_time(value: dt.datetime | None) -> str:
    """23 November 2026 at 2:05pm"""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.hour % 12 or 12
    return f"{long_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class Age:
    """A person's age on the date the figures beside it describe, and which date that is."""

    years: int
    on: dt.date
    when_they_died: bool = False

    @property
    def label(self) -> str:
        """Age on 1 April 2026 (, when they died)"""
        return f"Age on {long_date(self.on)}" + (", when they died" if self.when_they_died else "")

    def __str__(self) -> str:
        return str(self.years)


def age_on(date_of_birth: dt.date | None, on: dt.date, date_of_death: dt.date | None = None) -> Age | None:
    """The one rule for ages, everywhere: whole years on `on`, the date the figures describe (a record's
    "Shows what was known on" date, a case-finding run's data date), never silently today. Someone who had
    died by then is given their age when they died."""
    if date_of_birth is None:
        return None
    died = date_of_death is not None and date_of_death < on
    if died:
        on = date_of_death
    years = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    return Age(years, on, died)


def age(date_of_birth: dt.date | None, on: dt.date, date_of_death: dt.date | None = None) -> int | None:
    """Just the years of `age_on`."""
    result = age_on(date_of_birth, on, date_of_death)
    return None if result is None else result.years


def gbp(value: float | None) -> str:
    """£1,234 (whole pounds; pence add nothing to a population view)."""
    return "" if value is None else f"£{value:,.0f}"
