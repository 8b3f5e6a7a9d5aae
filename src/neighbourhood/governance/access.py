"""The one access service. Every route that shows or changes a person's data comes in through `person_route`
(pages) or `open_person` (the API), every other page through `route`; each decides and audits.

Access needs two things: a role that carries the permission, and a legitimate relationship between the
user (through the organisation they work for) and the person:
  - staff of the person's registered practice, except link workers and community nurses (caseload only:
    roles.CASELOAD_ONLY_ROLES);
  - the council's adult social care staff, for people known to social care in that council's area (the same);
  - an active place in the person's care team (care.CareTeamMember), at that organisation;
  - an open referral of the person to the user's team, unassigned or assigned to the user
    (referrals.Referral);
  - emergency access (break-glass) that the user opened for this person and that has not yet expired, for
    viewing only;
  - for a privacy officer, seeing who has looked at the record of a person whose record staff of their
    organisation opened in an emergency.
The person's decisions narrow these (care.consent_rules): an objection to an organisation removes its access;
a voluntary-sector organisation needs consent to share (or a best-interests decision); being put on an MDT
agenda needs consent to be discussed (or a best-interests decision). Some permissions need a particular
relationship: taking someone off the register, a clinician of their practice; changing the care team, its
named GP or care coordinator, or a practice GP or care coordinator.
Later capabilities extend `_relationship_basis` and `viewable_people`, and nothing else: there is no second
way to check access.

A person nobody may see and a person who does not exist are refused alike (same status, page and words, both
audited), so nobody can probe the register. Refusals are appended on their own; the audit row of an allowed
change is appended in the change's own transaction (`changing`), so if the change rolls back so does its row.
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from neighbourhood import nhs_number as nhs_numbers
from neighbourhood.care import consent_rules
from neighbourhood.care.models import CareTeamMember, Consent
from neighbourhood.governance.models import AuditEvent, EmergencyAccess, Membership, User
from neighbourhood.governance.roles import (
    CASELOAD_ONLY_ROLES,
    PRACTICE_CARE_TEAM_ROLES,
    ROLE_PERMISSIONS,
    Permission,
)
from neighbourhood.referrals.models import Referral
from neighbourhood.register.models import Organisation, Person

NOT_FOUND_OR_NOT_YOURS = (
    "You cannot open this record. Either nobody with this NHS number is on the register, or you do not have "
    "a care relationship with them through your organisation"
)
NO_ACTIVE_ROLE = "You do not have an active role in any organisation"
# Emergency access lets a user read a record; changes still need a recorded relationship.
EMERGENCY_PERMISSIONS = frozenset({Permission.VIEW_RECORD})
# Routes under these permissions change a person's data; the others only show it.
CHANGE_PERMISSIONS = frozenset(
    {
        Permission.CHANGE_RECORD,
        Permission.MANAGE_CARE_TEAM,
        Permission.REMOVE_FROM_REGISTER,
        Permission.ADD_TO_MDT_AGENDA,
    }
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    membership: Membership | None  # the role and organisation under which the user acts
    basis: str  # why access is legitimate, or why it was refused, in words shown to the user and audited
    emergency: EmergencyAccess | None = None  # the emergency access this rests on, if it does

    @property
    def outcome(self) -> str:
        if not self.allowed:
            return AuditEvent.Outcome.REFUSED
        return AuditEvent.Outcome.BREAK_GLASS if self.emergency else AuditEvent.Outcome.ALLOWED


class RecordRefused(PermissionDenied):
    """A person route refused: the 403 page offers emergency access when the user's role could use it."""

    def __init__(self, message: str, *, nhs_number: str = "", may_request_emergency_access: bool = False):
        super().__init__(message)
        self.nhs_number = nhs_number
        self.may_request_emergency_access = may_request_emergency_access


def active_memberships(user: User) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(user.memberships.filter(is_active=True).select_related("organisation"))


def role_permissions(role: str) -> list[Permission]:
    """What a role may do, in the order `Permission` lists them (for showing people their access)."""
    granted = ROLE_PERMISSIONS.get(role, frozenset())
    return [permission for permission in Permission if permission in granted]


def has_permission(user: User, permission: str) -> bool:
    return any(permission in ROLE_PERMISSIONS.get(m.role, ()) for m in active_memberships(user))


