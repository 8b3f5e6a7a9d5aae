"""A date typed into the NHS.UK date input's three boxes (day, month, year): the one rule for reading it and
for what to tell the user when it is not a real date. Forms decide what else a date must be (not in the
past, before another date...)."""

import datetime as dt

PARTS = ("day", "month", "year")


class NotARealDate(ValueError):
    """`str()` is the message for the user; `part` is the box it belongs to ("day", "month" or "year")."""

    def __init__(self, message: str, *, part: str = "day"):
        super().__init__(message)
        self.part = part


def typed_date(day: str, month: str, year: str, *, label: str, example: str = "17 5 2027") -> dt.date | None:
    """None when all three boxes are blank; else the date, or NotARealDate saying what is wrong, e.g.
    "Review date must include a month" or "Review date must be a real date, like 17 5 2027"."""
    parts = [(part or "").strip() for part in (day, month, year)]
    if not any(parts):
        return None
    missing = [name for name, part in zip(PARTS, parts, strict=True) if not part]
    if missing:
        raise NotARealDate(f"{label} must include a {' and '.join(missing)}", part=missing[0])
    not_real = NotARealDate(f"{label} must be a real date, like {example}")
    day_text, month_text, year_text = parts
    if (
        not all(part.isascii() and part.isdigit() for part in parts)
        or len(year_text) != 4
        or len(day_text) > 2
        or len(month_text) > 2
    ):
        raise not_real
    try:
        return dt.date(int(year_text), int(month_text), int(day_text))
    except ValueError as error:
        raise not_real from error
