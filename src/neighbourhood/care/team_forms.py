"""The care team forms. Inputs are named as the ids the pages use (auto_id="%s"), so the error summary links
to them; a date is three inputs (day, month, year) shown with the NHS.UK date input."""

import datetime as dt

from django import forms

from neighbourhood import formhelpers
from neighbourhood.care.models import CareTeamMember
from neighbourhood.care.team_actions import NEXT_STATUSES
from neighbourhood.care.team_queries import staff_label, staff_name
from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.typed_dates import PARTS, NotARealDate, typed_date

Status = CareTeamMember.Status
Responsibility = CareTeamMember.Responsibility
DATE_PARTS = PARTS


class DateInputsMixin:
    """Reads `<prefix>_day`, `_month`, `_year` into a date, putting any error on `<prefix>_day` (the date
    input's first box, where the error summary links)."""

    def date_from_parts(self, prefix: str, label: str, *, required: bool) -> dt.date | None:
        parts = [(self.cleaned_data.get(f"{prefix}_{part}") or "").strip() for part in DATE_PARTS]
        first = f"{prefix}_day"
        if any(f"{prefix}_{part}" in self.errors for part in DATE_PARTS):
            for part in DATE_PARTS:
                self.errors.pop(f"{prefix}_{part}", None)
            self.add_error(first, f"{label} must be a real date, like 17 5 2027")
            return None
        if not any(parts):
            if required:
                self.add_error(first, f"Enter the {label.lower()}")
            return None
        try:
            return typed_date(*parts, label=label)
        except NotARealDate as problem:
            self.add_error(first, str(problem))
            return None

    def date_error(self, prefix: str) -> str:
        return " ".join(str(e) for e in self.errors.get(f"{prefix}_day", [])) if self.is_bound else ""


def _date_initial(prefix: str, value: dt.date | None) -> dict:
    if value is None:
        return {}
    return {f"{prefix}_day": value.day, f"{prefix}_month": value.month, f"{prefix}_year": value.year}


class AddMemberForm(DateInputsMixin, forms.Form):
    membership = forms.ChoiceField(
        label="Member of staff",
        error_messages={
            "required": "Choose the member of staff to add",
            "invalid_choice": "Choose the member of staff to add",
        },
    )
    responsibility = forms.ChoiceField(
        label="Their responsibility in the care team",
        choices=[
            (Responsibility.MEMBER, "Member"),
            (Responsibility.CARE_COORDINATOR, "Care coordinator (key worker)"),
            (Responsibility.NAMED_GP, "Named accountable GP"),
        ],
        widget=formhelpers.Radios,
        error_messages={
            "required": "Choose their responsibility",
            "invalid_choice": "Choose their responsibility",
        },
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[
            (Status.PROPOSED, "Proposed: not yet agreed with them"),
            (Status.ACTIVE, "Active: caring for the person now"),
        ],
        widget=formhelpers.Radios,
        error_messages={
            "required": "Choose whether their place is proposed or active",
            "invalid_choice": "Choose whether their place is proposed or active",
        },
    )
    start_day = forms.CharField(required=False, max_length=2)
    start_month = forms.CharField(required=False, max_length=2)
    start_year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, staff: list[Membership], today: dt.date, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault(
            "initial",
            {
                "responsibility": Responsibility.MEMBER,
                "status": Status.ACTIVE,
                **_date_initial("start", today),
            },
        )
        super().__init__(*args, **kwargs)
        self.staff = {str(m.pk): m for m in staff}
        self.fields["membership"].choices = [
            ("", "Choose a member of staff"),
            *((pk, staff_label(m)) for pk, m in self.staff.items()),
        ]

    def clean(self):
        cleaned = super().clean()
        membership = self.staff.get(cleaned.get("membership") or "")
        cleaned["membership"] = membership
        if (
            membership is not None
            and cleaned.get("responsibility") == Responsibility.NAMED_GP
            and membership.role != Role.GP
        ):
            self.add_error(
                "responsibility",
                f"{staff_name(membership.user)} is not a GP: only a GP can be the named accountable GP",
            )
        cleaned["start_date"] = self.date_from_parts("start", "Start date", required=True)
        return cleaned


class ChangeMemberForm(DateInputsMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status",
        widget=formhelpers.Radios,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    start_day = forms.CharField(required=False, max_length=2)
    start_month = forms.CharField(required=False, max_length=2)
    start_year = forms.CharField(required=False, max_length=4)
    end_day = forms.CharField(required=False, max_length=2)
    end_month = forms.CharField(required=False, max_length=2)
    end_year = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, place: CareTeamMember, today: dt.date, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault(
            "initial",
            {
                "status": place.status,
                **_date_initial("start", place.start_date or today),
                **_date_initial("end", place.end_date),
            },
        )
        super().__init__(*args, **kwargs)
        self.place = place
        # An ended place offers nothing to choose: the action refuses to change it, and says why.
        choices = NEXT_STATUSES[place.status] or (Status.ENDED,)
        self.fields["status"].choices = [(s, Status(s).label) for s in choices]

    def clean(self):
        cleaned = super().clean()
        start = self.date_from_parts("start", "Start date", required=True)
        end = self.date_from_parts("end", "End date", required=False)
        status = cleaned.get("status")
        if "end_day" not in self.errors:
            if status == Status.ENDED and end is None:
                self.add_error("end_day", "Enter the date their place ended")
            elif status and status != Status.ENDED and end is not None:
                self.add_error("end_day", "Leave the end date empty unless their place has ended")
            elif start is not None and end is not None and end < start:
                self.add_error("end_day", "The end date must be the same as or after the start date")
        cleaned["start_date"], cleaned["end_date"] = start, end
        return cleaned


class NamedGPForm(forms.Form):
    named_gp = forms.ChoiceField(
        label="Named accountable GP",
        error_messages={
            "required": "Choose their named accountable GP",
            "invalid_choice": "Choose their named accountable GP",
        },
    )
    preferred_gp = forms.ChoiceField(
        label="The GP they would prefer (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a GP at their practice, or leave it as not recorded"},
    )
    preference_not_honoured_reason = forms.CharField(
        label="Why their preferred GP cannot be their named GP",
        help_text="Needed only when the named GP is not the one they prefer",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )

    def __init__(self, *args, gps: list[User], initial_named_gp: User | None = None, team=None, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault(
            "initial",
            {
                "named_gp": str(initial_named_gp.pk) if initial_named_gp else "",
                "preferred_gp": str(team.preferred_gp_id) if team and team.preferred_gp_id else "",
                "preference_not_honoured_reason": team.preference_not_honoured_reason if team else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.gps = {str(gp.pk): gp for gp in gps}
        names = [(pk, staff_name(gp)) for pk, gp in self.gps.items()]
        self.fields["named_gp"].choices = [("", "Choose a GP"), *names]
        self.fields["preferred_gp"].choices = [("", "Not recorded"), *names]

    def clean(self):
        cleaned = super().clean()
        named = self.gps.get(cleaned.get("named_gp") or "")
        preferred = self.gps.get(cleaned.get("preferred_gp") or "")
        cleaned["named_gp"], cleaned["preferred_gp"] = named, preferred
        reason = (cleaned.get("preference_not_honoured_reason") or "").strip()
        if named is not None and preferred is not None and named.pk != preferred.pk and not reason:
            self.add_error(
                "preference_not_honoured_reason",
                f"Say why {staff_name(preferred)}, whom they prefer, cannot be their named accountable GP",
            )
        cleaned["preference_not_honoured_reason"] = reason
        return cleaned