def _relationship_basis(membership: Membership, person: Person, permission: str) -> str | None:
    organisation = membership.organisation
    if permission == Permission.RESOLVE_AUDIT_REFERENCE:
        # It shows whose record an audit event names, not the record: a privacy officer's review, for anyone.
        return "Resolving an audit reference for a privacy review"
    if (
        permission in {Permission.VIEW_ACCESS_LOG, Permission.REVIEW_ACCESS}
        and Permission.REVIEW_ACCESS in ROLE_PERMISSIONS.get(membership.role, ())
        and EmergencyAccess.objects.filter(person=person, membership__organisation=organisation).exists()
    ):
        return f"Opened in an emergency by staff of {organisation.name}"
    if consent_rules.objects_to(person, organisation):
        return None
    care_bases = _care_relationships(membership, person)
    if not care_bases:
        return None
    if organisation.kind in consent_rules.NEEDS_SHARING_CONSENT and not consent_rules.allows(
        person, Consent.Scope.SHARING
    ):
        return None
    kinds = dict(care_bases)
    if permission == Permission.REMOVE_FROM_REGISTER:
        return kinds.get("practice")
    if permission == Permission.MANAGE_CARE_TEAM:
        leads = kinds.get("care_team_lead")
        if leads:
            return leads
        return (
            kinds["practice"] if "practice" in kinds and membership.role in PRACTICE_CARE_TEAM_ROLES else None
        )
    if permission == Permission.ADD_TO_MDT_AGENDA:
        in_force = consent_rules.allows(person, Consent.Scope.MDT)
        if in_force is None:
            return None
        return f"{care_bases[0][1]}; {in_force.words} to be discussed at an MDT"
    return care_bases[0][1]


def _care_relationships(membership: Membership, person: Person) -> list[tuple[str, str]]:
    """Every legitimate relationship through this membership, as (kind, words), strongest first."""
    organisation = membership.organisation
    found = []
    organisation_wide = membership.role not in CASELOAD_ONLY_ROLES
    if (
        organisation_wide
        and organisation.kind == Organisation.Kind.PRACTICE
        and person.practice.organisation_id == organisation.pk
    ):
        found.append(("practice", f"Registered with your practice, {organisation.name}"))
    if (
        organisation_wide
        and organisation.kind == Organisation.Kind.ADULT_SOCIAL_CARE
        and person.known_to_social_care
        and person.local_authority_id is not None
        and person.local_authority_id == organisation.local_authority_id
    ):
        found.append(("social_care", f"Known to {organisation.name}"))
    places = CareTeamMember.objects.filter(
        team__person=person,
        user_id=membership.user_id,
        organisation=organisation,
        status=CareTeamMember.Status.ACTIVE,
    )
    for place in places:
        responsibility = place.get_responsibility_display()
        if place.responsibility == CareTeamMember.Responsibility.MEMBER:
            words = f"You are in their care team ({place.get_role_display()}, {organisation.name})"
            found.append(("care_team", words))
        else:
            found.insert(
                0, ("care_team_lead", f"You are their {responsibility[0].lower()}{responsibility[1:]}")
            )
    referral = (
        Referral.objects.filter(person=person, to_organisation=organisation, status=Referral.Status.OPEN)
        .filter(Q(assigned_to__isnull=True) | Q(assigned_to_id=membership.user_id))
        .order_by("received_at")
        .first()
    )
    if referral is not None:
        received = timezone.localtime(referral.received_at).strftime("%-d %B %Y")
        found.append(("referral", f"Referred to {organisation.name} on {received}"))
    return found


def active_emergency_access(user: User, person: Person) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(
            user=user, person=person, membership__is_active=True, expires_at__gt=timezone.now()
        )
        .select_related("membership__organisation")
        .order_by("-expires_at")
        .first()
    )


def decide(user: User, permission: str, person: Person | None = None) -> Decision:
    """Decide without recording anything. Views use the route decorators; actions use `changing`."""
    memberships = active_memberships(user)
    granting = [m for m in memberships if permission in ROLE_PERMISSIONS.get(m.role, ())]
    if not memberships:
        return Decision(False, None, NO_ACTIVE_ROLE)
    if not granting:
        label = Permission(permission).label.lower() if permission in Permission.values else permission
        return Decision(False, memberships[0], f"Your role does not allow you to {label}")
    if person is None:
        return Decision(True, granting[0], "Allowed by your role")
    for membership in granting:
        if basis := _relationship_basis(membership, person, permission):
            return Decision(True, membership, basis)
    emergency = active_emergency_access(user, person) if permission in EMERGENCY_PERMISSIONS else None
    if emergency is not None and emergency.membership in granting:
        until = timezone.localtime(emergency.expires_at).strftime("%-H:%M")
        basis = f"Emergency access until {until}: {emergency.get_reason_display()}"
        return Decision(True, emergency.membership, basis, emergency=emergency)
    return Decision(False, granting[0], NOT_FOUND_OR_NOT_YOURS)


