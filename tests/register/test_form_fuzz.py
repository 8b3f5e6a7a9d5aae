"""Fuzzing the find-a-person form (NHS number, or family name and date of birth) with hypothesis.

Any text in any field gives clean data or field errors that say what is wrong, never an exception and
never a message that contradicts what was typed; through the page, a signed-in GP gets the page with an
error summary, the results, or a redirect to the one person found, never a server error.
"""

import datetime as dt
import html

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neighbourhood import nhs_number
from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance.roles import Role
from neighbourhood.register.forms import PersonSearchForm
from tests.factories import PersonFactory, staff

FUZZ = settings(deadline=None, derandomize=True, database=None)
FIELDS = ("nhs_number", "family_name", "dob_day", "dob_month", "dob_year")
DATE_PARTS = ("dob_day", "dob_month", "dob_year")
NOT_A_REAL_DATE = "Date of birth must be a real date, like 17 5 1940"

# Text as a browser can send it: any characters but lone surrogates, which UTF-8 cannot carry.
any_text = st.text(st.characters(codec="utf-8"), max_size=20)
short_digits = st.integers(0, 99).map(str) | st.integers(0, 9).map(lambda n: f"0{n}")
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "0",
        "00",
        "000",
        "31",
        "32",
        "0000",
        "9999",
        "-1",
        "1.5",
        "१२",
        "١٢",
        "A" * 101,
        "O'Brien",
    ]
)
field_text = st.one_of(any_text, short_digits, tricky_text, st.integers(0, 10_000).map(str))
any_form_data = st.fixed_dictionaries({}, optional={name: field_text for name in FIELDS})

nine_digits = st.text("0123456789", min_size=9, max_size=9)
valid_numbers = nine_digits.filter(lambda d: nhs_number.check_digit(d) is not None).map(
    lambda d: d + str(nhs_number.check_digit(d))
)
separators = st.sampled_from(["", " ", "  ", "-", "\t", "\u00a0", " - "])


def spaced(number: str, gaps: list[str], before: str, after: str) -> str:
    """`number` typed with any of the gaps people leave (3-3-4 or anywhere), and spaces around it."""
    return before + "".join(digit + gap for digit, gap in zip(number, gaps, strict=True)) + after


def assert_errors_are_sentences(form: PersonSearchForm) -> None:
    for name, messages in form.errors.items():
        assert name == "__all__" or name in FIELDS
        assert messages, name
        for message in messages:
            assert isinstance(message, str) and message[:1].isupper() and len(message) > 10, (name, message)
        assert len(set(messages)) == len(messages), f"{name} repeats a message: {messages}"
    items = error_summary_items(form)
    assert len(items) == sum(len(m) for m in form.errors.values())
    assert all(item["href"].lstrip("#") in FIELDS for item in items)


@settings(FUZZ, max_examples=500)
@given(data=any_form_data)
def test_any_text_gives_clean_data_or_errors_that_say_what_is_wrong(data):
    form = PersonSearchForm(data)
    if not form.is_valid():
        assert_errors_are_sentences(form)
        typed = {name: data.get(name, "").strip() for name in FIELDS}
        messages = {name: " ".join(form.errors.get(name, [])) for name in FIELDS}
        # A message about something missing is never shown for something that was typed.
        assert not (typed["family_name"] and "Enter a family name" in messages["family_name"])
        for name, part in zip(DATE_PARTS, ("day", "month", "year"), strict=True):
            if typed[name]:
                assert f"include a {part}" not in " ".join(messages.values())
        if any(typed.values()):
            assert "__all__" not in form.errors
        return
    search = form.cleaned_data
    if search["kind"] == "nhs_number":
        assert nhs_number.is_valid(search["nhs_number"]) and len(search["nhs_number"]) == 10
    else:
        assert search["kind"] == "name_and_date_of_birth"
        assert search["family_name"] == search["family_name"].strip() != ""
        assert len(search["family_name"]) <= 100
        assert dt.date(1, 1, 1) <= search["date_of_birth"] <= timezone.localdate()


