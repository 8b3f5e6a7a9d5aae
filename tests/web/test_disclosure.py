import pytest
from hypothesis import given
from hypothesis import strategies as st

from neighbourhood.disclosure import (
    safe_admitted,
    safe_amount_share,
    safe_count,
    safe_group,
    safe_proportion,
    safe_share,
)


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


@pytest.mark.parametrize(
    ("part", "whole", "text", "value"),
    [
        # the part, then the rest of the whole, at either side of the threshold
        (9, 100, "suppressed", None),
        (10, 100, "10.0%", 0.10),
        (0, 100, "suppressed", None),
        (91, 100, "suppressed", None),  # 9 are not in the part: 100% minus the share would show them
        (90, 100, "90.0%", 0.90),
        (100, 100, "suppressed", None),
        (10, 19, "suppressed", None),
        (10, 20, "50.0%", 0.50),
        # from the rounded counts: 12 of 40 is shown as 10 of 40, 13 of 212 as 15 of 210
        (12, 40, "25.0%", 0.25),
        (13, 212, "7.1%", 15 / 210),
        (1234, 5678, "21.7%", 1235 / 5680),
    ],
)
def test_proportions_need_the_part_and_the_rest_to_be_ten_or_more_and_use_the_rounded_counts(
    part, whole, text, value
):
    share = safe_proportion(part, whole)
    assert share.text == text
    assert share.suppressed == (value is None)
    assert share.value == (None if value is None else pytest.approx(value))
    assert safe_share(part, whole) == text


def test_proportions_of_impossible_counts_are_an_error():
    with pytest.raises(ValueError, match="cannot be negative"):
        safe_proportion(-1, 10)
    with pytest.raises(ValueError, match="cannot be larger"):
        safe_proportion(11, 10)


def test_proportions_can_have_fewer_decimals():
    assert safe_proportion(12, 40, decimals=0).text == "25%"


@given(st.integers(0, 5_000), st.integers(0, 5_000))
def test_a_shown_share_times_the_shown_whole_gives_back_only_the_shown_part(part, rest):
    """No count under 10 can be recovered: not the part (share x whole), nor the rest (whole - part)."""
    whole = part + rest
    share = safe_proportion(part, whole)
    assert share.suppressed == (part < 10 or rest < 10)
    if share.suppressed:
        return
    shown_whole = safe_count(whole).value
    recovered = share.value * shown_whole
    assert recovered == pytest.approx(safe_count(part).value)
    assert recovered >= 10 and shown_whole - recovered >= 10 - 1e-9


@pytest.mark.parametrize(
    ("amount", "total", "people", "all_people", "text"),
    [
        (30_000, 200_000, 12, 212, "15.0%"),
        (30_000, 200_000, 9, 212, "suppressed"),  # a few people's share says what they cost
        (30_000, 200_000, 10, 212, "15.0%"),
        (190_000, 200_000, 203, 212, "suppressed"),  # and so does 100% minus it for the few others
        (190_000, 200_000, 202, 212, "95.0%"),
        (0, 0, 50, 100, "none recorded"),
        (1, 3, 10, 20, "33.3%"),
    ],
)
def test_shares_of_spend_need_ten_people_in_the_group_and_ten_outside_it(
    amount, total, people, all_people, text
):
    assert safe_amount_share(amount, total, people=people, all_people=all_people).text == text


def test_shares_of_spend_of_impossible_groups_are_an_error():
    with pytest.raises(ValueError, match="negative"):
        safe_amount_share(-1, 10, people=10, all_people=20)
    with pytest.raises(ValueError, match="larger than the whole"):
        safe_amount_share(1, 10, people=21, all_people=20)


@pytest.mark.parametrize(
    ("people", "events", "shown_people", "shown_events", "because"),
    [
        (3, 0, "fewer than 10", "fewer than 10", "fewer than 10 people"),
        (9, 9, "fewer than 10", "fewer than 10", "fewer than 10 people"),
        # enough people: the label says it was the admissions that were too few, not the people
        (40, 9, "40", "fewer than 10", "fewer than 10 people admitted"),
        (14, 6, "15", "fewer than 10", "fewer than 10 people admitted"),
        # all but a few admitted: the admitted count would give the few away by subtraction
        (40, 31, "40", "suppressed", "fewer than 10 people not admitted"),
        (19, 10, "20", "suppressed", "fewer than 10 people not admitted"),
        (20, 10, "20", "10", ""),
        (40, 30, "40", "30", ""),
        (92, 31, "90", "30", ""),
    ],
)
def test_groups_say_which_count_was_too_small(people, events, shown_people, shown_events, because):
    group = safe_group(people, events)
    assert (group.people, group.events, group.suppressed_because) == (shown_people, shown_events, because)
    assert group.shown == (because == "")


def test_groups_with_more_events_than_people_are_an_error():
    with pytest.raises(ValueError, match="cannot happen"):
        safe_group(5, 6)


@pytest.mark.parametrize(
    ("people", "admitted", "all_admitted", "text"),
    [
        # 12 of 40 → 10 of 40; 12 of 23 admitted → 10 of 25
        (40, 12, 23, "25.0% were admitted; they were 40.0% of all 25 people admitted"),
        (40, 9, 100, "the share admitted is suppressed; their share of all people admitted is suppressed"),
        (5, 3, 43, "the share admitted is suppressed; their share of all people admitted is suppressed"),
        # only one of the 11 was not admitted: that share is suppressed, the other is not
        (11, 10, 50, "the share admitted is suppressed; they were 20.0% of all 50 people admitted"),
        # all but 8 admitted people were in the top: the capture is suppressed
        (100, 30, 38, "30.0% were admitted; their share of all people admitted is suppressed"),
        (None, 30, 38, "not shown: no counts to check for small numbers"),
        (100, None, 38, "not shown: no counts to check for small numbers"),
        (100, 30, None, "not shown: no counts to check for small numbers"),
    ],
)
def test_admitted_at_the_top_of_the_ranking_is_worked_out_from_counts(people, admitted, all_admitted, text):
    assert safe_admitted(people, admitted, all_admitted) == text
