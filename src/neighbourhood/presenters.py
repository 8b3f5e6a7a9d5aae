"""How things are shown to people: NHS numbers, dates, ages, money. Templates call these as filters."""

import datetime as dt

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


def age(date_of_birth: dt.date | None, on: dt.date | None = None) -> int | None:
    """Whole years on `on` (today by default)."""
    if date_of_birth is None:
        return None
    on = on or timezone.localdate()
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def gbp(value: float | None) -> str:
    """£1,234 (whole pounds; pence add nothing to a population view)."""
    return "" if value is None else f"£{value:,.0f}"
