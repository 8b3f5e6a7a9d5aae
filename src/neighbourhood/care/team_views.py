"""The care team pages: the team and its gaps, adding someone, changing a place, and the named GP."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from neighbourhood.care import team_actions, team_queries
from neighbourhood.care.models import CareTeam, CareTeamMember
from neighbourhood.care.team_forms import AddMemberForm, ChangeMemberForm, NamedGPForm
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission


def _page(request, template, person, decision, status=200, **context):
    context.update(person=person, decision=decision, section="care_team")
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@access.person_route(Permission.VIEW_RECORD, action="view_care_team")
def care_team(request, person, decision):
    return _page(
        request,
        "care/team.jinja",
        person,
        decision,
        summary=team_queries.care_team_summary(person),
        can_change=access.decide(request.user, Permission.MANAGE_CARE_TEAM, person).allowed,
    )


def _done(request, person, message):
    messages.success(request, message)
    return redirect("care_team", nhs_number=person.nhs_number)


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.MANAGE_CARE_TEAM, action="add_care_team_member")
def add_member(request, person, decision):
    form = AddMemberForm(
        request.POST if request.method == "POST" else None,
        staff=team_queries.staff_for_places(),
        today=timezone.localdate(),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            place = team_actions.add_member(
                person=person,
                membership=data["membership"],
                responsibility=data["responsibility"],
                status=data["status"],
                start_date=data["start_date"],
                by=request.user,
            )
        except team_actions.CareTeamRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            return _done(
                request, person, f"{team_queries.staff_name(place.user)} has been added to the care team."
            )
    return _page(
        request, "care/team_add.jinja", person, decision, status=400 if form.errors else 200, form=form
    )


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.MANAGE_CARE_TEAM, action="change_care_team_member")
def change_member(request, person, decision, member_id):
    place = team_queries.place_in_team(person, member_id)
    if place is None:
        raise Http404("No such place in this person's care team")
    form = ChangeMemberForm(
        request.POST if request.method == "POST" else None, place=place, today=timezone.localdate()
    )
    refusal = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            team_actions.change_member(
                person=person,
                place=place,
                status=data["status"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                by=request.user,
            )
        except team_actions.CareTeamRefused as refused:
            if refused.field:
                form.add_error(refused.field, str(refused))
            refusal = "" if refused.field else str(refused)
        else:
            name = team_queries.staff_name(place.user)
            return _done(request, person, f"{name}'s place in the care team has been changed.")
    return _page(
        request,
        "care/team_member.jinja",
        person,
        decision,
        status=400 if form.errors or refusal else 200,
        form=form,
        place=place,
        refusal=refusal,
        ended=place.status == CareTeamMember.Status.ENDED,
    )


@require_http_methods(["GET", "POST"])
@access.person_route(Permission.MANAGE_CARE_TEAM, action="set_named_gp")
def named_gp(request, person, decision):
    current = team_queries.current_named_gp(person)
    form = NamedGPForm(
        request.POST if request.method == "POST" else None,
        gps=team_queries.practice_gps(person),
        initial_named_gp=current.user if current else None,
        team=CareTeam.objects.filter(person=person).first(),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            place = team_actions.set_named_gp(
                person=person,
                named_gp=data["named_gp"],
                preferred_gp=data["preferred_gp"],
                reason=data["preference_not_honoured_reason"],
                by=request.user,
            )
        except team_actions.CareTeamRefused as refused:
            form.add_error(refused.field or "named_gp", str(refused))
        else:
            name = team_queries.staff_name(place.user)
            return _done(request, person, f"{name} is now their named accountable GP.")
    return _page(
        request,
        "care/team_named_gp.jinja",
        person,
        decision,
        status=400 if form.errors else 200,
        form=form,
        current=current,
    )
