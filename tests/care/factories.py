"""Care teams, places and consents for tests."""

from django.utils import timezone

from neighbourhood.care.models import CareTeam, CareTeamMember, Consent, Objection
from neighbourhood.governance.models import User
from neighbourhood.register.models import Person


def team_for(person: Person, origin: str = CareTeam.Origin.STAFF) -> CareTeam:
    team, _ = CareTeam.objects.get_or_create(
        person=person, defaults={"origin": origin, "created_at": timezone.now()}
    )
    return team


def place(
    person: Person,
    user: User,
    *,
    responsibility: str = CareTeamMember.Responsibility.MEMBER,
    status: str = CareTeamMember.Status.ACTIVE,
) -> CareTeamMember:
    """`user` joins the person's care team in their (first) membership's role and organisation."""
    membership = user.memberships.first()
    now = timezone.now()
    return CareTeamMember.objects.create(
        team=team_for(person),
        user=user,
        organisation=membership.organisation,
        role=membership.role,
        responsibility=responsibility,
        status=status,
        start_date=now.date(),
        added_at=now,
        changed_at=now,
    )


def consent(
    person: Person, by: User, *, scope=Consent.Scope.SHARING, decision=Consent.Decision.GIVEN, at=None
):
    return Consent.objects.create(
        person=person,
        scope=scope,
        decision=decision,
        how=Consent.How.VERBAL,
        recorded_by=by,
        recorded_at=at or timezone.now(),
    )


def objection(person: Person, organisation, by: User) -> Objection:
    return Objection.objects.create(
        person=person, organisation=organisation, recorded_by=by, recorded_at=timezone.now()
    )


def holistic_assessment(person: Person, by: User, *, answers=None, prefill=None, status=None):
    """An assessment of `person` started by `by` (a draft unless `status` says otherwise)."""
    from neighbourhood.care.models import HolisticAssessment

    now = timezone.now()
    return HolisticAssessment.objects.create(
        person=person,
        answers=answers or {},
        prefill=prefill or {},
        status=status or HolisticAssessment.Status.DRAFT,
        started_by=by,
        started_at=now,
        updated_by=by,
        updated_at=now,
        completed_by=by if status == HolisticAssessment.Status.COMPLETED else None,
        completed_at=now if status == HolisticAssessment.Status.COMPLETED else None,
    )
