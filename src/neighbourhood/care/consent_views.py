"""The consent and capacity pages: access decided by the access service, changes made by consent_actions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from neighbourhood.care import consent_actions, consent_queries
from neighbourhood.care.consent_forms import (
    BestInterestsForm,
    CapacityForm,
    ConsentForm,
    ObjectionForm,
    WithdrawConsentForm,
    checkboxes_params,
)
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission

SECTION = "consent"


def _page(request, template: str, person, decision, status: int = 200, **context):
    return render(
        request,
        template,
        {"person": person, "decision": decision, "section": SECTION, **context},
        status=status,
    )


def _form_page(request, template, person, decision, form, **context):
    """A form shown again after a POST with errors is a 400, with everything typed kept."""
    status = 400 if form.is_bound and form.errors else 200
    return _page(request, template, person, decision, status=status, form=form, **context)


def _bound(request):
    return request.POST if request.method == "POST" else None


def _to_consent_page(person):
    return redirect("consent", nhs_number=person.nhs_number)


@access.person_route(Permission.VIEW_RECORD, action="view_consent")
def consent(request, person, decision):
    return _page(
        request,
        "care/consent.jinja",
        person,
        decision,
        overview=consent_queries.consent_overview(person),
        can_change=access.decide(request.user, Permission.CHANGE_RECORD, person).allowed,
    )


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="record_consent")
def record_consent(request, person, decision):
    form = ConsentForm(_bound(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        consent_actions.record_consent(
            person=person,
            scope=data["scope"],
            decision=data["decision"],
            how=data["how"],
            representative_name=data["representative_name"],
            review_date=data["review_date"],
            by=request.user,
        )
        messages.success(request, "Consent decision recorded.")
        return _to_consent_page(person)
    return _form_page(request, "care/consent_record.jinja", person, decision, form)


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="withdraw_consent")
def withdraw_consent(request, person, decision, consent_id):
    consent = consent_queries.consent_of(person, consent_id)
    if consent.withdrawn_at is not None:
        messages.warning(request, consent_actions.ALREADY_WITHDRAWN)
        return _to_consent_page(person)
    form = WithdrawConsentForm(_bound(request))
    if form.is_bound and form.is_valid():
        try:
            consent_actions.withdraw_consent(
                person=person, consent=consent, note=form.cleaned_data["note"], by=request.user
            )
        except consent_actions.ConsentRefused as refused:  # withdrawn by someone else meanwhile
            messages.warning(request, str(refused))
        else:
            messages.success(request, "Consent decision withdrawn.")
        return _to_consent_page(person)
    return _form_page(request, "care/consent_withdraw.jinja", person, decision, form, consent=consent)


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="record_objection")
def record_objection(request, person, decision):
    form = ObjectionForm(_bound(request), person=person)
    if form.is_bound and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            consent_actions.record_objection(
                person=person, organisation=organisation, reason=form.cleaned_data["reason"], by=request.user
            )
        except consent_actions.ConsentRefused as refused:
            form.add_error("organisation", str(refused))
        else:
            messages.success(
                request, f"Objection recorded: {organisation.name} can no longer see their record."
            )
            return _to_consent_page(person)
    return _form_page(request, "care/consent_objection.jinja", person, decision, form)


@require_POST
@access.person_route(Permission.CHANGE_RECORD, action="withdraw_objection")
def withdraw_objection(request, person, decision, objection_id):
    objection = consent_queries.objection_of(person, objection_id)
    try:
        consent_actions.withdraw_objection(person=person, objection=objection, by=request.user)
    except consent_actions.ConsentRefused as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, f"Objection to {objection.organisation.name} withdrawn.")
    return _to_consent_page(person)


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="assess_capacity")
def assess_capacity(request, person, decision):
    form = CapacityForm(_bound(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        assessment = consent_actions.assess_capacity(
            person=person,
            decision=data["decision"],
            impairment=data["impairment"] == "yes",
            impairment_detail=data["impairment_detail"],
            unable_to=data["unable_to"],
            notes=data["notes"],
            by=request.user,
        )
        outcome = "lacks capacity" if assessment.lacks_capacity else "has capacity"
        messages.success(
            request,
            f"Capacity assessment recorded: {person.full_name} {outcome} for the decision to "
            f"{assessment.get_decision_display()[0].lower()}{assessment.get_decision_display()[1:]}.",
        )
        return _to_consent_page(person)
    return _form_page(
        request,
        "care/capacity_assess.jinja",
        person,
        decision,
        form,
        unable_to_params=checkboxes_params(form["unable_to"]),
    )


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="record_best_interests")
def best_interests(request, person, decision, assessment_id):
    assessment = consent_queries.assessment_of(person, assessment_id)
    refusal = consent_actions.may_rest_best_interests_on(assessment)
    if refusal:
        return _page(
            request,
            "care/best_interests_refused.jinja",
            person,
            decision,
            status=409,
            assessment=assessment,
            refusal=refusal,
        )
    form = BestInterestsForm(
        _bound(request), question=consent_queries.best_interests_question(assessment.decision)
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            consent_actions.record_best_interests(
                person=person,
                assessment=assessment,
                in_favour=data["in_favour"] == "yes",
                consulted=data["consulted"],
                reason=data["reason"],
                review_date=data["review_date"],
                by=request.user,
            )
        except consent_actions.ConsentRefused as refused:  # a newer assessment was recorded meanwhile
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Best-interests decision recorded.")
            return _to_consent_page(person)
    return _form_page(
        request,
        "care/best_interests.jinja",
        person,
        decision,
        form,
        assessment=assessment,
    )
