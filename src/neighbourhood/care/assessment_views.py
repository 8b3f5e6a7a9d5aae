from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from neighbourhood import presenters
from neighbourhood.care import assessment_actions as actions
from neighbourhood.care import assessment_queries as queries
from neighbourhood.care.assessment_domains import BY_KEY
from neighbourhood.care.assessment_forms import AssessmentForm, answer_field
from neighbourhood.care.models import HolisticAssessment
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission

COMPLETED_IS_READ_ONLY = "This assessment has been completed, so it can no longer be changed."


@access.person_route(Permission.VIEW_RECORD, action="view_assessments")
def assessments(request, person, decision):
    return render(
        request,
        "care/assessments.jinja",
        {
            "person": person,
            "decision": decision,
            "section": "assessments",
            "assessments": queries.assessments_for(person),
            "draft": queries.draft_for(person),
            "can_change": access.decide(request.user, Permission.CHANGE_RECORD, person).allowed,
        },
    )


@require_POST
@access.person_route(Permission.CHANGE_RECORD, action="start_assessment")
def start(request, person, decision):
    try:
        assessment = actions.start_assessment(person=person, by=request.user)
    except actions.DraftExists as exists:
        messages.info(
            request, "This person already has an assessment in progress, so here it is to continue."
        )
        assessment = exists.draft
    else:
        messages.success(request, "Assessment started, with what the record says beside each domain.")
    return redirect("assessment_edit", nhs_number=person.nhs_number, assessment_id=assessment.pk)


@access.person_route(Permission.VIEW_RECORD, action="view_assessment")
def detail(request, person, decision, assessment_id):
    assessment = queries.assessment_for(person, assessment_id)
    return render(
        request,
        "care/assessment.jinja",
        {
            "person": person,
            "decision": decision,
            "section": "assessments",
            "assessment": assessment,
            "domains": queries.domain_views(assessment),
            "can_change": assessment.status == HolisticAssessment.Status.DRAFT
            and access.decide(request.user, Permission.CHANGE_RECORD, person).allowed,
        },
    )


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.CHANGE_RECORD, action="edit_assessment")
def edit(request, person, decision, assessment_id):
    assessment = queries.assessment_for(person, assessment_id)
    if assessment.status == HolisticAssessment.Status.COMPLETED:
        messages.info(request, COMPLETED_IS_READ_ONLY)
        return redirect("assessment", nhs_number=person.nhs_number, assessment_id=assessment.pk)
    if request.method == "GET":
        return _edit_page(request, person, decision, assessment, AssessmentForm.editing(assessment))
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, person, decision, assessment, form, status=400)
    try:
        saved = actions.save_assessment(
            assessment=assessment,
            answers=form.answers(),
            edited_version=form.cleaned_data["version"],
            complete=form.completing,
            by=request.user,
        )
    except actions.AssessmentCompleted:
        messages.info(request, COMPLETED_IS_READ_ONLY + " Nothing you typed has been saved.")
        return redirect("assessment", nhs_number=person.nhs_number, assessment_id=assessment.pk)
    except actions.EditConflict as conflict:
        return _conflict_page(request, person, decision, conflict)
    if saved.status == HolisticAssessment.Status.COMPLETED:
        messages.success(request, "Assessment completed.")
        return redirect("assessment", nhs_number=person.nhs_number, assessment_id=saved.pk)
    messages.success(request, "Saved. You can come back to the assessment later.")
    return redirect("assessment_edit", nhs_number=person.nhs_number, assessment_id=saved.pk)


def _conflict_page(request, person, decision, conflict: actions.EditConflict):
    """The form again with everything the user typed, now naming the newer version, so that saving again
    overwrites it deliberately."""
    current = conflict.current
    typed = request.POST.copy()
    typed["version"] = str(current.version)
    who = current.updated_by.get_full_name() or current.updated_by.username
    changed = [BY_KEY[key].heading for key in conflict.changed]
    message = (
        f"{who} saved this assessment on {presenters.date_time(current.updated_at)} while you were editing it"
        + (f". They changed: {', '.join(changed)}" if changed else "")
        + ". Your changes have not been saved. Check what they wrote (shown above each box they changed), "
        "then save again to replace their version with yours."
    )
    first = answer_field(conflict.changed[0]) if conflict.changed else answer_field(next(iter(BY_KEY)))
    return _edit_page(
        request,
        person,
        decision,
        current,
        AssessmentForm(typed),
        status=409,
        conflict={
            "items": [{"text": message, "href": f"#id_{first}"}],
            "changed": set(conflict.changed),
            "who": who,
        },
    )


def _edit_page(request, person, decision, assessment, form, *, status=200, conflict=None):
    """A page that saved nothing is audited by the route (a change route that changed nothing)."""
    return render(
        request,
        "care/assessment_edit.jinja",
        {
            "person": person,
            "decision": decision,
            "section": "assessments",
            "assessment": assessment,
            "domains": queries.domain_views(assessment),
            "form": form,
            "conflict": conflict,
        },
        status=status,
    )
