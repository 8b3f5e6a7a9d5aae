import pytest

from neighbourhood.disclosure import safe_count, safe_share


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "fewer than 10"), (9, "fewer than 10"), (10, "10"), (12, "10"), (13, "15"), (1234, "1,235")],
)
def test_small_counts_are_suppressed_and_others_rounded_to_five(count, text):
    assert safe_count(count).text == text
    assert safe_count(count).suppressed == (count < 10)


def test_negative_counts_are_an_error():
    with pytest.raises(ValueError, match="cannot be negative"):
        safe_count(-1)


def test_shares_are_suppressed_when_either_side_is_small():
    assert safe_share(5, 100) == "suppressed"
    assert safe_share(25, 100) == "25.0%"
