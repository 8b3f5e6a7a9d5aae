"""The privacy officer's pages that are not about emergency access: whose record an audit reference is."""

from django import forms
from django.shortcuts import render

from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance import access, audit_references, queries
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission

NO_SUCH_REFERENCE = "No audit event has this reference"


class AuditReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Audit reference",
        help_text="12 numbers and letters A to F, for example 3F9A-11C2-7B0E",
        max_length=40,
        error_messages={"required": "Enter an audit reference"},
    )

    def clean_reference(self) -> str:
        reference = audit_references.normalise(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(
                "Enter an audit reference in the form 3F9A-11C2-7B0E: 12 numbers and letters A to F"
            )
        return reference


@access.route(Permission.RESOLVE_AUDIT_REFERENCE, action="resolve_audit_reference", audit_allowed=False)
def resolve_audit_reference(request):
    """A POST, so that references stay out of addresses and browser history. Opening the form is not
    audited; every look-up is, naming the person found, or as refused when nobody has the reference."""
    form = AuditReferenceForm(request.POST if request.method == "POST" else None)
    found = None
    status = 200
    if form.is_bound and form.is_valid():
        reference = form.cleaned_data["reference"]
        found = queries.people_with_audit_reference(reference)
        detail = {"reference": reference}
        if not found:
            access.record(
                request.user,
                "resolve_audit_reference",
                outcome=AuditEvent.Outcome.REFUSED,
                membership=access.decide(request.user, Permission.RESOLVE_AUDIT_REFERENCE).membership,
                reason=NO_SUCH_REFERENCE,
                detail=detail,
            )
        for referenced in found:
            if referenced.person is not None:
                access.authorise(
                    request.user,
                    Permission.RESOLVE_AUDIT_REFERENCE,
                    action="resolve_audit_reference",
                    person=referenced.person,
                    detail=detail,
                )
            else:  # no longer on the register: the row names the NHS number alone
                decision = access.decide(request.user, Permission.RESOLVE_AUDIT_REFERENCE)
                access.record(
                    request.user,
                    "resolve_audit_reference",
                    outcome=decision.outcome,
                    membership=decision.membership,
                    nhs_number=referenced.nhs_number,
                    reason=decision.basis,
                    detail=detail,
                )
    elif form.is_bound:
        status = 400
    return render(
        request,
        "governance/resolve_reference.jinja",
        {
            "form": form,
            "errors": error_summary_items(form),
            "found": found,
            "not_found_message": NO_SUCH_REFERENCE,
            "event_limit": queries.AUDIT_REFERENCE_EVENTS,
        },
        status=status,
    )
