"""Care coordination for the demo: care teams, consents (and an objection), capacity and best interests,
referrals, holistic assessments and plans in every state, for people on the proactive care register at the
demo practice, so every care page has something real to show. Synthetic only; never for production.

Everything is written through the actions (so it is audited like real work, by the demo's own staff), then
the care rows' own times are moved into the past, so the demo reads like a team a few months in. Re-running
adds nothing for people who already have a plan or a consent.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from neighbourhood.care import assessment_actions, consent_actions, plan_actions, plan_content, team_actions
from neighbourhood.care.assessment_domains import DOMAINS
from neighbourhood.care.models import (
    CarePlan,
    CarePlanVersion,
    CareTeamMember,
    Consent,
    HolisticAssessment,
)
from neighbourhood.casefinding.queries import latest_run
from neighbourhood.governance.demo import demo_username, largest_practice, refuse_in_production
from neighbourhood.governance.models import Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.referrals import actions as referral_actions
from neighbourhood.referrals.models import Referral
from neighbourhood.register.models import Person

PEOPLE_NEEDED = 14
# Each plan in the demo's history is reviewed this long after it was saved: within the quarter the register
# needs (care.plan_rules), so an old plan's review falls due and shows as overdue.
REVIEW_AFTER_DAYS = 85
Responsibility = CareTeamMember.Responsibility
Status = CareTeamMember.Status


@dataclass(frozen=True)
class DemoCare:
    people: int
    plans: int
    assessments: int
    consents: int
    referrals: int


class NoRegisterToShow(Exception):
    """The demo's care needs a case-finding run with people on the register at the demo practice."""


def _user(role: str) -> User:
    return User.objects.get(username=demo_username(role))


def _membership(user: User) -> Membership:
    return user.memberships.filter(is_active=True).select_related("organisation").first()


def _register_people(practice) -> list[Person]:
    run = latest_run()
    if run is None:
        raise NoRegisterToShow("Run case finding first: neighbourhood stratify")
    people = list(
        Person.objects.filter(
            risk_scores__run=run,
            risk_scores__on_register=True,
            practice=practice,
            date_of_death__isnull=True,
        )
        .order_by("-risk_scores__admission_risk", "nhs_number")
        .select_related("practice", "local_authority")[:PEOPLE_NEEDED]
    )
    if len(people) < PEOPLE_NEEDED:
        raise NoRegisterToShow(
            f"The demo practice has {len(people)} people on the register; "
            f"the demo's care needs {PEOPLE_NEEDED}"
        )
    return people


def _current(person: Person, responsibility: str) -> CareTeamMember | None:
    return CareTeamMember.objects.filter(
        team__person=person, responsibility=responsibility, status__in=[Status.PROPOSED, Status.ACTIVE]
    ).first()


def _lead(person: Person, user: User, responsibility: str, *, by: User, today: dt.date) -> None:
    """Make `user` the person's active named GP or care coordinator, taking over any proposed one."""
    current = _current(person, responsibility)
    if current is not None and current.user_id == user.pk:
        if current.status == Status.PROPOSED:
            team_actions.change_member(
                person=person, place=current, status=Status.ACTIVE, start_date=today, end_date=None, by=by
            )
        return
    if responsibility == Responsibility.NAMED_GP:
        team_actions.set_named_gp(person=person, named_gp=user, preferred_gp=None, by=by)
        return
    if current is not None:
        team_actions.change_member(
            person=person,
            place=current,
            status=Status.ENDED,
            start_date=current.start_date or today,
            end_date=today,
            by=by,
        )
    team_actions.add_member(
        person=person,
        membership=_membership(user),
        responsibility=responsibility,
        status=Status.ACTIVE,
        start_date=today,
        by=by,
    )


def _member(person: Person, user: User, *, by: User, today: dt.date, then: str = Status.ACTIVE) -> None:
    place = team_actions.add_member(
        person=person,
        membership=_membership(user),
        responsibility=Responsibility.MEMBER,
        status=Status.ACTIVE,
        start_date=today - dt.timedelta(days=60),
        by=by,
    )
    if then != Status.ACTIVE:
        team_actions.change_member(
            person=person,
            place=place,
            status=then,
            start_date=place.start_date,
            end_date=today if then == Status.ENDED else None,
            by=by,
        )


def _assessment_answers(person: Person, prefix: str) -> dict[str, str]:
    return {
        domain.key: f"{prefix}: {domain.heading.lower()} discussed with {person.given_name}."
        for domain in DOMAINS
    }


