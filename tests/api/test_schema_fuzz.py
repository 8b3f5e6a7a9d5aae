"""Every operation in the API's OpenAPI schema, fuzzed by schemathesis through the real WSGI application.

Signed in as a GP, nothing answers with a server error and every error answers in JSON with a message a
person can read; signed out, every operation answers 401 in JSON. Operations are read from the schema, so
an endpoint added later is fuzzed without changing this file.
"""

import json
import string
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ninja.errors import ValidationError
from ninja.responses import NinjaJSONEncoder

from neighbourhood.api import api, invalid_request
from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import format_for_display, sample_test_numbers
from neighbourhood.wsgi import application
from tests.factories import PersonFactory, PracticeFactory, staff

# Built from the NinjaAPI itself, so collecting the tests needs no request and no database;
# `test_the_served_schema_is_the_one_fuzzed` checks that /api/openapi.json serves the same.
SCHEMA = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
schema = schemathesis.openapi.from_dict(SCHEMA)

CSRF_TOKEN = "fuzz" * 8  # 32 characters, the form of an unmasked CSRF secret

FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,  # nothing written to .hypothesis/: the examples are the same on every run anyway
    # The fixtures are set up once for all of a test's examples on purpose: each example only reads, or
    # adds audit rows that no assertion counts.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@dataclass
class SignedIn:
    cookies: dict[str, str]
    headers: dict[str, str]
    nhs_numbers: dict[str, list[str]]  # own patients, another practice's, and valid numbers of nobody


@pytest.fixture
def wsgi_calls_share_the_test_transaction(db):
    """Django's WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's test client stops it doing so in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def gp(client, wsgi_calls_share_the_test_transaction) -> SignedIn:
    practice = PracticeFactory()
    own = [p.nhs_number for p in PersonFactory.create_batch(3, practice=practice)]
    others = [p.nhs_number for p in PersonFactory.create_batch(2, practice=PracticeFactory())]
    nobody = [n for n in sample_test_numbers(np.random.default_rng(9), 10) if n not in own + others]
    client.force_login(staff(Role.GP, practice.organisation))
    return SignedIn(
        # The CSRF cookie and header let unsafe methods (POST, PUT, DELETE) through, as a browser's would.
        cookies={
            django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        },
        headers={"X-CSRFToken": CSRF_TOKEN},
        nhs_numbers={"own patient": own, "another practice's": others, "nobody's": nobody[:3]},
    )


def steer_nhs_numbers(case, data, signed_in: SignedIn) -> None:
    """Random text is almost never a real person's NHS number: often put one of the GP's own patients,
    someone at another practice, or a valid number of nobody into any NHS number path parameter, as stored
    or spaced for display."""
    for name in list(case.path_parameters or {}):
        if "nhs_number" not in name:
            continue
        whose = data.draw(st.sampled_from(["generated", *signed_in.nhs_numbers]), label=f"{name} is")
        if whose == "generated":
            continue
        number = data.draw(st.sampled_from(signed_in.nhs_numbers[whose]), label=name)
        if data.draw(st.booleans(), label=f"{name} spaced"):
            number = format_for_display(number)
        case.path_parameters[name] = number


def assert_error_has_a_message(status_code: int, content_type: str, text: str) -> None:
    if not 400 <= status_code < 500:
        return
    assert content_type.startswith("application/json"), (
        f"{status_code} answered with {content_type or 'no content type'}, not JSON: {text[:200]!r}"
    )
    body = json.loads(text)
    assert isinstance(body, dict), f"{status_code} body is not a JSON object: {body!r}"
    detail = body.get("detail")
    assert isinstance(detail, str), f"{status_code} body has no `detail` string: {body!r}"
    assert any(c in string.ascii_letters for c in detail), f"{status_code} detail is not words: {detail!r}"


def error_has_a_message(ctx, response, case) -> None:
    """A schemathesis check: every 4xx answer is JSON with a `detail` string a person can read."""
    content_type = response.headers.get("content-type", [""])[0]
    assert_error_has_a_message(response.status_code, content_type, response.text)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    error_has_a_message,
]


def call_and_check(case, signed_in: SignedIn) -> None:
    response = case.call(app=application, cookies=signed_in.cookies, headers=signed_in.headers)
    event(f"{case.method} answered {response.status_code}")  # shown by --hypothesis-show-statistics
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=100, **FUZZ_SETTINGS)
def test_a_signed_in_gp_never_gets_a_server_error_and_every_error_says_why(case, gp):
    """All of schemathesis's phases: the schema's examples, its coverage cases (edge values, other
    methods, missing parts) and random fuzzing."""
    call_and_check(case, gp)


@schema.given(data=st.data())
@schema.parametrize()
@settings(max_examples=60, **FUZZ_SETTINGS)
def test_nhs_numbers_of_real_people_in_any_operation_never_give_a_server_error(case, data, gp):
    """Fuzzing only (schemathesis runs no example or coverage phase for a test that draws more data)."""
    steer_nhs_numbers(case, data, gp)
    call_and_check(case, gp)


@schema.parametrize()
@settings(max_examples=25, **FUZZ_SETTINGS)
def test_signed_out_every_operation_answers_401_in_json(case, wsgi_calls_share_the_test_transaction):
    response = case.call(app=application, headers={"X-CSRFToken": CSRF_TOKEN})
    case.validate_response(response, checks=[error_has_a_message])
    # schemathesis also tries methods the path does not have (TRACE, PATCH...): those are 405 for anyone.
    expected = 401 if case.method.upper() == case.operation.method.upper() else 405
    assert response.status_code == expected, f"{case.method} {case.formatted_path}: {response.status_code}"


@pytest.mark.django_db
def test_the_served_schema_is_the_one_fuzzed(client):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == SCHEMA
    assert list(schema.get_all_operations()), "the schema has no operations to fuzz"


@pytest.mark.django_db
def test_a_method_a_path_does_not_have_is_405_in_json(client):
    person = PersonFactory()
    client.force_login(staff(Role.GP, person.practice.organisation))
    response = client.delete(f"/api/people/{person.nhs_number}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "This method is not allowed here; use GET"}


PATH_SEGMENT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@pytest.fixture
def gp_client(client, db):
    client.force_login(staff(Role.GP, PracticeFactory().organisation))
    return client


@given(segments=st.lists(PATH_SEGMENT, min_size=0, max_size=4), method=st.sampled_from(["get", "post"]))
@settings(max_examples=60, **FUZZ_SETTINGS)
def test_any_path_under_the_api_answers_in_json_and_never_fails(gp_client, segments, method):
    path = "/api/" + "/".join(quote(segment, safe="") for segment in segments)
    response = getattr(gp_client, method)(path)
    assert response.status_code < 500
    assert_error_has_a_message(response.status_code, response.get("Content-Type", ""), response.text)


def test_a_request_that_fails_ninjas_validation_is_explained_in_words():
    """No operation takes typed parameters yet; the first that does answers a bad one like this."""
    errors = [
        {"type": "int_parsing", "loc": ["query", "page"], "msg": "Input should be a valid integer"},
        {"type": "missing", "loc": ["body", "payload", "reason"], "msg": "Field required"},
    ]
    response = invalid_request(RequestFactory().get("/api/"), ValidationError(errors))
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["detail"] == "page: Input should be a valid integer; payload.reason: Field required"
    assert body["errors"] == errors
