"""The rules a care and support plan must keep. Each returns the problem in words, or None when it is kept."""

import calendar
import datetime as dt

# People on the proactive care register have their plan reviewed at least quarterly.
REGISTER_REVIEW_MONTHS = 3


class NotARealDate(ValueError):
    pass


def date_from_parts(day: str, month: str, year: str, *, label: str) -> dt.date | None:
    """A date typed in the NHS.UK date input's three boxes: None when all are blank, else a real date or
    NotARealDate saying what is wrong."""
    parts = [(part or "").strip() for part in (day, month, year)]
    if not any(parts):
        return None
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        raise NotARealDate(f"{label} must include a {' and '.join(missing)}")
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts[2]) != 4:
        raise NotARealDate(f"{label} must be a real date, like 17 5 2027")
    try:
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError as error:
        raise NotARealDate(f"{label} must be a real date, like 17 5 2027") from error


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day if it is shorter (30 November ->
    28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_review_date(*, today: dt.date, on_register: bool) -> dt.date | None:
    """The latest next review date allowed, or None when there is no limit."""
    return months_after(today, REGISTER_REVIEW_MONTHS) if on_register else None


def next_review_problem(next_review: dt.date | None, *, today: dt.date, on_register: bool) -> str | None:
    if next_review is None:
        return "Enter the next review date"
    if next_review < today:
        return "Next review date must be today or in the future"
    latest = latest_review_date(today=today, on_register=on_register)
    if latest is not None and next_review > latest:
        return (
            "Next review date must be within 3 months for someone on the proactive care register: "
            f"on or before {latest.day} {latest:%B %Y}"
        )
    return None


def dated_decision_problem(
    in_place: bool, decided_on: dt.date | None, *, today: dt.date, label: str
) -> str | None:
    """A DNACPR decision or ReSPECT form in place needs the date it was made, never in the future."""
    if in_place and decided_on is None:
        return f"Enter the {label}"
    if decided_on is not None and decided_on > today:
        return f"{label[0].upper()}{label[1:]} must be today or in the past"
    return None


def agreed_on_problem(agreed_on: dt.date | None, *, today: dt.date) -> str | None:
    if agreed_on is not None and agreed_on > today:
        return "Date agreed must be today or in the past"
    return None


def is_overdue(next_review: dt.date | None, *, today: dt.date) -> bool:
    return next_review is not None and next_review < today