def _plan(person: Person, *, next_review: dt.date, version_note: str) -> dict:
    iso = next_review.isoformat()
    content = plan_content.normalised({})
    content["about_me"] = {
        "about_me": f"{person.given_name} has lived in the town all their life; likes to be called by name.",
        "communication": "Hard of hearing on the left: sit on the right. Best called mid-morning.",
    }
    content["what_matters"] = {
        "what_matters": "Staying at home with the cat, and getting to the Thursday lunch club."
    }
    content["goals"] = {
        "goals": [
            {
                "goal": "Walk to the corner shop again",
                "owner": person.given_name,
                "target_date": iso,
                "status": "in_progress",
            },
            {
                "goal": "No more falls at night",
                "owner": "Community nurse",
                "target_date": iso,
                "status": "not_started",
            },
        ]
    }
    content["needs_and_actions"] = {
        "actions": [
            {
                "need": "Medicines review",
                "action": "Structured medication review",
                "who": "Practice pharmacist",
                "due_date": iso,
            },
            {
                "need": "Loneliness",
                "action": "Introduce to the lunch club",
                "who": "Link worker",
                "due_date": iso,
            },
        ]
    }
    content["carers"] = {
        "carer_name": "Daughter (lives nearby)",
        "carer_relationship": "Daughter",
        "carer_contact": "Mobile on the practice record",
        "carers_views": "Worried about nights; happy to help with shopping twice a week.",
    }
    content["contingency"] = {
        **content["contingency"],
        "if_unwell": "If more breathless than usual, start the rescue pack and call the practice.",
        "call_in_the_day": "The practice, 8am to 6:30pm; the community nursing team.",
        "call_at_night": "NHS 111; 999 in an emergency.",
        "treatment_escalation": "For hospital admission if needed; wishes to avoid intensive care.",
        "dnacpr": "not_discussed",
        "respect": "none",
        "preferred_place_of_care": "Home",
        "preferred_place_of_death": "Home",
    }
    content["review"] = {"next_review_date": iso}
    content["agreement"] = {"agreed_on": "", "agreed_how": "in_person", "agreed_by": version_note}
    return content


def _save_plan(person: Person, content: dict, by: User) -> None:
    plan = CarePlan.objects.filter(person=person).first()
    plan_actions.save_plan(person=person, content=content, edited_version=plan.version if plan else 0, by=by)


def _into_the_past(person: Person, *, days: int) -> None:
    """Move this person's care rows back in time, keeping their order (the demo's history)."""
    shift = dt.timedelta(days=days)
    latest = None
    for version in CarePlanVersion.objects.filter(plan__person=person).order_by("number"):
        saved_at = version.saved_at - shift
        review = timezone.localtime(saved_at).date() + dt.timedelta(days=REVIEW_AFTER_DAYS)
        content = {**version.content, "review": {"next_review_date": review.isoformat()}}
        CarePlanVersion.objects.filter(pk=version.pk).update(saved_at=saved_at, content=content)
        latest = (content, review)
    for plan in CarePlan.objects.filter(person=person):
        CarePlan.objects.filter(pk=plan.pk).update(
            created_at=plan.created_at - shift,
            updated_at=plan.updated_at - shift,
            content=latest[0],
            next_review_date=latest[1],
        )
    for consent in Consent.objects.filter(person=person):
        Consent.objects.filter(pk=consent.pk).update(recorded_at=consent.recorded_at - shift)
    for assessment in HolisticAssessment.objects.filter(person=person):
        HolisticAssessment.objects.filter(pk=assessment.pk).update(
            started_at=assessment.started_at - shift,
            updated_at=assessment.updated_at - shift,
            completed_at=assessment.completed_at - shift if assessment.completed_at else None,
        )


