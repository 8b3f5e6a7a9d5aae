import datetime as dt
import re

import pytest

from neighbourhood.typed_dates import NotARealDate, typed_date


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("", "", ""), None),
        ((" 28 ", "2", "2027"), dt.date(2027, 2, 28)),
        (("29", "2", "2028"), dt.date(2028, 2, 29)),
        (("07", "05", "2027"), dt.date(2027, 5, 7)),
    ],
)
def test_blank_is_no_date_and_a_real_date_is_read(parts, expected):
    assert typed_date(*parts, label="Target date") == expected


@pytest.mark.parametrize(
    ("parts", "problem", "part"),
    [
        (("29", "2", "2027"), "Target date must be a real date, like 17 5 2027", "day"),
        (("1", "", "2027"), "Target date must include a month", "month"),
        (("", "", "2027"), "Target date must include a day and month", "day"),
        (("3", "", ""), "Target date must include a month and year", "month"),
        (("1", "2", "27"), "Target date must be a real date, like 17 5 2027", "day"),
        (("a", "2", "2027"), "Target date must be a real date, like 17 5 2027", "day"),
        (("１", "2", "2027"), "Target date must be a real date, like 17 5 2027", "day"),  # noqa: RUF001
        (("001", "2", "2027"), "Target date must be a real date, like 17 5 2027", "day"),
        (("1", "13", "2027"), "Target date must be a real date, like 17 5 2027", "day"),
    ],
)
def test_what_is_wrong_and_which_box(parts, problem, part):
    with pytest.raises(NotARealDate, match=re.escape(problem)) as raised:
        typed_date(*parts, label="Target date")
    assert raised.value.part == part


def test_the_example_can_suit_the_date():
    with pytest.raises(NotARealDate, match="like 17 5 1940"):
        typed_date("31", "4", "1940", label="Date of birth", example="17 5 1940")
