import pytest

from neighbourhood import nhs_number, person_key
from neighbourhood.person_key import (
    NHS_NUMBER,
    PSEUDONYM,
    PSEUDONYM_ALPHABET,
    PSEUDONYM_PATTERN,
    is_pseudonym,
    kind_of,
    synthetic_pseudonyms,
)


def test_a_pseudonym_is_p_and_fifteen_crockford_characters():
    keys = synthetic_pseudonyms(seed=1, start=0, count=2_000)
    assert all(len(key) == person_key.PSEUDONYM_LENGTH == 16 for key in keys)
    assert all(PSEUDONYM_PATTERN.match(key) for key in keys)
    assert all(key[0] == "P" and set(key[1:]) <= set(PSEUDONYM_ALPHABET) for key in keys)
    # Crockford's base32 leaves out the letters read as digits (I, L, O) and U
    assert not set("ILOU") & set(PSEUDONYM_ALPHABET)
    # every character of the alphabet turns up: the body is not, say, only digits
    assert set("".join(key[1:] for key in keys)) == set(PSEUDONYM_ALPHABET)


@pytest.mark.parametrize(
    "key",
    [
        "P000000000000000",  # an all-digit body
        "P999123456700000",  # an all-digit body starting like a test-range NHS number
        "P" + "9" * 15,
    ],
)
def test_a_pseudonym_never_passes_as_an_nhs_number_even_with_an_all_digit_body(key):
    assert is_pseudonym(key)
    assert kind_of(key) == PSEUDONYM
    assert not nhs_number.is_valid(key)
    with pytest.raises(nhs_number.InvalidNHSNumber, match="only digits"):
        nhs_number.validate(key)


def test_no_synthetic_pseudonym_passes_as_an_nhs_number():
    keys = synthetic_pseudonyms(seed=7, start=0, count=5_000)
    assert not any(nhs_number.is_valid(key) for key in keys)
    assert {kind_of(key) for key in keys} == {PSEUDONYM}


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("9990000018", NHS_NUMBER),
        ("9990000017", None),  # wrong check digit
        ("P00000000000000", None),  # one character short
        ("P0000000000000000", None),  # one too many
        ("Q000000000000000", None),  # not the prefix
        ("P00000000000000I", None),  # I is not in Crockford's alphabet
        ("p000000000000000", None),  # lower case is not the form written
        ("", None),
        (None, None),
        (9990000018, None),  # a number, not a string
    ],
)
def test_kind_of_tells_an_nhs_number_from_a_pseudonym_and_from_neither(value, kind):
    assert kind_of(value) == kind


def test_the_same_seed_and_person_give_the_same_pseudonym_whatever_the_chunking():
    whole = synthetic_pseudonyms(seed=11, start=0, count=1_000)
    assert list(synthetic_pseudonyms(seed=11, start=0, count=1_000)) == list(whole)
    in_parts = [*synthetic_pseudonyms(11, 0, 300), *synthetic_pseudonyms(11, 300, 700)]
    assert in_parts == list(whole)
    assert synthetic_pseudonyms(11, 999, 1)[0] == whole[999]


def test_another_seed_gives_other_pseudonyms():
    assert not set(synthetic_pseudonyms(11, 0, 1_000)) & set(synthetic_pseudonyms(12, 0, 1_000))


def test_pseudonyms_are_unique_over_200_000_people():
    keys = synthetic_pseudonyms(seed=2026, start=0, count=200_000)
    assert len(set(keys)) == 200_000
