from django import forms

from neighbourhood.care.assessment_domains import (
    DOMAINS,
    WHAT_MATTERS,
    completion_errors,
    is_not_assessed,
    not_assessed,
    not_assessed_reason,
)
from neighbourhood.care.assessment_queries import domain_status
from neighbourhood.care.models import HolisticAssessment

ANSWER_MAX_LENGTH = 10_000
SAVE, COMPLETE = "save", "complete"
OUT_OF_DATE = "This page is out of date: open the assessment again, then make your changes"


def answer_field(key: str) -> str:
    return f"answer_{key}"


def not_assessed_field(key: str) -> str:
    return f"not_assessed_{key}"


class AssessmentForm(forms.Form):
    """A text box per domain and, except for what matters to the person, a 'Not assessed' tick whose reason is
    written in the same box. `version` is the version the user is editing (optimistic locking)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE, "min_value": OUT_OF_DATE},
    )
    intent = forms.ChoiceField(choices=[(SAVE, SAVE), (COMPLETE, COMPLETE)], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for domain in DOMAINS:
            self.fields[answer_field(domain.key)] = forms.CharField(
                label=domain.heading,
                help_text=domain.hint,
                required=False,
                widget=forms.Textarea,
                max_length=ANSWER_MAX_LENGTH,
                error_messages={
                    "max_length": f"{domain.heading} must be {ANSWER_MAX_LENGTH:,} characters or fewer"
                },
            )
            if domain.key != WHAT_MATTERS:
                self.fields[not_assessed_field(domain.key)] = forms.BooleanField(
                    label="Not assessed (write why in the box above)", required=False
                )
        # The hidden fields last, so that the error summary's form-wide errors link to the first text box.
        for name in ("version", "intent"):
            self.fields[name] = self.fields.pop(name)

    @classmethod
    def editing(cls, assessment: HolisticAssessment) -> "AssessmentForm":
        initial = {"version": assessment.version}
        for domain in DOMAINS:
            answer = assessment.answers.get(domain.key, "")
            if is_not_assessed(answer):
                initial[answer_field(domain.key)] = not_assessed_reason(answer)
                initial[not_assessed_field(domain.key)] = True
            else:
                initial[answer_field(domain.key)] = answer
        return cls(initial=initial)

    @property
    def completing(self) -> bool:
        return self.cleaned_data.get("intent") == COMPLETE

    def answers(self) -> dict[str, str]:
        """What to keep for each domain, by key; a domain ticked as not assessed keeps its reason."""
        found = {}
        for domain in DOMAINS:
            text = (self.cleaned_data.get(answer_field(domain.key)) or "").strip()
            found[domain.key] = (
                not_assessed(text) if self.cleaned_data.get(not_assessed_field(domain.key)) else text
            )
        return found

    def clean(self):
        cleaned = super().clean()
        if self.errors.pop("version", None):  # a hidden field: the error summary links to the first box
            self.add_error(None, OUT_OF_DATE)
        if cleaned.get("intent") == COMPLETE and not any(answer_field(d.key) in self.errors for d in DOMAINS):
            for key, message in completion_errors(self.answers()).items():
                self.add_error(answer_field(key), message)
        return cleaned

    def domain_fields(self, key: str) -> tuple[forms.BoundField, forms.BoundField | None]:
        ticked = not_assessed_field(key)
        return self[answer_field(key)], self[ticked] if ticked in self.fields else None

    def status(self, key: str) -> str:
        """Not started, Completed or Not assessed, for what the form holds now (typed or saved)."""
        answer, ticked = self.domain_fields(key)
        text = (answer.value() or "").strip()
        if ticked is not None and ticked.value():
            return domain_status(not_assessed(text))
        return domain_status(text)
