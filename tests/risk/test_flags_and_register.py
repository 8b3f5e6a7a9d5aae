"""Wokingham flag and register rules on small hand-made frames (the engines only supply these columns)."""

import pandas as pd
import pytest

from neighbourhood.risk.flags import WokinghamThresholds, in_top_cost, wokingham
from neighbourhood.risk.register import Exclusion, Nomination, RegisterRules, select_register


def people_frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "hospital_cost_12m": 0.0,
        "social_care_cost_12m": 0.0,
        "emergency_admissions_12m": 0,
        "falls_12m": 0,
        "unstable_ltc_count": 0,
        "repeat_oral_medicines": 0,
        "ae_attendances_12m": 0,
        "self_medication_concern": 0,
    }
    return pd.DataFrame([base | row for row in rows])


def test_top_cost_takes_the_costliest_tenth_and_nobody_with_no_cost():
    cost = pd.Series([100.0, 90.0, 90.0, 5.0] + [0.0] * 16)
    assert list(in_top_cost(cost, 0.10)) == [True, True, True] + [False] * 17  # tie at the cut-off kept
    assert not in_top_cost(pd.Series([0.0] * 20), 0.10).any()


def test_flag_needs_top_cost_and_a_criterion_and_says_which():
    rows = [
        {"hospital_cost_12m": 9000.0, "emergency_admissions_12m": 2, "falls_12m": 3},  # flagged: two reasons
        {"hospital_cost_12m": 8000.0, "social_care_cost_12m": 500.0},  # top cost, no criterion
        {"hospital_cost_12m": 10.0, "emergency_admissions_12m": 5},  # criterion, not top cost
    ] + [{"hospital_cost_12m": 1.0}] * 17
    flag, reasons = wokingham(people_frame(rows), WokinghamThresholds())
    assert list(flag[:3]) == [True, False, False]
    assert reasons[0] == [
        "Top 10% of health and social care cost",
        "2 unplanned admissions in the last year",
        "3 falls in the last year",
    ]
    assert reasons[1] == [] and reasons[2] == []


def test_thresholds_are_configurable():
    rows = [{"hospital_cost_12m": 9000.0, "ae_attendances_12m": 3}] + [{"hospital_cost_12m": 1.0}] * 19
    frame = people_frame(rows)
    assert not wokingham(frame, WokinghamThresholds())[0][0]
    flag, reasons = wokingham(frame, WokinghamThresholds(frequent_ae_attendances=3))
    assert flag[0]
    assert "Frequent A&E attender (3 visits in the last year)" in reasons[0]


def ranked(count: int, child_at: int | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "nhs_number": [f"P{i:03d}" for i in range(count)],
            "age": [70] * count,
            "risk_rank": range(1, count + 1),
        }
    )
    if child_at is not None:
        frame.loc[child_at, "age"] = 9
    return frame


def test_register_fills_past_exclusions_to_keep_two_percent():
    people = ranked(200)
    selection = select_register(people, rules=RegisterRules(), exclusions=[Exclusion("P000", "declined")])
    on = set(people["nhs_number"][selection.on_register])
    assert on == {"P001", "P002", "P003", "P004"}  # 2% of 200 = 4, the excluded person skipped
    assert selection.reasons[0] == ["Excluded by a clinician: declined"]


def test_nominated_child_joins_and_exclusion_wins_over_nomination():
    people = ranked(100, child_at=50)
    selection = select_register(
        people,
        rules=RegisterRules(),
        nominations=[
            Nomination("P050", "Complex needs", "Dr Shah"),
            Nomination("P060", "Carer", "Nurse Lee"),
        ],
        exclusions=[Exclusion("P060", "moved away")],
    )
    assert selection.on_register[50] and not selection.on_register[60]
    assert selection.reasons[50] == ["Nominated by Dr Shah: Complex needs"]
    assert set(selection.entrants["nhs_number"]) == {"P000", "P001", "P050"}


def test_previous_members_stay_and_leavers_say_why():
    people = ranked(100)
    selection = select_register(
        people,
        rules=RegisterRules(),
        previous_register=["P099", "P098", "GONE", "DIED"],
        exclusions=[Exclusion("P098", "end of life care elsewhere")],
        departures={"DIED": "Died"},
    )
    assert selection.on_register[99]
    leavers = dict(zip(selection.leavers["nhs_number"], selection.leavers["reason"], strict=True))
    assert leavers == {
        "P098": "Removed by a clinician: end of life care elsewhere",
        "DIED": "Died",
        "GONE": "No longer in the data (left the practice or the record was removed)",
    }


@pytest.mark.parametrize("fraction", [0.02, 0.05])
def test_register_size_follows_the_configured_fraction(fraction):
    people = ranked(1000)
    selection = select_register(people, rules=RegisterRules(adult_fraction=fraction))
    assert selection.on_register.sum() == round(fraction * 1000)