@settings(FUZZ, max_examples=200)
@given(
    number=valid_numbers,
    gaps=st.lists(separators, min_size=10, max_size=10),
    before=st.sampled_from(["", " ", "\t"]),
    after=st.sampled_from(["", " ", "\n"]),
    other=any_form_data,
)
def test_a_valid_nhs_number_is_accepted_however_it_is_spaced(number, gaps, before, after, other):
    form = PersonSearchForm({**other, "nhs_number": spaced(number, gaps, before, after)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nhs_number"] == number
    assert form.cleaned_data["kind"] == "nhs_number"


@settings(FUZZ, max_examples=200)
@given(first_nine=nine_digits, last=st.text("0123456789", min_size=1, max_size=1))
def test_a_wrong_check_digit_is_rejected_saying_so(first_nine, last):
    expected = nhs_number.check_digit(first_nine)
    if expected is not None and int(last) == expected:
        last = str((expected + 1) % 10)
    form = PersonSearchForm({"nhs_number": nhs_number.format_for_display(first_nine + last)})
    assert not form.is_valid()
    if expected is None:
        assert form.errors["nhs_number"] == [
            "NHS number is not valid: its first nine digits cannot have a check digit"
        ]
    else:
        assert form.errors["nhs_number"] == [
            f"NHS number is not valid: the check digit (last digit) is {last} but should be {expected}"
        ]


@settings(FUZZ, max_examples=300)
@given(day=st.integers(0, 99), month=st.integers(0, 99), year=st.integers(0, 9999), padded=st.booleans())
def test_a_date_of_birth_is_accepted_only_if_it_is_real_and_past(day, month, year, padded):
    parts = [f"{day:02d}" if padded else str(day), f"{month:02d}" if padded else str(month), f"{year:04d}"]
    form = PersonSearchForm({"family_name": "Archer", **dict(zip(DATE_PARTS, parts, strict=True))})
    try:
        born = dt.date(year, month, day)
    except ValueError:
        born = None  # 31 February, month 13, day 0, year 0...
    if born is None:
        assert form.errors == {"dob_day": [NOT_A_REAL_DATE]}
    elif born > timezone.localdate():
        assert form.errors == {"dob_day": ["Date of birth must be in the past"]}
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["date_of_birth"] == born


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "1940"), ("29", "2", "1900"), ("1", "1", "0000"), ("1", "13", "1940"), ("123", "5", "1940")],
)
def test_impossible_dates_are_rejected_naming_the_date_of_birth(day, month, year):
    form = PersonSearchForm({"family_name": "Archer", "dob_day": day, "dob_month": month, "dob_year": year})
    assert form.errors == {"dob_day": [NOT_A_REAL_DATE]}
    assert form.date_error() == {"text": NOT_A_REAL_DATE}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        # Each field's own check (too long, a null character) used to come with a second message saying
        # the field was missing.
        (
            {"family_name": "Archer", "dob_day": "123", "dob_month": "5", "dob_year": "1940"},
            {"dob_day": [NOT_A_REAL_DATE]},
        ),
        (
            {"family_name": "Archer", "dob_day": "1", "dob_month": "5", "dob_year": "19400"},
            {"dob_day": [NOT_A_REAL_DATE]},
        ),
        (
            {"family_name": "A" * 101, "dob_day": "1", "dob_month": "5", "dob_year": "1940"},
            {"family_name": ["Family name must be 100 characters or fewer"]},
        ),
        (
            {"family_name": "Ar\x00cher", "dob_day": "1", "dob_month": "5", "dob_year": "1940"},
            {"family_name": ["Family name contains a character that cannot be searched for"]},
        ),
        (
            {"nhs_number": "943\x00"},
            {"nhs_number": ["NHS number must contain only digits (spaces are allowed)"]},
        ),
    ],
)
def test_a_field_that_fails_its_own_check_gets_one_message(data, errors):
    form = PersonSearchForm(data)
    assert form.errors == errors


@pytest.fixture
def gp_with_a_patient(client, db):
    person = PersonFactory()
    client.force_login(staff(Role.GP, person.practice.organisation))
    return client, person


@settings(FUZZ, max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=any_form_data, find_the_patient=st.booleans(), gaps=st.lists(separators, min_size=10, max_size=10)
)
def test_the_search_page_shows_errors_or_results_or_opens_the_record(
    gp_with_a_patient, data, find_the_patient, gaps
):
    client, person = gp_with_a_patient
    if find_the_patient:
        data = {**data, "nhs_number": spaced(person.nhs_number, gaps, "", "")}
    form = PersonSearchForm(data)

    response = client.get("/people/", {name: value for name, value in data.items()})

    if find_the_patient:
        assert response.status_code == 302
        assert response["Location"] == f"/people/{person.nhs_number}/"
        return
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    if data and not form.is_valid():
        assert "There is a problem" in page
        for messages in form.errors.values():
            for message in messages:
                assert html.escape(message) in page
    elif data:
        assert "Results" in page
