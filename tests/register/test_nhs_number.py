import re

import numpy as np
import pytest

from neighbourhood import nhs_number
from neighbourhood.nhs_number import InvalidNHSNumber, validate


@pytest.mark.parametrize(
    "value", ["9434765919", "943 476 5919", "943-476-5919", "9990000018", "4010232137", " 9434765870 "]
)
def test_valid_numbers_are_accepted_and_normalised(value):
    assert validate(value) == "".join(value.split()).replace("-", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter an NHS number"),
        ("943476591", "must be 10 digits long; this one has 9"),
        ("94347659190", "must be 10 digits long; this one has 11"),
        ("94347659A9", "must contain only digits"),
        ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "must contain only digits"),
        ("9434765918", "check digit (last digit) is 8 but should be 9"),
        ("9990000010", "check digit (last digit) is 0 but should be 8"),
        ("1000000010", "cannot have a check digit"),
    ],
)
def test_invalid_numbers_say_which_check_failed(value, message):
    with pytest.raises(InvalidNHSNumber, match=re.escape(message)):
        validate(value)


def test_display_format_groups_three_three_four():
    assert nhs_number.format_for_display("9434765919") == "943 476 5919"


def test_test_range_capacity_is_what_we_claim():
    pool = nhs_number._test_range_numbers()
    assert len(pool) == nhs_number.TEST_RANGE_CAPACITY
    assert all(str(n).startswith("999") and nhs_number.is_valid(str(n)) for n in pool[::997])


def test_sampled_test_numbers_are_unique_valid_and_seeded():
    first = nhs_number.sample_test_numbers(np.random.default_rng(7), 5000)
    again = nhs_number.sample_test_numbers(np.random.default_rng(7), 5000)
    assert list(first) == list(again)
    assert len(set(first)) == 5000
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in first)


def test_asking_for_more_than_the_test_range_holds_is_a_clear_error():
    with pytest.raises(ValueError, match="holds only 909,091"):
        nhs_number.sample_test_numbers(np.random.default_rng(1), 1_000_000)
