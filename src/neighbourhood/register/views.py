from django.shortcuts import redirect, render

from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance import access
from neighbourhood.governance import queries as governance_queries
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission
from neighbourhood.register import queries
from neighbourhood.register.forms import PersonSearchForm, field_error


@access.route(Permission.SEARCH_REGISTER, action="search_register", audit_allowed=False)
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
            membership=access.decide(request.user, Permission.SEARCH_REGISTER).membership,
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


@access.person_route(Permission.VIEW_RECORD, action="view_record")
def person_detail(request, person, decision):
    return render(
        request,
        "register/person.jinja",
        {
            "person": person,
            "decision": decision,
            "section": "record",
            "summary": queries.person_summary(person, request.user),
            "may_see_who_has_looked": access.decide(request.user, Permission.VIEW_ACCESS_LOG, person).allowed,
        },
    )


@access.person_route(Permission.VIEW_ACCESS_LOG, action="view_access_log")
def who_has_looked(request, person, decision):
    return render(
        request,
        "register/who_has_looked.jinja",
        {"person": person, "decision": decision, "accesses": governance_queries.accesses_to(person)},
    )
