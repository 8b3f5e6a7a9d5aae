"""Audit references: a keyed pseudonym of an NHS number, and NHS numbers in free text shown as references."""

import re

from neighbourhood.governance import audit_references
from neighbourhood.governance.audit_references import normalise, pseudonymise, reference_for


def test_a_reference_is_twelve_hex_characters_in_groups_and_the_same_each_time():
    reference = reference_for("9990000026")

    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", reference)
    assert reference_for("9990000026") == reference
    assert reference_for("9990000034") != reference


def test_the_key_comes_from_the_environment_when_set(monkeypatch, settings):
    from_secret_key = reference_for("9990000026")
    settings.SECRET_KEY = "another secret key for this test only"
    from_another_secret_key = reference_for("9990000026")
    monkeypatch.setenv("NEIGHBOURHOOD_AUDIT_REFERENCE_KEY", "a key for references only")

    assert len({from_secret_key, from_another_secret_key, reference_for("9990000026")}) == 3


def test_a_typed_reference_is_read_in_any_case_with_or_without_dashes():
    assert normalise(" 3f9a11c2 7b0e ") == normalise("3F9A-11C2-7B0E") == "3F9A-11C2-7B0E"
    assert normalise("3F9A-11C2") is None
    assert normalise("3F9A-11C2-7B0G") is None
    assert normalise("") is None


def test_nhs_numbers_anywhere_in_a_detail_are_replaced_by_their_reference():
    shown = pseudonymise(
        {
            "reason": "Saw 999 000 0026 and 999-000-0034",
            "numbers": [9990000026, 12, 2.5, True],
            "9990000026": None,
        }
    )

    assert shown == {
        "reason": f"Saw {reference_for('9990000026')} and {reference_for('9990000034')}",
        "numbers": [reference_for("9990000026"), 12, 2.5, True],
        reference_for("9990000026"): None,
    }
    assert (
        audit_references.pseudonymise_text("run 12345, phone 01234 567890 1")
        == "run 12345, phone 01234 567890 1"
    )
