from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from neighbourhood.casefinding import actions, exports, queries, reports
from neighbourhood.casefinding.forms import ExclusionForm, NominationForm, WorklistFilterForm
from neighbourhood.casefinding.models import Nomination, RiskRun
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission

PAGE_SIZE = 50


@access.route(Permission.VIEW_RECORD, action="view_worklist")
def worklist(request):
    run = queries.latest_run()
    if run is None:
        return render(request, "casefinding/no_run.jinja")
    form = WorklistFilterForm(
        request.GET or None, practices=queries.practices_for(request.user), segments=queries.segments_in(run)
    )
    scores = queries.worklist(request.user, run, form.filters())
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return _export(request, run, scores, export)
    page = Paginator(scores, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casefinding/worklist.jinja",
        {"run": run, "form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


def _export(request, run, scores, export):
    scores = list(scores.select_related("run"))
    access.record(
        request.user,
        "export_worklist",
        outcome="allowed",
        membership=access.decide(request.user, Permission.VIEW_RECORD).membership,
        detail={"format": export, "rows": len(scores), "run": run.pk},
    )
    name = f"case-finding-run-{run.pk}"
    if export == "csv":
        response = HttpResponse(exports.as_csv(scores), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = HttpResponse(
            exports.as_xlsx(scores),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@access.person_route(Permission.VIEW_RECORD, action="view_case_finding")
def risk_panel(request, person, decision):
    return render(request, "casefinding/risk_panel.jinja", _panel_context(request, person))


def _panel_context(request, person, nomination_form=None, exclusion_form=None):
    return {
        "person": person,
        "case_finding": queries.person_case_finding(person),
        "can_change": access.decide(request.user, Permission.CHANGE_RECORD, person).allowed,
        "can_remove": access.decide(request.user, Permission.REMOVE_FROM_REGISTER, person).allowed,
        "nomination_form": nomination_form or NominationForm(),
        "exclusion_form": exclusion_form or ExclusionForm(),
    }


@require_POST
@access.person_route(Permission.CHANGE_RECORD, action="nominate_for_register")
def nominate(request, person, decision):
    form = NominationForm(request.POST)
    if not form.is_valid():
        return _panel_with_errors(request, person, nomination_form=form)
    try:
        actions.nominate(person=person, reason=form.cleaned_data["reason"], by=request.user)
    except actions.DecisionRefused as refused:
        form.add_error(None, str(refused))
        return _panel_with_errors(request, person, nomination_form=form)
    messages.success(
        request, "Nominated for the proactive care register. The next case-finding run adds them."
    )
    return redirect("person_detail", nhs_number=person.nhs_number)


@require_POST
@access.person_route(Permission.REMOVE_FROM_REGISTER, action="exclude_from_register")
def exclude(request, person, decision):
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        return _panel_with_errors(request, person, exclusion_form=form)
    try:
        actions.exclude(
            person=person,
            reason=form.cleaned_data["reason"],
            detail=form.cleaned_data["detail"],
            by=request.user,
        )
    except actions.DecisionRefused as refused:
        form.add_error(None, str(refused))
        return _panel_with_errors(request, person, exclusion_form=form)
    messages.success(
        request, "Removed from the proactive care register. The next run lists them as a leaver."
    )
    return redirect("person_detail", nhs_number=person.nhs_number)


@require_POST
@access.person_route(Permission.CHANGE_RECORD, action="undo_register_decision")
def undo(request, person, decision):
    """Withdraw a nomination or removal that the next case-finding run has not yet applied."""
    try:
        undone = actions.undo_register_decision(person=person, by=request.user)
    except actions.DecisionRefused as refused:
        messages.warning(request, str(refused))
    else:
        what = "nomination for" if isinstance(undone, Nomination) else "removal from"
        messages.success(request, f"Undone: the {what} the proactive care register has been withdrawn.")
    return redirect("person_detail", nhs_number=person.nhs_number)


@require_POST
@access.person_route(Permission.CHANGE_RECORD, action="review_case_finding")
def review(request, person, decision):
    run = queries.latest_run()
    if run is None:
        raise Http404("No case-finding run yet")
    actions.mark_reviewed(person=person, run=run, note=request.POST.get("note", ""), by=request.user)
    messages.success(request, "Marked as reviewed.")
    return redirect("person_detail", nhs_number=person.nhs_number)


def _panel_with_errors(request, person, **forms):
    """Audited by the route (a change route that changed nothing)."""
    return render(
        request, "casefinding/panel_form_errors.jinja", _panel_context(request, person, **forms), status=400
    )


@access.route(Permission.VIEW_AGGREGATES, action="view_case_finding_overview")
def overview(request):
    """Aggregates for analysts and MDT chairs: the pyramid and the model report, small numbers suppressed."""
    run = queries.latest_run()
    if run is None:
        return render(request, "casefinding/no_run.jinja")
    runs = RiskRun.objects.all()[:20]
    return render(
        request,
        "casefinding/overview.jinja",
        {
            "run": run,
            "pyramid": reports.pyramid_rows(run.pyramid),
            "runs": runs,
            "report": reports.report_for(run),
        },
    )


@access.route(Permission.VIEW_AGGREGATES, action="view_model_report_chart", audit_allowed=False)
def report_image(request, run_id, name):
    run = get_object_or_404(RiskRun, pk=run_id, status=RiskRun.Status.SUCCEEDED)
    path = reports.image_path(run, name)
    if path is None:
        raise Http404("No such chart")
    return FileResponse(path.open("rb"), content_type="image/png")