# The NHS numbers named by audit rows appended while a person route runs (see `person_route`).
_named_in_audit: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "named_in_audit", default=None
)


def record(
    user: User | None,
    action: str,
    *,
    outcome: str,
    membership: Membership | None = None,
    person: Person | None = None,
    nhs_number: str = "",
    reason: str = "",
    detail: dict | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one audit event. `user=None` is a system action (a loader, a scheduled job): name it with
    `username`, e.g. `record(None, "load_register", outcome="allowed", username="system:load")`.
    `nhs_number` names a person who is not on the register (a refused look-up of an unknown number)."""
    signed_in = user is not None and user.is_authenticated
    if username is None:
        if user is None:
            raise ValueError("record() needs username= for a system action (user=None), e.g. 'system:load'")
        username = user.get_username() if signed_in else "anonymous"
    named = person.nhs_number if person else nhs_number
    if named and (seen := _named_in_audit.get()) is not None:
        seen.add(named)
    return AuditEvent.objects.create(
        user=user if signed_in else None,
        username=username,
        role=membership.role if membership else "",
        organisation_code=membership.organisation.code if membership else "",
        person=person,
        nhs_number=named,
        action=action,
        outcome=outcome,
        reason=reason,
        detail=detail or {},
    )


def _record_decision(user, decision: Decision, *, action, person=None, nhs_number="", detail=None):
    return record(
        user,
        action,
        outcome=decision.outcome,
        membership=decision.membership,
        person=person,
        nhs_number=nhs_number,
        reason=decision.basis,
        detail=detail,
    )


def authorise(
    user: User, permission: str, *, action: str, person: Person | None = None, detail: dict | None = None
) -> Decision:
    """Decide, append an audit event either way, and raise PermissionDenied (a 403 page) if refused.

    Call it outside any transaction, so that a refusal's audit row is committed on its own. For a change,
    use `changing` instead: it appends the allowed row in the change's transaction."""
    decision = decide(user, permission, person)
    _record_decision(user, decision, action=action, person=person, detail=detail)
    if not decision.allowed:
        raise PermissionDenied(decision.basis)
    return decision


@contextmanager
def changing(
    by: User, permission: str, *, action: str, person: Person | None = None, detail: dict | None = None
) -> Iterator[Decision]:
    """For an action: decide; a refusal is audited on its own and raises; an allowed change runs inside one
    transaction that also appends its audit row, so the two commit or roll back together.

        with access.changing(by, Permission.CHANGE_RECORD, action="nominate_for_register", person=p) as d:
            Nomination.objects.create(...)
    """
    decision = decide(by, permission, person)
    if not decision.allowed:
        _record_decision(by, decision, action=action, person=person, detail=detail)
        raise PermissionDenied(decision.basis)
    with transaction.atomic():
        yield decision
        _record_decision(by, decision, action=action, person=person, detail=detail)


def find_person(typed_nhs_number: str) -> Person | None:
    """The person with this NHS number, or None for an unknown or malformed one."""
    if not nhs_numbers.is_valid(typed_nhs_number):
        return None
    number = nhs_numbers.normalise(typed_nhs_number)
    return Person.objects.select_related("practice", "local_authority").filter(nhs_number=number).first()


def open_person(
    user: User, typed_nhs_number: str, permission: str, *, action: str, detail: dict | None = None
) -> tuple[Person, Decision]:
    """The person behind an NHS number for `user`, or RecordRefused: the same refusal whether they do not
    exist or the user may not see them, audited either way. An allowed read is audited here; an allowed
    change is audited by the action (see `person_route`)."""
    person = find_person(typed_nhs_number)
    decision = decide(user, permission, person)
    if person is None and decision.allowed:
        decision = Decision(False, decision.membership, NOT_FOUND_OR_NOT_YOURS)
    if not decision.allowed:
        # A malformed number cannot name anyone; a well-formed unknown one is kept, as a real person's is.
        named = nhs_numbers.normalise(typed_nhs_number) if nhs_numbers.is_valid(typed_nhs_number) else ""
        _record_decision(user, decision, action=action, person=person, nhs_number=named, detail=detail)
        raise RecordRefused(
            decision.basis,
            nhs_number=named,
            may_request_emergency_access=bool(named)
            and decision.basis == NOT_FOUND_OR_NOT_YOURS
            and has_permission(user, Permission.VIEW_RECORD),
        )
    if permission not in CHANGE_PERMISSIONS:
        _record_decision(user, decision, action=action, person=person, detail=detail)
    return person, decision


def person_route(permission: str, *, action: str) -> Callable:
    """For a view `view(request, person, decision, **kwargs)` routed with `<str:nhs_number>`.

    Exactly one audit row names the person for each request: the refusal, the allowed read, or, on a
    change route, the action's own row (appended in its transaction); a change route that changed nothing
    (a form with errors shown again) is audited as `action` with `changed: false`."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, nhs_number: str, **kwargs):
            person, decision = open_person(request.user, nhs_number, permission, action=action)
            if permission not in CHANGE_PERMISSIONS:
                return view(request, person, decision, *args, **kwargs)
            named = set()
            token = _named_in_audit.set(named)
            try:
                return view(request, person, decision, *args, **kwargs)
            finally:
                _named_in_audit.reset(token)
                if person.nhs_number not in named:
                    _record_decision(
                        request.user, decision, action=action, person=person, detail={"changed": False}
                    )

        guarded.access_rule = (permission, "person")
        return guarded

    return decorate


def route(permission: str | None, *, action: str = "", audit_allowed: bool = True) -> Callable:
    """For a page that is not about one person. `permission=None`: any signed-in member of staff.

    Refusals are always audited; an allowed request is audited as `action` unless `audit_allowed` is
    False (the view then records what it did itself, e.g. a search with its number of results, or there is
    nothing worth recording, e.g. a chart image)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if permission is not None:
                decision = decide(request.user, permission)
                if not decision.allowed or audit_allowed:
                    _record_decision(request.user, decision, action=action)
                if not decision.allowed:
                    raise PermissionDenied(decision.basis)
            return view(request, *args, **kwargs)

        guarded.access_rule = (permission, "page")
        return guarded

    return decorate


def reviewable_emergency_accesses(user: User) -> QuerySet[EmergencyAccess]:
    """Emergency accesses by staff of the organisations where `user` reviews access (a privacy officer)."""
    organisations = [
        m.organisation_id
        for m in active_memberships(user)
        if Permission.REVIEW_ACCESS in ROLE_PERMISSIONS.get(m.role, ())
    ]
    return EmergencyAccess.objects.filter(membership__organisation_id__in=organisations).select_related(
        "user", "membership__organisation", "person", "person__practice", "reviewed_by"
    )


def emergency_access_for_review(user: User, pk: int, *, action: str) -> tuple[EmergencyAccess, Decision]:
    """One emergency access for its reviewer, or the same refusal whether it exists or is another
    organisation's; audited either way, naming the person whose record was opened."""
    emergency = reviewable_emergency_accesses(user).filter(pk=pk).first()
    person = emergency.person if emergency else None
    decision = decide(user, Permission.REVIEW_ACCESS, person)
    if emergency is None and decision.allowed:
        decision = Decision(False, decision.membership, "You cannot review this emergency access")
    _record_decision(user, decision, action=action, person=person, detail={"emergency_access": pk})
    if not decision.allowed:
        raise PermissionDenied(decision.basis)
    return emergency, decision


def viewable_people(user: User, permission: str = Permission.VIEW_RECORD) -> QuerySet[Person]:
    """The people `user` may open through a recorded relationship: the same rule as `decide`, as a query
    (for search and worklists). Emergency access opens one record at a time and never lists people."""
    granting = [m for m in active_memberships(user) if permission in ROLE_PERMISSIONS.get(m.role, ())]
    rule = Q(pk__in=[])
    for membership in granting:
        organisation = membership.organisation
        reach = Q(
            pk__in=CareTeamMember.objects.filter(
                user_id=membership.user_id, organisation=organisation, status=CareTeamMember.Status.ACTIVE
            ).values("team__person_id")
        ) | Q(
            pk__in=Referral.objects.filter(to_organisation=organisation, status=Referral.Status.OPEN)
            .filter(Q(assigned_to__isnull=True) | Q(assigned_to_id=membership.user_id))
            .values("person_id")
        )
        if membership.role not in CASELOAD_ONLY_ROLES:
            if organisation.kind == Organisation.Kind.PRACTICE:
                reach |= Q(practice__organisation=organisation)
            elif organisation.kind == Organisation.Kind.ADULT_SOCIAL_CARE and organisation.local_authority_id:
                reach |= Q(known_to_social_care=True, local_authority_id=organisation.local_authority_id)
        reach &= ~Q(pk__in=consent_rules.people_objecting_to(organisation))
        if organisation.kind in consent_rules.NEEDS_SHARING_CONSENT:
            # Consent is decided person by person (the newest decision in force); a caseload is small.
            candidates = Person.objects.filter(reach).only("pk")
            reach = Q(pk__in=[p.pk for p in candidates if consent_rules.allows(p, Consent.Scope.SHARING)])
        rule |= reach
    return Person.objects.filter(rule)
