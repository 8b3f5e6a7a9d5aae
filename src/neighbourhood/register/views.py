from django.http import Http404
from django.shortcuts import redirect, render

from neighbourhood import nhs_number as nhs_numbers
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission
from neighbourhood.register import queries
from neighbourhood.register.forms import PersonSearchForm, field_error
from neighbourhood.formhelpers import error_summary_items


def person_search(request):
    form = PersonSearchForm(request.GET if request.GET else None)
    people = None
    if form.is_bound and form.is_valid():
        search = form.cleaned_data
        people = list(
            queries.find_people(
                request.user,
                nhs_number=search["nhs_number"],
                family_name=search.get("family_name", ""),
                date_of_birth=search.get("date_of_birth"),
            )
        )
        # What was typed is identifiable: the audit keeps only the kind of search and how many were found.
        access.record(
            request.user,
            "search_register",
            outcome=AuditEvent.Outcome.ALLOWED,
            membership=access.decide(request.user, Permission.VIEW_RECORD).membership,
            detail={"search": search["kind"], "results": len(people)},
        )
        if search["kind"] == "nhs_number" and len(people) == 1:
            return redirect("person_detail", nhs_number=people[0].nhs_number)
    return render(
        request,
        "register/search.jinja",
        {
            "form": form,
            "errors": error_summary_items(form),
            "nhs_number_error": field_error(form, "nhs_number"),
            "family_name_error": field_error(form, "family_name"),
            "date_of_birth_error": form.date_error() if form.is_bound else None,
            "people": people,
        },
    )


def person_detail(request, nhs_number: str):
    if not nhs_numbers.is_valid(nhs_number):
        raise Http404
    person = queries.person_by_nhs_number(nhs_numbers.normalise(nhs_number))
    if person is None:
        raise Http404
    decision = access.authorise(request.user, Permission.VIEW_RECORD, action="view_record", person=person)
    return render(
        request,
        "register/person.jinja",
        {"person": person, "summary": queries.person_summary(person), "access_basis": decision.basis},
    )
