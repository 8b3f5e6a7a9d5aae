from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from neighbourhood.casefinding import actions, exports, queries, reports
from neighbourhood.casefinding.forms import ExclusionForm, NominationForm, WorklistFilterForm
from neighbourhood.casefinding.models import RiskRun
from neighbourhood.disclosure import safe_count, safe_share
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person, Practice

PAGE_SIZE = 50


def worklist(request):
    access.authorise(request.user, Permission.VIEW_RECORD, action="view_worklist")
    run = queries.latest_run()
    if run is None:
        return render(request, "casefinding/no_run.jinja")
    practices = [(p.ods_code, p.name) for p in Practice.objects.order_by("name")]
    form = WorklistFilterForm(request.GET or None, practices=practices, segments=queries.segments_in(run))
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


def risk_panel(request, nhs_number):
    person = get_object_or_404(Person, nhs_number=nhs_number)
    access.authorise(request.user, Permission.VIEW_RECORD, action="view_case_finding", person=person)
    return render(request, "casefinding/risk_panel.jinja", _panel_context(request, person))


def _panel_context(request, person, nomination_form=None, exclusion_form=None):
    return {
        "person": person,
        "case_finding": queries.person_case_finding(person),
        "can_change": access.decide(request.user, Permission.CHANGE_RECORD, person).allowed,
        "nomination_form": nomination_form or NominationForm(),
        "exclusion_form": exclusion_form or ExclusionForm(),
    }


@require_POST
def nominate(request, nhs_number):
    person = get_object_or_404(Person, nhs_number=nhs_number)
    form = NominationForm(request.POST)
    if not form.is_valid():
        return _panel_with_errors(request, person, nomination_form=form)
    actions.nominate(person=person, reason=form.cleaned_data["reason"], by=request.user)
    messages.success(
        request, "Nominated for the proactive care register. The next case-finding run adds them."
    )
    return redirect("person_detail", nhs_number=person.nhs_number)


@require_POST
def exclude(request, nhs_number):
    person = get_object_or_404(Person, nhs_number=nhs_number)
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        return _panel_with_errors(request, person, exclusion_form=form)
    actions.exclude(
        person=person, reason=form.cleaned_data["reason"], detail=form.cleaned_data["detail"], by=request.user
    )
    messages.success(
        request, "Removed from the proactive care register. The next run lists them as a leaver."
    )
    return redirect("person_detail", nhs_number=person.nhs_number)


@require_POST
def review(request, nhs_number):
    person = get_object_or_404(Person, nhs_number=nhs_number)
    run = queries.latest_run()
    if run is None:
        raise Http404("No case-finding run yet")
    actions.mark_reviewed(person=person, run=run, note=request.POST.get("note", ""), by=request.user)
    messages.success(request, "Marked as reviewed.")
    return redirect("person_detail", nhs_number=person.nhs_number)


def _panel_with_errors(request, person, **forms):
    access.authorise(request.user, Permission.VIEW_RECORD, action="view_case_finding", person=person)
    return render(
        request, "casefinding/panel_form_errors.jinja", _panel_context(request, person, **forms), status=400
    )


def overview(request):
    """Aggregates for analysts and MDT chairs: the pyramid and the model report, small numbers suppressed."""
    access.authorise(request.user, Permission.VIEW_AGGREGATES, action="view_case_finding_overview")
    run = queries.latest_run()
    if run is None:
        return render(request, "casefinding/no_run.jinja")
    total_people = sum(row["people"] for row in run.pyramid)
    total_admissions = sum(row["emergency_admissions"] for row in run.pyramid)
    pyramid = [
        {
            "segment": row["segment"],
            "people": safe_count(row["people"]).text,
            "share_of_people": safe_share(row["people"], total_people),
            "share_of_spend": "suppressed" if row["people"] < 10 else f"{100 * row['share_spend']:.1f}%",
            "emergency_admissions": safe_count(row["emergency_admissions"]).text,
            "share_of_admissions": safe_share(row["emergency_admissions"], total_admissions),
        }
        for row in run.pyramid
    ]
    runs = RiskRun.objects.all()[:20]
    return render(
        request,
        "casefinding/overview.jinja",
        {"run": run, "pyramid": pyramid, "runs": runs, "report": reports.report_for(run)},
    )


def report_image(request, run_id, name):
    if not access.has_permission(request.user, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("Your role does not allow you to view suppressed aggregate figures")
    run = get_object_or_404(RiskRun, pk=run_id, status=RiskRun.Status.SUCCEEDED)
    path = reports.image_path(run, name)
    if path is None:
        raise Http404("No such chart")
    return FileResponse(path.open("rb"), content_type="image/png")
