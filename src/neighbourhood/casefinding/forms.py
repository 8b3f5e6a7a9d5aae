from django import forms

from neighbourhood.casefinding.models import Exclusion
from neighbourhood.casefinding.queries import SORTS, WorklistFilters

EFI_CATEGORIES = [
    ("", "Any"),
    ("fit", "Fit"),
    ("mild", "Mild frailty"),
    ("moderate", "Moderate frailty"),
    ("severe", "Severe frailty"),
]


class WorklistFilterForm(forms.Form):
    practice = forms.ChoiceField(required=False, label="Practice")
    segment = forms.ChoiceField(required=False, label="Segment of the pyramid")
    efi_category = forms.ChoiceField(required=False, choices=EFI_CATEGORIES, label="eFI category")
    flagged = forms.BooleanField(required=False, label="Flagged for MDT review (Wokingham rules)")
    on_register = forms.BooleanField(required=False, label="On the proactive care register")
    not_reviewed = forms.BooleanField(required=False, label="Not yet reviewed")
    sort = forms.ChoiceField(
        required=False, choices=[(k, label) for k, (_, label) in SORTS.items()], label="Sort by"
    )

    def __init__(self, *args, practices: list[tuple[str, str]], segments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].choices = [("", "All practices"), *practices]
        self.fields["segment"].choices = [("", "All segments"), *[(s, s) for s in segments]]

    def filters(self) -> WorklistFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return WorklistFilters(
            practice=data.get("practice") or "",
            segment=data.get("segment") or "",
            efi_category=data.get("efi_category") or "",
            flagged=bool(data.get("flagged")),
            on_register=bool(data.get("on_register")),
            not_reviewed=bool(data.get("not_reviewed")),
            sort=data.get("sort") or "risk",
        )


class NominationForm(forms.Form):
    reason = forms.CharField(
        label="Why should this person be on the proactive care register?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why you are nominating this person"},
    )


class ExclusionForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why should this person come off the register?",
        choices=Exclusion.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason for removing this person from the register"},
    )
    detail = forms.CharField(label="More detail", required=False, widget=forms.Textarea, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Exclusion.Reason.OTHER and not (cleaned.get("detail") or "").strip():
            self.add_error("detail", "Say why, when the reason is 'Other'")
        return cleaned
