"""The one form for every heading of the care and support plan (care.plan_content), with the plan's rules
(care.plan_rules). Goals and agreed actions are repeated rows: the saved ones and 3 blank ones; a blank row is
ignored and a half-filled one is an error naming the row."""

import datetime as dt
from dataclasses import dataclass

from django import forms

from neighbourhood import typed_dates
from neighbourhood.care import plan_content, plan_rules
from neighbourhood.care.plan_content import CHOICE, DATE, LONG_TEXT, Field, Rows
from neighbourhood.formhelpers import choice_params, field_params

BLANK_ROWS = 3
MAX_ROWS = 40  # a bound on what a posted row count can make the form build
MAX_LENGTH = {plan_content.TEXT: 200, LONG_TEXT: 5000}
STALE_FORM = "This form is out of date: open the care plan again to change it"
DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


@dataclass(frozen=True)
class Widget:
    """One field as the NHS.UK macro that shows it: `kind` names the macro, `params` are its parameters."""

    kind: str  # "input", "textarea", "radios", "select" or "date"
    params: dict


def _row_prefix(rows: Rows, index: int) -> str:
    return f"{rows.name}-{index}-"


def _count_key(rows: Rows) -> str:
    return f"{rows.name}_count"


class CarePlanForm(forms.Form):
    def __init__(self, data=None, *, content: dict, version: int, today: dt.date, on_register: bool):
        super().__init__(data, auto_id="%s")
        self.today = today
        self.on_register = on_register
        saved = plan_content.normalised(content)
        self.row_counts = {}
        for heading in plan_content.HEADINGS:
            if heading.rows:
                existing = saved[heading.key][heading.rows.name]
                count = self._posted_count(heading.rows, default=len(existing) + BLANK_ROWS)
                self.row_counts[heading.rows.name] = count
                for index in range(count):
                    row = existing[index] if index < len(existing) else {}
                    for column in heading.rows.columns:
                        self._add(column, _row_prefix(heading.rows, index), row.get(column.name, ""))
                self.fields[_count_key(heading.rows)] = forms.IntegerField(
                    widget=forms.HiddenInput, initial=count, required=False
                )
            else:
                for field in heading.fields:
                    self._add(field, "", saved[heading.key][field.name])
        # Last, so that the error summary's first link is to a field people can see.
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=version,
            min_value=0,
            error_messages={k: STALE_FORM for k in ("required", "invalid", "min_value")},
        )

    def _posted_count(self, rows: Rows, *, default: int) -> int:
        if not self.is_bound:
            return min(default, MAX_ROWS)
        try:
            return max(0, min(int(self.data.get(_count_key(rows), "")), MAX_ROWS))
        except ValueError:
            return min(default, MAX_ROWS)

    def _add(self, field: Field, prefix: str, saved: str) -> None:
        name = prefix + field.name
        if field.kind == DATE:
            day = dt.date.fromisoformat(saved) if saved else None
            initial = {"day": day.day, "month": day.month, "year": day.year} if day else {}
            for part, _, _ in DATE_PARTS:
                self.fields[f"{name}_{part}"] = forms.CharField(
                    required=False, initial=initial.get(part, ""), label=field.label
                )
        elif field.kind == CHOICE:
            choices = list(field.choices) if not prefix else [("", "Choose a status"), *field.choices]
            self.fields[name] = forms.ChoiceField(
                required=False,
                choices=choices,
                initial=saved,
                label=field.label,
                error_messages={"invalid_choice": f"Choose one of the options for {field.label}"},
            )
        else:
            limit = MAX_LENGTH[field.kind]
            self.fields[name] = forms.CharField(
                required=False,
                max_length=limit,
                initial=saved,
                label=field.label,
                help_text=field.hint,
                widget=forms.Textarea if field.kind == LONG_TEXT else forms.TextInput,
                error_messages={"max_length": f"{field.label} must be {limit} characters or fewer"},
            )

    # Reading what was typed ---------------------------------------------------------------------------

    def _date(self, name: str, label: str) -> dt.date | None:
        parts = [self.cleaned_data.get(f"{name}_{part}", "") for part, _, _ in DATE_PARTS]
        try:
            return typed_dates.typed_date(*parts, label=label)
        except typed_dates.NotARealDate as problem:
            self.add_error(f"{name}_day", str(problem))
            return None

    def clean(self):
        cleaned = super().clean()
        self.dates: dict[str, dt.date | None] = {}
        for heading in plan_content.HEADINGS:
            if heading.rows:
                self._clean_rows(heading.rows)
            else:
                for field in heading.fields:
                    if field.kind == DATE:
                        self.dates[field.name] = self._date(field.name, field.label)
        self._check_rules()
        return cleaned

    def _clean_rows(self, rows: Rows) -> None:
        for index in range(self.row_counts[rows.name]):
            prefix = _row_prefix(rows, index)
            row_name = f"{rows.row_label} {index + 1}"
            typed = {}
            for column in rows.columns:
                name = prefix + column.name
                if column.kind == DATE:
                    parts = [self.cleaned_data.get(f"{name}_{part}", "") for part, _, _ in DATE_PARTS]
                    typed[column.name] = "x" if any(p.strip() for p in parts) else ""
                    if typed[column.name]:
                        self.dates[name] = self._date(name, f"{row_name}: {column.label.lower()}")
                else:
                    typed[column.name] = (self.cleaned_data.get(name) or "").strip()
            missing = [column for column in rows.columns if not typed[column.name]]
            if missing and len(missing) < len(rows.columns):
                first = prefix + missing[0].name + ("_day" if missing[0].kind == DATE else "")
                named = [f"“{column.label}”" for column in missing]
                what = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
                self.add_error(first, f"{row_name} is not complete: fill in {what}, or clear the row")

    def _check_rules(self) -> None:
        problem = plan_rules.next_review_problem(
            self.dates.get("next_review_date"), today=self.today, on_register=self.on_register
        )
        if problem and "next_review_date_day" not in self.errors:
            self.add_error("next_review_date_day", problem)
        for choice, date_name, in_place, label in (
            ("dnacpr", "dnacpr_date", plan_content.DNACPR_IN_PLACE, "date of the DNACPR decision"),
            ("respect", "respect_date", plan_content.RESPECT_IN_PLACE, "date of the ReSPECT form"),
        ):
            problem = plan_rules.dated_decision_problem(
                self.cleaned_data.get(choice) == in_place,
                self.dates.get(date_name),
                today=self.today,
                label=label,
            )
            if problem and f"{date_name}_day" not in self.errors:
                self.add_error(f"{date_name}_day", problem)
        problem = plan_rules.agreed_on_problem(self.dates.get("agreed_on"), today=self.today)
        if problem and "agreed_on_day" not in self.errors:
            self.add_error("agreed_on_day", problem)

    def content(self) -> dict:
        """What was typed, in CarePlan.content's shape (care.plan_content). Call after is_valid()."""
        result = {}
        for heading in plan_content.HEADINGS:
            if heading.rows:
                result[heading.key] = {heading.rows.name: self._rows_content(heading.rows)}
            else:
                result[heading.key] = {field.name: self._value(field, field.name) for field in heading.fields}
        return plan_content.normalised(result)

    def _rows_content(self, rows: Rows) -> list[dict]:
        kept = []
        for index in range(self.row_counts[rows.name]):
            prefix = _row_prefix(rows, index)
            row = {column.name: self._value(column, prefix + column.name) for column in rows.columns}
            if any(row.values()):
                kept.append(row)
        return kept

    def _value(self, field: Field, name: str) -> str:
        if field.kind == DATE:
            day = self.dates.get(name)
            return day.isoformat() if day else ""
        return (self.cleaned_data.get(name) or "").strip()

    @property
    def edited_version(self) -> int:
        return self.cleaned_data["version"]

    # Showing the form -----------------------------------------------------------------------------------

    def sections(self) -> list[dict]:
        """Each heading with its widgets, and for repeated rows each row's widgets, for the template."""
        shown = []
        for heading in plan_content.HEADINGS:
            section = {"heading": heading, "widgets": [], "rows": []}
            if heading.rows:
                for index in range(self.row_counts[heading.rows.name]):
                    prefix = _row_prefix(heading.rows, index)
                    section["rows"].append(
                        {
                            "legend": f"{heading.rows.row_label} {index + 1}",
                            "widgets": [self._widget(column, prefix) for column in heading.rows.columns],
                        }
                    )
            else:
                section["widgets"] = [self._widget(field, "") for field in heading.fields]
            shown.append(section)
        return shown

    def hidden_fields_to_post(self) -> list[forms.BoundField]:
        return [
            self[name] for name, field in self.fields.items() if isinstance(field.widget, forms.HiddenInput)
        ]

    def _widget(self, field: Field, prefix: str) -> Widget:
        name = prefix + field.name
        if field.kind == DATE:
            return Widget("date", self._date_params(field, name))
        bound = self[name]
        if field.kind == CHOICE:
            if prefix:
                return Widget("select", choice_params(bound))
            legend = {"text": field.label, "classes": "nhsuk-fieldset__legend--s"}
            return Widget("radios", choice_params(bound, fieldset={"legend": legend}))
        if field.kind == LONG_TEXT:
            return Widget("textarea", field_params(bound, rows=3))
        return Widget("input", field_params(bound))

    def _date_params(self, field: Field, name: str) -> dict:
        errors = self.errors.get(f"{name}_day") if self.is_bound else None
        items = []
        for part, label, width in DATE_PARTS:
            bound = self[f"{name}_{part}"]
            items.append(
                {
                    "id": f"{name}_{part}",
                    "name": f"{name}_{part}",
                    "label": label,
                    "width": width,
                    "value": bound.value() or "",
                    "classes": "nhsuk-input--error" if errors else "",
                }
            )
        params = {
            "id": name,
            "fieldset": {"legend": {"text": field.label, "classes": "nhsuk-fieldset__legend--s"}},
            "hint": {"text": "For example, 17 5 2027"},
            "items": items,
        }
        if errors:
            params["errorMessage"] = {"text": " ".join(str(e) for e in errors)}
        return params
