"""Forms for consent, objections, capacity assessments and best-interests decisions.

Inputs take their field's name as id (auto_id="%s"), which is also the id NHS.UK radios and checkboxes give
their first item, so the error summary's links land on the field.
"""

from django import forms
from django.utils import timezone

from neighbourhood import formhelpers
from neighbourhood.care import consent_actions
from neighbourhood.care.models import Consent
from neighbourhood.register.models import Organisation, Person
from neighbourhood.typed_dates import NotARealDate, typed_date

YES_NO = [("yes", "Yes"), ("no", "No")]


def _choose(message: str) -> dict:
    return {"required": message, "invalid_choice": message}


class _NHSForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class ReviewDateMixin:
    """An optional review date as the NHS.UK date input's three parts; not in the past."""

    REVIEW_DATE_PARTS = ("review_day", "review_month", "review_year")

    def clean_review_date(self, cleaned: dict) -> None:
        parts = [(cleaned.get(name) or "").strip() for name in self.REVIEW_DATE_PARTS]
        cleaned["review_date"] = None
        if not any(parts):
            return
        try:
            review_date = typed_date(*parts, label="Review date")
        except NotARealDate as problem:
            self.add_error(f"review_{problem.part}", str(problem))
            return
        if review_date < timezone.localdate():
            self.add_error("review_day", consent_actions.REVIEW_DATE_IN_PAST)
            return
        cleaned["review_date"] = review_date

    def review_date_error(self) -> dict | None:
        """One error message for the whole date input, as NHS.UK shows it."""
        found = [str(e) for name in self.REVIEW_DATE_PARTS for e in self.errors.get(name, [])]
        return {"text": " ".join(found)} if found else None


def _date_part() -> forms.CharField:
    return forms.CharField(required=False)  # checked as a whole date in clean_review_date


class ConsentForm(ReviewDateMixin, _NHSForm):
    scope = forms.ChoiceField(
        label="What is the decision about?",
        choices=Consent.Scope.choices,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose what the decision is about"),
    )
    decision = forms.ChoiceField(
        label="What did they decide?",
        choices=Consent.Decision.choices,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose whether consent was given or refused"),
    )
    how = forms.ChoiceField(
        label="How was the decision made?",
        choices=Consent.How.choices,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose how the decision was made"),
    )
    representative_name = forms.CharField(
        label="Name of their attorney or representative",
        help_text="Only if a lasting power of attorney or another legal representative made the decision",
        required=False,
        max_length=200,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    review_day = _date_part()
    review_month = _date_part()
    review_year = _date_part()

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("how")
        if how in consent_actions.NEEDS_REPRESENTATIVE:
            if (
                not (cleaned.get("representative_name") or "").strip()
                and "representative_name" not in self.errors
            ):
                self.add_error("representative_name", consent_actions.ENTER_REPRESENTATIVE)
        elif how:
            # Typed and then a different way chosen: not theirs to keep (the page says when it is used).
            cleaned["representative_name"] = ""
        self.clean_review_date(cleaned)
        return cleaned


class WithdrawConsentForm(_NHSForm):
    note = forms.CharField(
        label="Why is this decision being withdrawn?",
        help_text="For example, they have changed their mind, or it was recorded in error",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why this decision is being withdrawn",
            "max_length": "The note must be 2000 characters or fewer",
        },
    )


class ObjectionForm(_NHSForm):
    organisation = forms.ModelChoiceField(
        label="Which organisation do they object to?",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages=_choose("Choose the organisation they object to"),
    )
    reason = forms.CharField(
        label="Their reason (optional)",
        help_text="They do not have to give one",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": "The reason must be 2000 characters or fewer"},
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            pk=person.practice.organisation_id
        ).order_by("name")


class CapacityForm(_NHSForm):
    decision = forms.ChoiceField(
        label="Which decision is this assessment about?",
        choices=Consent.Scope.choices,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose which decision the assessment is about"),
    )
    impairment = forms.ChoiceField(
        label=(
            "Stage 1: is there an impairment of, or a disturbance in the functioning of, their mind or brain?"
        ),
        help_text="For example dementia, delirium, a brain injury, or the effects of drugs or alcohol",
        choices=YES_NO,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose whether there is an impairment of the mind or brain"),
    )
    impairment_detail = forms.CharField(
        label="What is the impairment or disturbance?",
        help_text="Only if there is one",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"max_length": "The description must be 2000 characters or fewer"},
    )
    unable_to = forms.MultipleChoiceField(
        label="Stage 2: because of it, are they unable to do any of these for this decision?",
        help_text="Select all that apply. If none apply, they have capacity for this decision",
        choices=[
            ("understand", "Understand the information relevant to the decision"),
            ("retain", "Retain that information"),
            ("weigh", "Use or weigh that information as part of making the decision"),
            ("communicate", "Communicate their decision (by any means)"),
        ],
        widget=formhelpers.Checkboxes,
        required=False,
        error_messages=_choose("Choose only from the listed abilities"),
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=4000,
        error_messages={"max_length": "The notes must be 4000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        impairment = cleaned.get("impairment")
        detail = (cleaned.get("impairment_detail") or "").strip()
        if impairment == "yes" and not detail and "impairment_detail" not in self.errors:
            self.add_error("impairment_detail", consent_actions.DESCRIBE_IMPAIRMENT)
        if impairment == "no":
            if detail:
                self.add_error("impairment_detail", consent_actions.NO_IMPAIRMENT_TO_DESCRIBE)
            if cleaned.get("unable_to"):
                self.add_error("unable_to", consent_actions.PRESUMED_CAPACITY)
        cleaned["impairment_detail"] = detail
        return cleaned


class BestInterestsForm(ReviewDateMixin, _NHSForm):
    in_favour = forms.ChoiceField(
        label="Is it in their best interests?",
        choices=YES_NO,
        widget=formhelpers.Radios,
        error_messages=_choose("Choose whether it is in their best interests"),
    )
    consulted = forms.CharField(
        label="Who was consulted?",
        help_text=(
            "For example their family, carers, anyone with a lasting power of attorney, or an independent "
            "mental capacity advocate (IMCA)"
        ),
        widget=forms.Textarea,
        max_length=4000,
        error_messages={
            "required": "Enter who was consulted",
            "max_length": "Who was consulted must be 4000 characters or fewer",
        },
    )
    reason = forms.CharField(
        label="Why is this the decision in their best interests?",
        help_text="Include their past and present wishes and feelings, beliefs and values, as far as known",
        widget=forms.Textarea,
        max_length=4000,
        error_messages={
            "required": "Enter the reason for the decision",
            "max_length": "The reason must be 4000 characters or fewer",
        },
    )
    review_day = _date_part()
    review_month = _date_part()
    review_year = _date_part()

    def __init__(self, *args, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["in_favour"].label = question

    def clean(self):
        cleaned = super().clean()
        self.clean_review_date(cleaned)
        return cleaned


def checkboxes_params(field: forms.BoundField, **extra) -> dict:
    """A group of checkboxes for a multiple choice, with what was chosen still ticked."""
    chosen = {str(value) for value in (field.value() or [])}
    params = {
        "idPrefix": field.html_name,
        "name": field.html_name,
        "items": [
            {"value": value, "text": label, "checked": str(value) in chosen}
            for value, label in field.field.choices
        ],
        "fieldset": {"legend": {"text": field.label}},
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in field.errors)}
    params.update(extra)
    return params
