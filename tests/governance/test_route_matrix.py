"""Who may use each route: every URL pattern in the resolver and every operation in the OpenAPI schema,
requested as anonymous and as every role, with and without a relationship to the person in the URL.

The expected answers are written out by hand in ROUTES, not derived from roles.py, so that a change to
the roles shows up here as a decision someone made. A route with no row fails `test_every_route_has_a_row`:
every new route must declare who may use it.

Audit property: every request to a route that shows or changes a person's data leaves exactly one audit
row naming that person, allowed, refused or emergency.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils import timezone

from neighbourhood.api import api
from neighbourhood.care.models import CapacityAssessment, Consent, HolisticAssessment
from neighbourhood.governance.models import AuditEvent, EmergencyAccess
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import LocalAuthority, Organisation
from tests.care import factories as care
from tests.casefinding.factories import RiskRunFactory, RiskScoreFactory
from tests.factories import AdultSocialCareFactory, OrganisationFactory, PersonFactory, PracticeFactory, staff
from tests.routes import every_route

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ALL_ROLES = tuple(Role.values)
CARE = frozenset(
    {
        Role.GP,
        Role.PRACTICE_NURSE,
        Role.CARE_COORDINATOR,
        Role.SOCIAL_WORKER,
        Role.LINK_WORKER,
        Role.COMMUNITY_NURSE,
        Role.MDT_CHAIR,
    }
)
AGGREGATES = frozenset({Role.GP, Role.MDT_CHAIR, Role.ANALYST})
# Taking someone off the register: clinicians of the person's practice.
PRACTICE_CLINICIANS = frozenset({Role.GP, Role.PRACTICE_NURSE})
# Changing a care team: its named GP and care coordinator, or the practice's GPs and care coordinators.
CARE_TEAM_LEADS = frozenset({Role.GP, Role.CARE_COORDINATOR})
SIGNED_IN = frozenset(ALL_ROLES)

ALLOW, DENY, SIGN_IN = "allow", "deny", "sign in"


@dataclass(frozen=True)
class Row:
    allowed: frozenset  # roles that may use it (with a relationship, where `person` is set)
    method: str = "GET"
    person: bool = False  # about one person: allowed only with a relationship to them, and audited
    anonymous: str = SIGN_IN  # what someone not signed in gets
    data: dict = field(default_factory=dict)
    # A placeholder whose test value is not the default one (see concrete_url), e.g. which assessment's id.
    ids: dict = field(default_factory=dict)


ROUTES: dict[str, Row] = {
    "": Row(SIGNED_IN),
    "session/keep-alive/": Row(SIGNED_IN, method="POST"),
    "sign-in/": Row(SIGNED_IN, anonymous=ALLOW),
    "sign-out/": Row(SIGNED_IN),
    "sign-in/two-factor/": Row(SIGNED_IN),
    "sign-in/set-up-two-factor/": Row(SIGNED_IN),
    "sign-in/recovery-codes/": Row(SIGNED_IN),
    "your-access/": Row(SIGNED_IN),
    # Asking for emergency access needs a clinical role, not a relationship (that is what it is for).
    "people/<str:nhs_number>/emergency-access/": Row(CARE),
    "privacy/emergency-access/": Row(frozenset({Role.PRIVACY_OFFICER})),
    "privacy/emergency-access/<int:pk>/": Row(frozenset({Role.PRIVACY_OFFICER})),
    "privacy/audit-reference/": Row(frozenset({Role.PRIVACY_OFFICER})),
    "people/": Row(CARE),
    "people/<str:nhs_number>/": Row(CARE, person=True),
    "people/<str:nhs_number>/who-has-looked/": Row(CARE | {Role.PRIVACY_OFFICER}, person=True),
    "case-finding/": Row(CARE),
    "case-finding/overview/": Row(AGGREGATES),
    "case-finding/runs/<int:run_id>/charts/<str:name>": Row(AGGREGATES),
    "case-finding/people/<str:nhs_number>/panel/": Row(CARE, person=True),
    "case-finding/people/<str:nhs_number>/nominate/": Row(
        CARE, method="POST", person=True, data={"reason": "Two falls since the summer"}
    ),
    "case-finding/people/<str:nhs_number>/exclude/": Row(
        PRACTICE_CLINICIANS, method="POST", person=True, data={"reason": "declined"}
    ),
    "case-finding/people/<str:nhs_number>/undo/": Row(CARE, method="POST", person=True),
    "case-finding/people/<str:nhs_number>/review/": Row(CARE, method="POST", person=True),
    "api/people/<nhs_number_text>": Row(CARE, person=True),
    # Care coordination: the care team, consent and capacity, holistic assessment, the plan.
    "people/<str:nhs_number>/care-team/": Row(CARE, person=True),
    "people/<str:nhs_number>/care-team/add/": Row(CARE_TEAM_LEADS, method="POST", person=True),
    "people/<str:nhs_number>/care-team/named-gp/": Row(CARE_TEAM_LEADS, method="POST", person=True),
    "people/<str:nhs_number>/care-team/<int:member_id>/": Row(CARE_TEAM_LEADS, method="POST", person=True),
    "people/<str:nhs_number>/consent/": Row(CARE, person=True),
    "people/<str:nhs_number>/consent/record/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/consent/<int:consent_id>/withdraw/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/consent/objection/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/consent/objection/<int:objection_id>/withdraw/": Row(
        CARE, method="POST", person=True
    ),
    "people/<str:nhs_number>/consent/capacity/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/consent/capacity/<int:assessment_id>/best-interests/": Row(
        CARE, method="POST", person=True, ids={"<int:assessment_id>": "capacity_assessment"}
    ),
    "people/<str:nhs_number>/assessments/": Row(CARE, person=True),
    "people/<str:nhs_number>/assessments/new/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/assessments/<int:assessment_id>/": Row(CARE, person=True),
    "people/<str:nhs_number>/assessments/<int:assessment_id>/edit/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/plan/": Row(CARE, person=True),
    "people/<str:nhs_number>/plan/edit/": Row(CARE, method="POST", person=True),
    "people/<str:nhs_number>/plan/versions/": Row(CARE, person=True),
    "people/<str:nhs_number>/plan/versions/<int:number>/": Row(CARE, person=True),
    "people/<str:nhs_number>/plan/pdf/": Row(CARE, person=True),
    # The API's description is public, like the source it describes; it holds no one's data.
    "api/openapi.json": Row(SIGNED_IN, anonymous=ALLOW),
    "api/docs": Row(SIGNED_IN, anonymous=ALLOW),
    # The API's own answers for a path it does not have (JSON 404s), to anyone
    "api/": Row(SIGNED_IN, anonymous=ALLOW),
    "api/[\\s\\S]*": Row(SIGNED_IN, anonymous=ALLOW),
    # Django's admin: staff accounts, for administrators only (it asks access.has_permission)
    "admin/": Row(frozenset({Role.ADMINISTRATOR})),
    # The admin's password-only sign-in is not served: it sends people to ours, with its second factor.
    "admin/login/": Row(SIGNED_IN),
}
ADMIN_PREFIX = "admin/"
# A few of the admin's own pages stand for all of them.
ADMIN_PAGES = [
    "admin/",
    "admin/governance/user/",
    "admin/governance/membership/",
    "admin/governance/auditevent/",
]


def api_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


def row_for(route: str) -> Row | None:
    if route in ROUTES:
        return ROUTES[route]
    if route.startswith(ADMIN_PREFIX):
        return ROUTES[ADMIN_PREFIX]
    return None


def test_every_route_has_a_row():
    missing = [route for route, _ in every_route() if row_for(route) is None]
    assert missing == [], "Add each route to ROUTES, saying who may use it"


def test_every_api_operation_has_a_row():
    missing = []
    for method, path in api_operations():
        route = path.lstrip("/").replace("{", "<").replace("}", ">")
        row = ROUTES.get(route)
        if row is None or row.method != method:
            missing.append(f"{method} {path}")
    assert missing == []


@pytest.fixture
def world():
    """A practice in one council, the council's adult social care, a voluntary-sector organisation and a
    community health provider, and staff in every role there (or at the ICB). `ours` is registered at the
    practice, known to social care, has consented to sharing, and has the link worker and the community nurse
    in their care team; `stranger` is none of these to anyone."""
    here = LocalAuthority.objects.create(code="E06000001", name="Hereshire Council")
    there = LocalAuthority.objects.create(code="E06000002", name="Thereshire Council")
    practice = PracticeFactory(local_authority=here)
    elsewhere = PracticeFactory(local_authority=there)
    social_care = AdultSocialCareFactory(local_authority=here, code="ASC-E06000001")
    icb = OrganisationFactory(kind=Organisation.Kind.ICB)
    voluntary = OrganisationFactory(kind=Organisation.Kind.VOLUNTARY)
    community = OrganisationFactory(kind=Organisation.Kind.COMMUNITY_PROVIDER)
    where = {
        Role.SOCIAL_WORKER: social_care,
        Role.ANALYST: icb,
        Role.ADMINISTRATOR: icb,
        Role.LINK_WORKER: voluntary,
        Role.COMMUNITY_NURSE: community,
    }
    users = {role: staff(role, where.get(role, practice.organisation)) for role in ALL_ROLES}
    users[Role.ADMINISTRATOR].is_staff = True
    users[Role.ADMINISTRATOR].save()
    ours = PersonFactory(practice=practice, known_to_social_care=True)
    stranger = PersonFactory(practice=elsewhere, local_authority=there)
    care.place(ours, users[Role.LINK_WORKER])
    member = care.place(ours, users[Role.COMMUNITY_NURSE])
    sharing = care.consent(ours, users[Role.GP])
    objection = care.objection(ours, OrganisationFactory(kind=Organisation.Kind.ICB), users[Role.GP])
    capacity = CapacityAssessment.objects.create(
        person=ours,
        decision=Consent.Scope.MDT,
        impairment=True,
        unable_to_retain=True,
        assessed_by=users[Role.GP],
        assessed_at=timezone.now(),
    )
    holistic = HolisticAssessment.objects.create(
        person=ours,
        started_by=users[Role.GP],
        started_at=timezone.now(),
        updated_by=users[Role.GP],
        updated_at=timezone.now(),
    )
    # An emergency access by the practice's GP, for the privacy officer's pages, to a third person (so the
    # privacy officer's relationship to `stranger` stays none).
    opened = PersonFactory(practice=elsewhere, local_authority=there)
    gp_membership = users[Role.GP].memberships.get()
    emergency = EmergencyAccess.objects.create(
        user=users[Role.GP],
        membership=gp_membership,
        person=opened,
        reason=EmergencyAccess.Reason.EMERGENCY_CARE,
        justification="Collapsed in the waiting room",
        started_at="2026-11-01T10:00:00Z",
        expires_at="2026-11-01T14:00:00Z",
    )
    run = RiskRunFactory()
    for person in (ours, stranger):
        RiskScoreFactory(run=run, person=person)
    return {
        "users": users,
        "ours": ours,
        "stranger": stranger,
        "emergency": emergency,
        "run": run,
        "member": member,
        "consent": sharing,
        "objection": objection,
        "capacity_assessment": capacity,
        "holistic_assessment": holistic,
    }


def concrete_url(route: str, world, person) -> str:
    url = "/" + route
    replacements = {
        "<str:nhs_number>": person.nhs_number,
        "<nhs_number_text>": person.nhs_number,
        "<int:pk>": str(world["emergency"].pk),
        "<int:run_id>": str(world["run"].pk),
        "<str:name>": "roc.png",
        "<int:member_id>": str(world["member"].pk),
        "<int:consent_id>": str(world["consent"].pk),
        "<int:objection_id>": str(world["objection"].pk),
        "<int:assessment_id>": str(world["holistic_assessment"].pk),
        "<int:number>": "1",
        "[\\s\\S]*": "no-such-thing",
    }
    row = ROUTES.get(route)
    for placeholder, key in (row.ids if row else {}).items():
        replacements[placeholder] = str(world[key].pk)
    for placeholder, value in replacements.items():
        url = url.replace(placeholder, value)
    assert "<" not in url, f"No test value for a part of {route}"
    return url


def outcome_of(response) -> str:
    assert response.status_code < 500, f"{response.status_code} from {response.request['PATH_INFO']}"
    location = response.get("Location", "")
    if response.status_code == 401 or (
        response.status_code == 302 and location.startswith(("/sign-in/?", "/admin/login/?"))
    ):
        return SIGN_IN
    if response.status_code == 403:
        return DENY
    return ALLOW


def request(client: Client, row: Row, url: str):
    if row.method == "POST":
        return client.post(url, row.data)
    return client.get(url)


def cases():
    for route, row in ROUTES.items():
        if route == ADMIN_PREFIX:
            continue
        yield pytest.param(route, row, id=route or "home")


@pytest.mark.parametrize(("route", "row"), list(cases()))
def test_who_may_use_each_route(route, row, world):
    results = {}
    people = {"with a relationship": world["ours"], "without": world["stranger"]}
    for role in (ANONYMOUS, *ALL_ROLES):
        client = Client() if role == ANONYMOUS else _signed_in(world["users"][role])
        for relationship, person in people.items() if row.person else [("", world["stranger"])]:
            got = outcome_of(request(client, row, concrete_url(route, world, person)))
            if role == ANONYMOUS:
                expected = row.anonymous
            elif role in row.allowed and (relationship != "without"):
                expected = ALLOW
            else:
                expected = DENY
            results[(role, relationship)] = (got, expected)
    wrong = {
        key: f"got {got}, expected {expected}" for key, (got, expected) in results.items() if got != expected
    }
    assert wrong == {}


def test_the_admin_is_for_administrators(world):
    for role in (ANONYMOUS, *ALL_ROLES):
        client = Client() if role == ANONYMOUS else _signed_in(world["users"][role])
        for page in ADMIN_PAGES:
            response = client.get("/" + page)
            assert response.status_code < 500
            if role == Role.ADMINISTRATOR:
                assert response.status_code == 200, page
            elif role == ANONYMOUS:
                assert outcome_of(response) == SIGN_IN, page
            else:  # the admin sends staff it refuses to its login page, which is ours
                assert response.status_code in (302, 403), page
                assert response.status_code == 403 or "/login/" in response["Location"], page


@pytest.mark.parametrize(
    "route", [route for route, row in ROUTES.items() if row.person], ids=lambda route: route
)
def test_every_person_route_audits_each_request_once_naming_the_person(route, world):
    row = ROUTES[route]
    for role in ALL_ROLES:
        client = _signed_in(world["users"][role])
        for person in (world["ours"], world["stranger"]):
            before = AuditEvent.objects.filter(nhs_number=person.nhs_number).count()
            request(client, row, concrete_url(route, world, person))
            naming = AuditEvent.objects.filter(nhs_number=person.nhs_number).order_by("-id")
            assert naming.count() == before + 1, f"{role} on {route}"
            assert naming.first().outcome in {"allowed", "refused", "break_glass"}


def _signed_in(user) -> Client:
    from tests.conftest import StaffClient

    client = StaffClient()
    client.force_login(user)
    return client
