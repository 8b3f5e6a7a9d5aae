"""The personalised care and support plan: read it, change it, its versions side by side, and its PDF."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from neighbourhood.care import plan_actions, plan_content, plan_pdf, plan_queries, plan_rules
from neighbourhood.care.plan_forms import CarePlanForm
from neighbourhood.casefinding.queries import person_case_finding
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission


def _context(request, person, decision, **extra) -> dict:
    return {"person": person, "decision": decision, "section": "plan", **extra}


def _no_plan(request, person, decision, *, status=404):
    return render(
        request,
        "care/plan_none.jinja",
        _context(request, person, decision, can_change=_can_change(request, person)),
        status=status,
    )


def _can_change(request, person) -> bool:
    return access.decide(request.user, Permission.CHANGE_RECORD, person).allowed


@access.person_route(Permission.VIEW_RECORD, action="view_care_plan")
def plan(request, person, decision):
    current = plan_queries.plan_for(person)
    if current is None:
        return _no_plan(request, person, decision, status=200)
    today = timezone.localdate()
    return render(
        request,
        "care/plan.jinja",
        _context(
            request,
            person,
            decision,
            plan=current,
            headings=plan_queries.heading_views(current.content),
            updated_by=plan_queries.name_of(current.updated_by),
            overdue=plan_rules.is_overdue(current.next_review_date, today=today),
            can_change=_can_change(request, person),
            printable="print" in request.GET,
        ),
    )


@access.person_route(Permission.CHANGE_RECORD, action="edit_care_plan")
def edit(request, person, decision):
    current = plan_queries.plan_for(person)
    content, version = (current.content, current.version) if current else ({}, 0)
    rules = {"today": timezone.localdate(), "on_register": person_case_finding(person).on_register}
    if request.method != "POST":
        form = CarePlanForm(content=content, version=version, **rules)
        return _edit_page(request, person, decision, form)
    form = CarePlanForm(request.POST, content=content, version=version, **rules)
    if not form.is_valid():
        return _edit_page(request, person, decision, form, status=400)
    try:
        saved = plan_actions.save_plan(
            person=person, content=form.content(), edited_version=form.edited_version, by=request.user
        )
    except plan_actions.ChangedMeanwhile as changed:
        return _conflict(request, person, decision, form, changed, rules)
    except plan_actions.NothingChanged as unchanged:
        messages.info(request, str(unchanged))
        return redirect("care_plan", nhs_number=person.nhs_number)
    messages.success(request, f"Care and support plan saved as version {saved.number}.")
    return redirect("care_plan", nhs_number=person.nhs_number)


def _conflict(request, person, decision, form, changed, rules):
    """Show what the other person saved beside what this user typed, which stays in the form; the form now
    names the current version, so saving again is a deliberate overwrite."""
    typed = form.content()
    data = request.POST.copy()
    data["version"] = str(changed.current.version)
    form = CarePlanForm(data, content=changed.current.content, version=changed.current.version, **rules)
    form.is_valid()
    conflict = {
        "by": plan_queries.name_of(changed.current.updated_by),
        "at": changed.current.updated_at,
        "titles": plan_content.titles(changed.headings),
        "pairs": list(
            zip(
                plan_queries.heading_views(changed.current.content, only=changed.headings),
                plan_queries.heading_views(typed, only=changed.headings),
                strict=True,
            )
        ),
    }
    return _edit_page(request, person, decision, form, conflict=conflict, status=409)


def _edit_page(request, person, decision, form, *, conflict=None, status=200):
    return render(
        request,
        "care/plan_edit.jinja",
        _context(request, person, decision, form=form, conflict=conflict),
        status=status,
    )


@access.person_route(Permission.VIEW_RECORD, action="view_care_plan_versions")
def versions(request, person, decision):
    current = plan_queries.plan_for(person)
    if current is None:
        return _no_plan(request, person, decision)
    rows = [(v, plan_content.titles(v.changed_headings)) for v in plan_queries.versions_of(current)]
    return render(
        request,
        "care/plan_versions.jinja",
        _context(request, person, decision, plan=current, versions=rows, name_of=plan_queries.name_of),
    )


@access.person_route(Permission.VIEW_RECORD, action="compare_care_plan_versions")
def compare(request, person, decision, number):
    current = plan_queries.plan_for(person)
    earlier = plan_queries.version_of(current, number) if current else None
    if earlier is None:
        raise Http404("No such version of this care plan")
    pairs = plan_queries.side_by_side(earlier.content, current.content)
    return render(
        request,
        "care/plan_compare.jinja",
        _context(
            request,
            person,
            decision,
            plan=current,
            earlier=earlier,
            earlier_by=plan_queries.name_of(earlier.saved_by),
            updated_by=plan_queries.name_of(current.updated_by),
            pairs=pairs,
            changed_count=sum(1 for older, _ in pairs if older.changed),
        ),
    )


@access.person_route(Permission.VIEW_RECORD, action="download_care_plan")
def pdf(request, person, decision):
    current = plan_queries.plan_for(person)
    if current is None:
        return _no_plan(request, person, decision)
    try:
        document = plan_pdf.plan_pdf(current)
    except plan_pdf.PdfUnavailable:
        return render(
            request, "care/plan_pdf_unavailable.jinja", _context(request, person, decision), status=503
        )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="care-plan.pdf"'
    return response
