"""The demo's care coordination: every state a care page can show, for the demo's own staff."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from neighbourhood.care import consent_rules
from neighbourhood.care.models import (
    BestInterestsDecision,
    CarePlan,
    CareTeamMember,
    Consent,
    HolisticAssessment,
    Objection,
)
from neighbourhood.governance import access
from neighbourhood.governance.demo import create_demo_users, demo_username
from neighbourhood.governance.models import User
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.referrals.models import Referral
from neighbourhood.register.models import Person
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import PersonFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    practice = PracticeFactory(name="Large Medical Centre", list_size=9000)
    PracticeFactory(name="Small Surgery", list_size=100)
    run = RiskRunFactory()
    for risk in range(20):
        RiskScoreFactory(
            run=run, person=PersonFactory(practice=practice), on_register=True, admission_risk=risk / 40
        )
    create_demo_users(password="a demo password for tests")
    call_command("demo_care", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return practice


def user(role) -> User:
    return User.objects.get(username=demo_username(role))


def test_the_demo_has_care_teams_in_every_state(demo):
    statuses = set(CareTeamMember.objects.values_list("status", flat=True))
    assert {"active", "suspended", "ended"} <= statuses  # and "proposed", from case finding, in the demo
    responsibilities = set(
        CareTeamMember.objects.filter(status="active").values_list("responsibility", "role").distinct()
    )
    assert ("named_gp", Role.GP) in responsibilities
    assert ("care_coordinator", Role.CARE_COORDINATOR) in responsibilities
    assert ("care_coordinator", Role.SOCIAL_WORKER) in responsibilities  # a key worker from social care


def test_the_demo_has_consents_objections_capacity_and_best_interests(demo):
    decisions = set(Consent.objects.values_list("scope", "decision", "how"))
    assert ("sharing", "given", "verbal") in decisions
    assert ("mdt", "refused", "verbal") in decisions
    assert ("sharing", "given", "lpa") in decisions
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert Objection.objects.filter(organisation__kind="voluntary", withdrawn_at__isnull=True).exists()
    assert BestInterestsDecision.objects.filter(capacity_assessment__impairment=True, in_favour=True).exists()


def test_the_link_workers_caseload_is_her_care_teams_with_consent_and_her_referral(demo):
    link_worker = user(Role.LINK_WORKER)
    caseload = set(access.viewable_people(link_worker))
    in_teams = set(Person.objects.filter(care_team__members__user=link_worker))
    objected = Person.objects.get(objections__organisation__kind="voluntary")
    referred = Person.objects.get(referrals__to_organisation__kind="voluntary")
    assert caseload == (in_teams - {objected}) | {referred}
    assert len(caseload) == 4
    assert not access.decide(link_worker, Permission.VIEW_RECORD, objected).allowed
    assert consent_rules.allows(referred, Consent.Scope.SHARING)


def test_the_demo_has_assessments_and_plans_in_every_state(demo):
    assert set(HolisticAssessment.objects.values_list("status", flat=True)) == {"draft", "completed"}
    plans = list(CarePlan.objects.all())
    assert len(plans) == 4
    assert max(plan.version for plan in plans) == 3  # one plan with earlier versions to compare
    today = timezone.localdate()
    assert any(plan.next_review_date < today for plan in plans)  # one review overdue
    assert any(plan.next_review_date >= today for plan in plans)


def test_referrals_open_and_closed(demo):
    assert set(Referral.objects.values_list("status", flat=True)) == {"open", "closed"}


def test_running_it_again_adds_nothing(demo):
    before = (CarePlan.objects.count(), Consent.objects.count(), CareTeamMember.objects.count())
    call_command("demo_care", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (CarePlan.objects.count(), Consent.objects.count(), CareTeamMember.objects.count()) == before
