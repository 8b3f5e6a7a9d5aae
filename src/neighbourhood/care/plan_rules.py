"""The rules a care and support plan must keep. Each returns the problem in words, or None when it is kept."""

import calendar
import datetime as dt

# People on the proactive care register have their plan reviewed at least quarterly.
REGISTER_REVIEW_MONTHS = 3


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
