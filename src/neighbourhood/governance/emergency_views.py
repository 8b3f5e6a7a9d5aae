"""Emergency access (break-glass) for clinicians, and its review by the privacy officer."""

from django.contrib import messages
from django.shortcuts import redirect, render

from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance import access, actions, queries
from neighbourhood.governance.emergency_forms import EmergencyAccessForm, EmergencyAccessReviewForm
from neighbourhood.governance.roles import Permission
from neighbourhood.nhs_number import format_for_display, is_valid, normalise


@access.route(Permission.VIEW_RECORD, action="request_emergency_access", audit_allowed=False)
def request_emergency_access(request, nhs_number: str):
    """The form shows only the number that was typed: nothing about whether anyone has it."""
    number = normalise(nhs_number) if is_valid(nhs_number) else ""
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid() and number:
        try:
            actions.open_emergency_access(
                nhs_number=number,
                reason=form.cleaned_data["reason"],
                justification=form.cleaned_data["justification"],
                by=request.user,
            )
        except actions.NotOnRegister as error:
            form.add_error(None, str(error))
            status = 404
        else:
            return redirect("person_detail", nhs_number=number)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "governance/emergency_access.jinja",
        {
            "form": form,
            "errors": error_summary_items(form),
            "nhs_number": number,
            "nhs_number_display": format_for_display(number) if number else nhs_number,
            "hours": f"{actions.emergency_access_hours():g}",
        },
        status=status,
    )


@access.route(Permission.REVIEW_ACCESS, action="list_emergency_access")
def emergency_access_list(request):
    show = request.GET.get("show", "to_review")
    return render(
        request,
        "governance/emergency_access_list.jinja",
        {"show": show, "emergency_accesses": queries.emergency_accesses_to_review(request.user, show)},
    )


@access.route(Permission.REVIEW_ACCESS, audit_allowed=False)
def emergency_access_review(request, pk: int):
    """Audited as a view of the person's emergency access, or (a valid POST) by the review action."""
    if request.method == "POST":
        emergency = access.reviewable_emergency_accesses(request.user).filter(pk=pk).first()
        form = EmergencyAccessReviewForm(request.POST)
        if emergency is not None and form.is_valid():
            actions.review_emergency_access(
                emergency_access=emergency,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            messages.success(request, "Review saved.")
            return redirect("emergency_access_list")
        status = 400
    else:
        form = None
        status = 200
    emergency, _ = access.emergency_access_for_review(request.user, pk, action="view_emergency_access")
    form = form or EmergencyAccessReviewForm(
        initial={"outcome": emergency.review_outcome, "note": emergency.review_note}
    )
    return render(
        request,
        "governance/emergency_access_review.jinja",
        {
            "emergency": emergency,
            "form": form,
            "errors": error_summary_items(form),
            "viewed": queries.seen_during(emergency),
        },
        status=status,
    )
