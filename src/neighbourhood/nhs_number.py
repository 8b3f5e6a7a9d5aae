"""NHS numbers: Modulus 11 validation, display format and synthetic test numbers.

Pure Python with no Django import, so the synthetic data generator, the loaders, forms, models
and the API all use the same rules. Synthetic numbers come only from the range reserved for
testing (starting 999).
"""

import numpy as np

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
TEST_RANGE_PREFIX = "999"


class InvalidNHSNumber(ValueError):
    """Raised with a message that says which check failed: length, digits or check digit."""


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no valid number can start with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - (total % 11)
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def normalise(value: str) -> str:
    """Strip the spaces and hyphens people type (`999 123 4567`, `999-123-4567`)."""
    return "".join(str(value).split()).replace("-", "")


def validate(value: str) -> str:
    """Return the 10-digit NHS number, or raise InvalidNHSNumber saying exactly what is wrong."""
    number = normalise(value)
    if not number:
        raise InvalidNHSNumber("Enter an NHS number")
    if not number.isascii() or not number.isdigit():
        raise InvalidNHSNumber("NHS number must contain only digits (spaces are allowed)")
    if len(number) != 10:
        raise InvalidNHSNumber(f"NHS number must be 10 digits long; this one has {len(number)}")
    expected = check_digit(number[:9])
    if expected is None:
        raise InvalidNHSNumber("NHS number is not valid: its first nine digits cannot have a check digit")
    if int(number[9]) != expected:
        raise InvalidNHSNumber(
            f"NHS number is not valid: the check digit (last digit) is {number[9]} but should be {expected}"
        )
    return number


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidNHSNumber:
        return False
    return True


def format_for_display(number: str) -> str:
    """`9991234567` -> `999 123 4567`, the format people read and type."""
    number = normalise(number)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def _test_range_numbers() -> np.ndarray:
    """Every valid NHS number in the reserved test range, ascending, as int64."""
    stems = np.arange(999_000_000, 1_000_000_000, dtype=np.int64)
    digits = np.stack([(stems // 10**p) % 10 for p in range(8, -1, -1)], axis=1)
    total = digits @ np.array(WEIGHTS, dtype=np.int64)
    check = (11 - total % 11) % 11
    valid = check != 10
    return stems[valid] * 10 + check[valid]


TEST_RANGE_CAPACITY = 909_091  # valid numbers among 999 000 000 0 .. 999 999 999 9 (asserted in tests)


def sample_test_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct valid NHS numbers from the reserved test range, as 10-character strings."""
    if count > TEST_RANGE_CAPACITY:
        raise ValueError(
            f"Asked for {count:,} synthetic NHS numbers but the reserved test range (999...) "
            f"holds only {TEST_RANGE_CAPACITY:,} valid ones"
        )
    pool = _test_range_numbers()
    chosen = rng.choice(pool, size=count, replace=False)
    return chosen.astype("U10")
