"""The person search form, and the helper that turns any bound form's errors into the NHS.UK error summary."""

import datetime as dt

from django import forms
from django.utils import timezone

from neighbourhood import nhs_number
from neighbourhood.typed_dates import PARTS, NotARealDate, typed_date


def field_error(form: forms.Form, name: str) -> dict | None:
    """`errorMessage` for an NHS.UK input macro, or None when the field is fine."""
    errors = form.errors.get(name) if form.is_bound else None
    return {"text": " ".join(str(e) for e in errors)} if errors else None


class PersonSearchForm(forms.Form):
    """Find a person by NHS number, or by family name and date of birth."""

    nhs_number = forms.CharField(  # no max_length: `validate` says what is wrong
        required=False,
        error_messages={
            "null_characters_not_allowed": "NHS number must contain only digits (spaces are allowed)"
        },
    )
    family_name = forms.CharField(
        required=False,
        max_length=100,
        error_messages={
            "max_length": "Family name must be 100 characters or fewer",
            "null_characters_not_allowed": "Family name contains a character that cannot be searched for",
        },
    )
    dob_day = forms.CharField(required=False, max_length=2)
    dob_month = forms.CharField(required=False, max_length=2)
    dob_year = forms.CharField(required=False, max_length=4)

    DATE_PARTS = ("dob_day", "dob_month", "dob_year")
    NOT_A_REAL_DATE = "Date of birth must be a real date, like 17 5 1940"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # the page's inputs use the field names as ids
        super().__init__(*args, **kwargs)

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"]
        if not value.strip():
            return ""
        try:
            return nhs_number.validate(value)
        except nhs_number.InvalidNHSNumber as error:
            raise forms.ValidationError(str(error), code="invalid_nhs_number") from error

    def clean(self):
        data = super().clean()
        if self.errors.get("nhs_number") or data.get("nhs_number"):
            # A search by NHS number ignores the name and date of birth, so nothing left in them is an error.
            for name in ("family_name", *self.DATE_PARTS):
                self.errors.pop(name, None)
            data["kind"] = "nhs_number"
            return data
        parts = [(data.get(name) or "").strip() for name in self.DATE_PARTS]
        family_name = (data.get("family_name") or "").strip()
        if not family_name and not any(parts) and not self.errors:
            raise forms.ValidationError("Enter an NHS number, or a family name and date of birth")
        # A field that failed its own checks (too long, a null character) was given: say only what is wrong.
        if not family_name and "family_name" not in self.errors:
            self.add_error("family_name", "Enter a family name to search with a date of birth")
        data["family_name"] = family_name
        if any(name in self.errors for name in self.DATE_PARTS):
            for name in self.DATE_PARTS:  # one message for the whole date, as for any date that is not real
                self.errors.pop(name, None)
            self.add_error("dob_day", self.NOT_A_REAL_DATE)
            data["date_of_birth"] = None
        else:
            data["date_of_birth"] = self._date_of_birth(parts)
        data["kind"] = "name_and_date_of_birth"
        return data

    def _date_of_birth(self, parts: list[str]) -> dt.date | None:
        if not any(parts):
            self.add_error("dob_day", "Enter a date of birth to search with a family name")
            return None
        try:
            born = typed_date(*parts, label="Date of birth", example="17 5 1940")
        except NotARealDate as problem:
            self.add_error(self.DATE_PARTS[PARTS.index(problem.part)], str(problem))
            return None
        if born > timezone.localdate():
            self.add_error("dob_day", "Date of birth must be in the past")
            return None
        return born

    def date_error(self) -> dict | None:
        """One error message for the whole date input, as NHS.UK shows it."""
        messages = [str(e) for name in self.DATE_PARTS for e in self.errors.get(name, [])]
        return {"text": " ".join(messages)} if messages else None