def build_demo_care() -> DemoCare:
    refuse_in_production()
    practice = largest_practice()
    people = _register_people(practice)
    if CarePlan.objects.filter(person__in=people).exists():
        return _summary(people)
    today = timezone.localdate()
    gp, nurse, coordinator = _user(Role.GP), _user(Role.PRACTICE_NURSE), _user(Role.CARE_COORDINATOR)
    social_worker, link_worker = _user(Role.SOCIAL_WORKER), _user(Role.LINK_WORKER)
    community_nurse = _user(Role.COMMUNITY_NURSE)
    voluntary = _membership(link_worker).organisation
    community = _membership(community_nurse).organisation
    p = people
    with transaction.atomic():
        for person in p[:10]:
            _lead(person, gp, Responsibility.NAMED_GP, by=gp, today=today)
        for person in p[:7]:
            _lead(person, coordinator, Responsibility.CARE_COORDINATOR, by=gp, today=today)
        # A social worker as key worker, for someone social care knows well.
        _lead(p[7], social_worker, Responsibility.CARE_COORDINATOR, by=gp, today=today)

        def consent(person, scope, decision=Consent.Decision.GIVEN, how=Consent.How.VERBAL, **extra):
            return consent_actions.record_consent(
                person=person, scope=scope, decision=decision, how=how, by=coordinator, **extra
            )

        for person in p[:4]:
            consent(person, Consent.Scope.SHARING)
            consent(person, Consent.Scope.MDT, how=Consent.How.WRITTEN)
        for person in p[:4]:
            _member(person, link_worker, by=coordinator, today=today)
        # She no longer wants the voluntary sector to see her record: the link worker loses access.
        consent_actions.record_objection(
            person=p[3], organisation=voluntary, reason="Prefers to arrange her own groups", by=coordinator
        )
        consent(
            p[4],
            Consent.Scope.SHARING,
            how=Consent.How.LASTING_POWER_OF_ATTORNEY,
            representative_name="Her son, attorney for health and welfare",
            review_date=today + dt.timedelta(days=180),
        )
        consent(p[4], Consent.Scope.MDT, decision=Consent.Decision.REFUSED)
        # Advanced dementia: lacks capacity to decide about MDT discussion; a best-interests decision instead.
        assessment = consent_actions.assess_capacity(
            person=p[5],
            decision=Consent.Scope.MDT,
            impairment=True,
            impairment_detail="Advanced Alzheimer's disease",
            unable_to=["retain", "weigh"],
            notes="Could not recall the explanation after a few minutes; daughter present.",
            by=gp,
        )
        consent_actions.record_best_interests(
            person=p[5],
            assessment=assessment,
            in_favour=True,
            consulted="Daughter (next of kin); community matron; care home manager",
            reason="Discussion at the MDT brings the services she needs together; nobody consulted objected.",
            by=gp,
        )
        withdrawn = consent(p[6], Consent.Scope.SHARING)
        consent_actions.withdraw_consent(
            person=p[6],
            consent=withdrawn,
            note="Changed his mind after talking to his family",
            by=coordinator,
        )
        for person in (p[1], p[4], p[5], p[7]):
            _member(person, community_nurse, by=coordinator, today=today)
        _member(p[8], community_nurse, by=coordinator, today=today, then=Status.SUSPENDED)
        _member(p[9], community_nurse, by=coordinator, today=today, then=Status.ENDED)

        consent(p[10], Consent.Scope.SHARING)
        referral_actions.refer(
            person=p[10], to_organisation=voluntary, reason="Isolated since bereavement; wants company", by=gp
        )
        referral_actions.refer(
            person=p[11], to_organisation=community, reason="Leg ulcer dressings twice a week", by=nurse
        )
        closed = referral_actions.refer(
            person=p[12], to_organisation=community, reason="Catheter review after discharge", by=nurse
        )
        referral_actions.close_referral(referral=closed, by=community_nurse)

        for person in p[:3]:
            started = assessment_actions.start_assessment(person=person, by=coordinator)
            assessment_actions.save_assessment(
                assessment=started,
                answers=_assessment_answers(person, "Seen at home"),
                edited_version=started.version,
                complete=True,
                by=coordinator,
            )
        draft = assessment_actions.start_assessment(person=p[3], by=nurse)
        assessment_actions.save_assessment(
            assessment=draft,
            answers={DOMAINS[0].key: "Blood pressure fine; needs a medicines review."},
            edited_version=draft.version,
            complete=False,
            by=nurse,
        )

        review = today + dt.timedelta(days=80)
        # Three versions: the coordinator's first plan, the GP's contingency plan, the coordinator's update.
        first = _plan(p[0], next_review=review, version_note="Care coordinator, at home with her daughter")
        _save_plan(p[0], first, coordinator)
        second = {
            **first,
            "contingency": {
                **first["contingency"],
                "dnacpr": "dnacpr_in_place",
                "dnacpr_date": (today - dt.timedelta(days=3)).isoformat(),
            },
        }
        _save_plan(p[0], second, gp)
        third = {
            **second,
            "what_matters": {"what_matters": "Staying at home, the cat, and the lunch club on Thursdays."},
        }
        _save_plan(p[0], third, coordinator)
        _save_plan(
            p[1], _plan(p[1], next_review=review, version_note="Care coordinator, by phone"), coordinator
        )
        _save_plan(p[2], _plan(p[2], next_review=review, version_note="Named GP, at the surgery"), gp)
        _save_plan(
            p[4], _plan(p[4], next_review=review, version_note="Care coordinator, with her son"), coordinator
        )
        # p[1]'s plan was saved four months ago, so its review is overdue.
        for person, days in (
            (p[0], 40),
            (p[1], 120),
            (p[2], 10),
            (p[3], 20),
            (p[4], 60),
            (p[5], 30),
            (p[6], 15),
        ):
            _into_the_past(person, days=days)
    return _summary(people)


def _summary(people: list[Person]) -> DemoCare:
    return DemoCare(
        people=len(people),
        plans=CarePlan.objects.filter(person__in=people).count(),
        assessments=HolisticAssessment.objects.filter(person__in=people).count(),
        consents=Consent.objects.filter(person__in=people).count(),
        referrals=Referral.objects.filter(person__in=people).count(),
    )
