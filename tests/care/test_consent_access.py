"""Consent, objections and best-interests decisions are enforced by the access service (issue #11): at the
service (access.decide, viewable_people) and through the pages, each rule at its boundary."""

import pytest
from django.test import Client

from neighbourhood.care.models import Consent
from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent
from neighbourhood.governance.roles import Permission, Role
from neighbourhood.register.models import Organisation
from tests.care import factories as care
from tests.conftest import StaffClient
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    practice = PracticeFactory()
    person = PersonFactory(practice=practice)
    charity = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY, name="Age Well Charity")
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER, name="Community Health Trust")
    link_worker = staff(Role.LINK_WORKER, charity)
    nurse = staff(Role.COMMUNITY_NURSE, community)
    care.place(person, link_worker)
    care.place(person, nurse)
    return {
        "person": person,
        "practice": practice,
        "charity": charity,
        "community": community,
        "link_worker": link_worker,
        "nurse": nurse,
        "gp": staff(Role.GP, practice.organisation),
        "coordinator": staff(Role.CARE_COORDINATOR, practice.organisation),
    }


def signed_in(user) -> Client:
    client = StaffClient()
    client.force_login(user)
    return client


def person_page(user, person) -> int:
    return signed_in(user).get(f"/people/{person.nhs_number}/").status_code


def consent_url(person, tail: str = "") -> str:
    return f"/people/{person.nhs_number}/consent/{tail}"


def record_consent(by, person, *, scope="sharing", decision="given") -> None:
    response = signed_in(by).post(
        consent_url(person, "record/"), {"scope": scope, "decision": decision, "how": "verbal"}
    )
    assert response.status_code == 302


def withdraw_consent(by, person, consent) -> None:
    response = signed_in(by).post(
        consent_url(person, f"{consent.pk}/withdraw/"), {"note": "Recorded against the wrong person"}
    )
    assert response.status_code == 302


def object_to(by, person, organisation) -> None:
    response = signed_in(by).post(
        consent_url(person, "objection/"), {"organisation": organisation.pk, "reason": "Prefers not"}
    )
    assert response.status_code == 302


def withdraw_objection(by, person) -> None:
    objection = person.objections.get(withdrawn_at__isnull=True)
    response = signed_in(by).post(consent_url(person, f"objection/{objection.pk}/withdraw/"))
    assert response.status_code == 302


def can_view(user, person) -> bool:
    return access.decide(user, Permission.VIEW_RECORD, person).allowed


def listed(user, person) -> bool:
    return access.viewable_people(user).filter(pk=person.pk).exists()


def test_a_voluntary_sector_link_worker_sees_the_record_only_while_consent_and_no_objection_stand(world):
    person, link_worker, coordinator = world["person"], world["link_worker"], world["coordinator"]

    assert person_page(link_worker, person) == 403
    assert not can_view(link_worker, person) and not listed(link_worker, person)

    record_consent(coordinator, person)
    assert person_page(link_worker, person) == 200
    assert can_view(link_worker, person) and listed(link_worker, person)

    object_to(coordinator, person, world["charity"])
    assert person_page(link_worker, person) == 403
    assert not can_view(link_worker, person) and not listed(link_worker, person)

    withdraw_objection(coordinator, person)
    assert person_page(link_worker, person) == 200
    assert can_view(link_worker, person) and listed(link_worker, person)

    withdraw_consent(coordinator, person, person.consents.get())
    assert person_page(link_worker, person) == 403
    assert not can_view(link_worker, person) and not listed(link_worker, person)


def test_consent_to_be_discussed_at_an_mdt_does_not_open_the_record_to_the_voluntary_sector(world):
    person = world["person"]
    record_consent(world["coordinator"], person, scope="mdt")
    assert person_page(world["link_worker"], person) == 403


def test_a_refusal_recorded_after_consent_was_given_wins(world):
    person, link_worker, coordinator = world["person"], world["link_worker"], world["coordinator"]
    record_consent(coordinator, person, decision="given")
    assert person_page(link_worker, person) == 200
    record_consent(coordinator, person, decision="refused")
    assert person_page(link_worker, person) == 403
    assert not listed(link_worker, person)
    # Withdrawing the refusal (recorded in error) puts the consent before it back in force.
    withdraw_consent(coordinator, person, person.consents.get(decision="refused"))
    assert person_page(link_worker, person) == 200


def assess(by, person, *, decision="sharing", unable_to=("retain",)):
    data = {"decision": decision, "impairment": "yes", "impairment_detail": "Moderate dementia"}
    if unable_to:
        data["unable_to"] = list(unable_to)
    assert signed_in(by).post(consent_url(person, "capacity/"), data).status_code == 302
    return person.capacity_assessments.order_by("-id").first()


def decide_best_interests(by, person, assessment, *, in_favour="yes") -> None:
    response = signed_in(by).post(
        consent_url(person, f"capacity/{assessment.pk}/best-interests/"),
        {
            "in_favour": in_favour,
            "consulted": "Her daughter, who holds no LPA",
            "reason": "Needs befriending",
        },
    )
    assert response.status_code == 302


