from django import forms

from neighbourhood.governance.models import EmergencyAccess


class EmergencyAccessForm(forms.Form):
    reason = forms.ChoiceField(
        choices=EmergencyAccess.Reason.choices,
        widget=forms.RadioSelect,
        label="Why do you need emergency access?",
        error_messages={"required": "Choose why you need emergency access"},
    )
    justification = forms.CharField(
        label="What is happening, and why can it not wait?",
        help_text="Your organisation's privacy officer reads this when they review your access.",
        max_length=2000,
        error_messages={"required": "Say why you need to see this record now"},
    )

    def clean_justification(self):
        text = self.cleaned_data["justification"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Say in a sentence why you need to see this record now")
        return text


class EmergencyAccessReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=EmergencyAccess.Review.choices,
        widget=forms.RadioSelect,
        label="Was this emergency access appropriate?",
        error_messages={"required": "Choose whether this emergency access was appropriate"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Needed when the access was not appropriate: what you found and what you will do.",
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == EmergencyAccess.Review.NOT_APPROPRIATE and not data.get("note", "").strip():
            self.add_error("note", "Say why this emergency access was not appropriate")
        return data
