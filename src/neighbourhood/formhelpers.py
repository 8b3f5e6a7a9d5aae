"""Bound Django form fields -> parameters for NHS.UK frontend macros.

Templates render forms with the NHS.UK components (input, textarea, radios, select, checkboxes) and the error
summary, without logic in templates.
"""

from django import forms


class Radios(forms.RadioSelect):
    """Radios labelled by their first item's id, which the NHS.UK radios macro gives the field's id: Django
    gives a group of radios no label id, so the error summary's link to the field would go nowhere."""

    def id_for_label(self, id_, index=None):
        return id_


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes labelled by their first item's id, like `Radios`."""

    def id_for_label(self, id_, index=None):
        return id_


def error_summary_items(form: forms.Form) -> list[dict]:
    """Items for the NHS.UK error summary: form-wide errors first (linking to the first field, since there is
    nothing else to move to), then each field's errors in the form's order, each linking to its field."""
    if not form.is_bound:
        return []
    first_field = form[next(iter(form.fields))].id_for_label
    items = [{"text": str(message), "href": f"#{first_field}"} for message in form.non_field_errors()]
    for name in form.fields:
        items.extend(
            {"text": str(message), "href": f"#{form[name].id_for_label}"} for message in form[name].errors
        )
    return items


def field_params(field: forms.BoundField, **extra) -> dict:
    params = {
        "id": field.id_for_label,
        "name": field.html_name,
        "label": {"text": field.label},
        "value": field.value() if field.value() is not None else "",
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in field.errors)}
    params.update(extra)
    return params


def choice_params(field: forms.BoundField, **extra) -> dict:
    """For radios and selects: items with the current choice checked/selected."""
    current = field.value()
    items = [
        {
            "value": value,
            "text": label,
            "checked": str(value) == str(current),
            "selected": str(value) == str(current),
        }
        for value, label in field.field.choices
    ]
    params = {
        "idPrefix": field.html_name,
        "id": field.id_for_label,
        "name": field.html_name,
        "items": items,
        "label": {"text": field.label},
        "fieldset": {"legend": {"text": field.label}},
    }
    if field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in field.errors)}
    params.update(extra)
    return params


def checkbox_params(field: forms.BoundField, **extra) -> dict:
    """A single yes/no checkbox as an NHS.UK checkboxes component with one item."""
    params = {
        "idPrefix": field.html_name,
        "name": field.html_name,
        "items": [{"value": "on", "text": field.label, "checked": bool(field.value())}],
    }
    params.update(extra)
    return params