def test_a_best_interests_decision_in_favour_after_a_finding_of_lacking_capacity_allows_sharing(world):
    person, link_worker, coordinator = world["person"], world["link_worker"], world["coordinator"]
    assessment = assess(coordinator, person)
    assert person_page(link_worker, person) == 403  # an assessment alone decides nothing
    decide_best_interests(coordinator, person, assessment, in_favour="yes")
    assert person_page(link_worker, person) == 200
    assert listed(link_worker, person)


def test_a_best_interests_decision_against_sharing_does_not_allow_it(world):
    person, coordinator = world["person"], world["coordinator"]
    decide_best_interests(coordinator, person, assess(coordinator, person), in_favour="no")
    assert person_page(world["link_worker"], person) == 403


def test_a_later_assessment_finding_capacity_ends_the_best_interests_decision(world):
    person, link_worker, coordinator = world["person"], world["link_worker"], world["coordinator"]
    decide_best_interests(coordinator, person, assess(coordinator, person))
    assert person_page(link_worker, person) == 200
    assess(coordinator, person, unable_to=())  # the delirium has cleared: they decide for themselves
    assert person_page(link_worker, person) == 403
    assert not listed(link_worker, person)


def test_a_community_nurse_needs_no_consent_but_loses_access_on_an_objection_to_her_organisation(world):
    person, nurse, coordinator = world["person"], world["nurse"], world["coordinator"]
    assert person_page(nurse, person) == 200
    assert listed(nurse, person)
    object_to(coordinator, person, world["charity"])  # another organisation's objection: no change
    assert person_page(nurse, person) == 200
    object_to(coordinator, person, world["community"])
    assert person_page(nurse, person) == 403
    assert not listed(nurse, person)
    withdraw_objection_to = person.objections.get(organisation=world["community"])
    signed_in(coordinator).post(consent_url(person, f"objection/{withdraw_objection_to.pk}/withdraw/"))
    assert person_page(nurse, person) == 200


def test_the_practice_gp_is_unaffected_by_an_objection_to_a_voluntary_organisation(world):
    person, gp = world["person"], world["gp"]
    object_to(world["coordinator"], person, world["charity"])
    assert person_page(gp, person) == 200
    assert listed(gp, person)
    assert access.decide(gp, Permission.CHANGE_RECORD, person).allowed


def may_add_to_mdt(user, person) -> bool:
    return access.decide(user, Permission.ADD_TO_MDT_AGENDA, person).allowed


def test_an_mdt_agenda_needs_consent_to_be_discussed_or_a_best_interests_decision(world):
    person, gp, coordinator = world["person"], world["gp"], world["coordinator"]
    assert not may_add_to_mdt(gp, person)
    record_consent(coordinator, person, scope="sharing")  # consent to share is not consent to be discussed
    assert not may_add_to_mdt(gp, person)
    record_consent(coordinator, person, scope="mdt")
    assert may_add_to_mdt(gp, person)
    decision = access.decide(gp, Permission.ADD_TO_MDT_AGENDA, person)
    assert "Consent given verbally on " in decision.basis and "to be discussed at an MDT" in decision.basis
    withdraw_consent(coordinator, person, person.consents.get(scope=Consent.Scope.MDT))
    assert not may_add_to_mdt(gp, person)
    decide_best_interests(coordinator, person, assess(coordinator, person, decision="mdt"))
    assert may_add_to_mdt(gp, person)


def test_a_best_interests_decision_about_sharing_does_not_put_anyone_on_an_mdt_agenda(world):
    person, coordinator = world["person"], world["coordinator"]
    decide_best_interests(coordinator, person, assess(coordinator, person, decision="sharing"))
    assert not may_add_to_mdt(world["gp"], person)


def test_every_refusal_is_audited(world):
    person, link_worker, coordinator = world["person"], world["link_worker"], world["coordinator"]
    assert person_page(link_worker, person) == 403
    assert AuditEvent.objects.filter(
        user=link_worker, person=person, action="view_record", outcome="refused"
    ).exists()
    # Without consent the link worker cannot see, or record, the person's consent either.
    client = signed_in(link_worker)
    assert client.get(consent_url(person)).status_code == 403
    response = client.post(
        consent_url(person, "record/"), {"scope": "sharing", "decision": "given", "how": "verbal"}
    )
    assert response.status_code == 403
    assert not person.consents.exists()
    refused = AuditEvent.objects.filter(user=link_worker, person=person, outcome="refused")
    assert set(refused.values_list("action", flat=True)) == {"view_record", "view_consent", "record_consent"}
    # An objecting organisation's refusal is audited too.
    object_to(coordinator, person, world["community"])
    assert person_page(world["nurse"], person) == 403
    assert AuditEvent.objects.filter(user=world["nurse"], person=person, outcome="refused").count() == 1


def test_staff_with_no_relationship_cannot_change_consent_and_that_is_audited(world):
    person = world["person"]
    outsider = staff(Role.GP, PracticeFactory().organisation)
    response = signed_in(outsider).post(
        consent_url(person, "objection/"), {"organisation": world["charity"].pk}
    )
    assert response.status_code == 403
    assert not person.objections.exists()
    assert AuditEvent.objects.filter(
        user=outsider, person=person, action="record_objection", outcome="refused"
    ).exists()
