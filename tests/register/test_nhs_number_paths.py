"""The same NHS number gets the same message whether it comes through the model, the search form or a load."""

import pytest
from django.core.exceptions import ValidationError

from neighbourhood.nhs_number import InvalidNHSNumber, validate
from neighbourhood.register.forms import PersonSearchForm
from neighbourhood.register.models import Person

CHECK_DIGIT_MESSAGE = "NHS number is not valid: the check digit (last digit) is 8 but should be 9"


def expected_message(value: str) -> str:
    with pytest.raises(InvalidNHSNumber) as error:
        validate(value)
    return str(error.value)


def test_model_full_clean_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as error:
        Person(nhs_number="9434765918").full_clean()
    assert error.value.message_dict["nhs_number"] == [CHECK_DIGIT_MESSAGE]


@pytest.mark.parametrize("value", ["9434765918", "943476591", "94347A5919", "1000000010"])
def test_search_form_gives_the_validator_message(value):
    form = PersonSearchForm({"nhs_number": value})
    assert not form.is_valid()
    assert form.errors["nhs_number"] == [expected_message(value)]


def test_search_form_accepts_spaced_numbers_and_normalises_them():
    form = PersonSearchForm({"nhs_number": "943 476 5919"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nhs_number"] == "9434765919"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "__all__", "Enter an NHS number, or a family name and date of birth"),
        ({"family_name": "Archer"}, "dob_day", "Enter a date of birth to search with a family name"),
        ({"family_name": "Archer", "dob_day": "17", "dob_month": "5"}, "dob_year", "must include a year"),
        (
            {"family_name": "Archer", "dob_day": "31", "dob_month": "2", "dob_year": "1940"},
            "dob_day",
            "real date",
        ),
        ({"dob_day": "17", "dob_month": "5", "dob_year": "1940"}, "family_name", "Enter a family name"),
    ],
)
def test_name_search_says_what_is_missing(data, field, message):
    form = PersonSearchForm({"nhs_number": "", **data})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])
