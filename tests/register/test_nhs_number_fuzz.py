"""Properties of the NHS number rules (neighbourhood.nhs_number), checked with hypothesis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neighbourhood import nhs_number
from neighbourhood.nhs_number import InvalidNHSNumber

FUZZ = settings(deadline=None, derandomize=True, database=None)

nine_digits = st.text("0123456789", min_size=9, max_size=9)
valid_numbers = nine_digits.filter(lambda d: nhs_number.check_digit(d) is not None).map(
    lambda d: d + str(nhs_number.check_digit(d))
)


def weighted_total(number: str) -> int:
    """Modulus 11 with the check digit weighted 1: a valid number's total is a multiple of 11."""
    return sum(int(d) * w for d, w in zip(number, (*nhs_number.WEIGHTS, 1), strict=True))


@settings(FUZZ, max_examples=500)
@given(value=st.text(max_size=16) | st.text("0123456789 -", max_size=16))
def test_any_text_is_a_valid_number_or_a_clear_refusal(value):
    try:
        number = nhs_number.validate(value)
    except InvalidNHSNumber as error:
        assert not nhs_number.is_valid(value)
        assert str(error).startswith(("Enter an NHS number", "NHS number "))
    else:
        assert nhs_number.is_valid(value)
        assert len(number) == 10 and number.isascii() and number.isdigit()
        assert number == nhs_number.normalise(value)
        assert weighted_total(number) % 11 == 0


@settings(FUZZ, max_examples=300)
@given(
    number=valid_numbers,
    gaps=st.lists(st.sampled_from(["", " ", "-", "\t", "\u00a0"]), min_size=9, max_size=9),
)
def test_validate_normalise_and_display_format_round_trip(number, gaps):
    typed = "".join(d + g for d, g in zip(number, gaps, strict=False)) + number[9]
    assert nhs_number.normalise(typed) == number
    assert nhs_number.validate(typed) == number
    shown = nhs_number.format_for_display(number)
    assert shown == f"{number[:3]} {number[3:6]} {number[6:]}"
    assert nhs_number.validate(shown) == number
    assert nhs_number.format_for_display(shown) == shown


@settings(FUZZ, max_examples=300)
@given(number=valid_numbers, position=st.integers(0, 9), digit=st.integers(0, 9))
def test_any_single_mistyped_digit_is_caught(number, position, digit):
    """Modulus 11 catches every one-digit error: the weights are all non-zero modulo 11."""
    if int(number[position]) == digit:
        digit = (digit + 1) % 10
    mistyped = number[:position] + str(digit) + number[position + 1 :]
    assert not nhs_number.is_valid(mistyped)


@settings(FUZZ, max_examples=300)
@given(number=valid_numbers, position=st.integers(0, 8))
def test_any_two_swapped_neighbouring_digits_are_caught(number, position):
    """Neighbouring weights differ by one, so swapping two different digits changes the total."""
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    assert nhs_number.is_valid(swapped) == (a == b)


@settings(FUZZ, max_examples=300)
@given(first_nine=nine_digits)
def test_the_check_digit_makes_the_total_a_multiple_of_eleven_or_there_is_none(first_nine):
    digit = nhs_number.check_digit(first_nine)
    completions = [d for d in range(10) if weighted_total(first_nine + str(d)) % 11 == 0]
    assert completions == ([] if digit is None else [digit])


@pytest.fixture(scope="module")
def every_test_range_number():
    return set(nhs_number._test_range_numbers().tolist())


@settings(FUZZ, max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(0, 300))
def test_the_test_range_generator_gives_distinct_valid_999_numbers(seed, count):
    numbers = nhs_number.sample_test_numbers(np.random.default_rng(seed), count)
    assert len(numbers) == count == len(set(numbers))
    for number in numbers:
        assert isinstance(number, str | np.str_) and len(number) == 10
        assert number.startswith(nhs_number.TEST_RANGE_PREFIX)
        assert nhs_number.validate(number) == number
        assert weighted_total(number) % 11 == 0
    assert list(nhs_number.sample_test_numbers(np.random.default_rng(seed), count)) == list(numbers)


@settings(FUZZ, max_examples=200)
@given(stem=st.integers(999_000_000, 999_999_999))
def test_the_test_range_holds_every_valid_999_number_and_nothing_else(every_test_range_number, stem):
    digit = nhs_number.check_digit(str(stem))
    in_range = {stem * 10 + d for d in range(10)} & every_test_range_number
    assert in_range == (set() if digit is None else {stem * 10 + digit})
