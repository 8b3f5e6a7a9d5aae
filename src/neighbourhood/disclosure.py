"""Statistical disclosure control: the one function that every aggregate shown to analysts or exported
goes through.

Counts below the threshold (default 10, the NHS England small-number convention for published figures) are
shown as "fewer than 10"; other counts are rounded to the nearest 5 so that suppressed cells cannot be
recovered by subtraction from totals.
"""

from dataclasses import dataclass

SUPPRESSION_THRESHOLD = 10
ROUND_TO = 5


@dataclass(frozen=True)
class SafeCount:
    value: int | None  # None when suppressed
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


def safe_count(count: int, *, threshold: int = SUPPRESSION_THRESHOLD, round_to: int = ROUND_TO) -> SafeCount:
    if count < 0:
        raise ValueError("A count cannot be negative")
    if count < threshold:
        return SafeCount(None, f"fewer than {threshold}")
    rounded = int(round_to * round(count / round_to))
    return SafeCount(rounded, f"{rounded:,}")


def safe_share(part: int, whole: int, *, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """A percentage, suppressed when either count is small."""
    if part < threshold or whole < threshold:
        return "suppressed"
    return f"{100 * part / whole:.1f}%"
