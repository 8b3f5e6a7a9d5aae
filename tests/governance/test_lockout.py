"""Failed sign-ins lock a username at one address, and an address for every username (governance.lockout)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from neighbourhood.governance.lockout import client_address
from neighbourhood.governance.models import AuditEvent
from tests.factories import UserFactory
from tests.governance.html import visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
ADDRESS_A = "203.0.113.10"
ADDRESS_B = "198.51.100.20"
PROXY = "10.0.0.2"


def sign_in(client, username, password, address, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def password_accepted(response) -> bool:
    """The password step passed: on to the next step, neither the form again (200) nor the lockout (429)."""
    return response.status_code == 302 and response["Location"] != reverse("login")


def test_five_wrong_passwords_lock_the_username_at_that_address_but_not_elsewhere(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")

    for _ in range(4):
        assert sign_in(client, "alice", "not the password", ADDRESS_A).status_code == 200
    fifth = sign_in(client, "alice", "not the password", ADDRESS_A)

    assert fifth.status_code == 429
    text = visible_text(fifth.content)
    assert "Sign-in is locked for now" in text
    assert "too many failed attempts to sign in to this account from your network" in text
    assert "Try again in 15 minutes" in text
    # Locked at A even with the right password; the lock gives nothing away about the password.
    assert sign_in(client, "alice", PASSWORD, ADDRESS_A).status_code == 429
    # Someone guessing alice's password elsewhere cannot keep alice out from where she works.
    assert password_accepted(sign_in(client, "alice", PASSWORD, ADDRESS_B))
    # Nor does it lock the other people at address A.
    client.logout()
    assert password_accepted(sign_in(client, "bob", PASSWORD, ADDRESS_A))
    assert {alice.username, bob.username} == {"alice", "bob"}


def test_one_password_sprayed_across_many_usernames_locks_the_address(client, settings):
    limit = settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT  # a practice can sit behind one address
    users = UserFactory.create_batch(limit + 1)

    for user in users[: limit - 1]:
        assert sign_in(client, user.username, "Summer2026!", ADDRESS_A).status_code == 200
    last = sign_in(client, users[limit - 1].username, "Summer2026!", ADDRESS_A)

    assert last.status_code == 429
    assert "nobody can sign in from it for now" in visible_text(last.content)
    # Every account is locked at that address, even one never tried, even with its right password...
    untried = users[limit]
    assert sign_in(client, untried.username, PASSWORD, ADDRESS_A).status_code == 429
    # ...and none elsewhere.
    assert password_accepted(sign_in(client, untried.username, PASSWORD, ADDRESS_B))


def test_usernames_that_are_not_accounts_count_towards_the_address(client, settings):
    settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT = 8
    user = UserFactory()

    for n in range(8):
        sign_in(client, f"guess-{n}", "Summer2026!", ADDRESS_A)

    assert sign_in(client, user.username, PASSWORD, ADDRESS_A).status_code == 429


def test_signing_in_to_ones_own_account_does_not_clear_the_address_count(client, settings):
    settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT = 8
    attacker = UserFactory(username="attacker")
    victims = UserFactory.create_batch(8)

    for victim in victims[:7]:
        sign_in(client, victim.username, "Summer2026!", ADDRESS_A)
    assert password_accepted(sign_in(client, attacker.username, PASSWORD, ADDRESS_A))
    client.logout()

    assert sign_in(client, victims[7].username, "Summer2026!", ADDRESS_A).status_code == 429


def test_a_successful_sign_in_resets_that_accounts_count_at_that_address(client):
    UserFactory(username="alice")
    for _ in range(4):
        sign_in(client, "alice", "not the password", ADDRESS_A)
    assert password_accepted(sign_in(client, "alice", PASSWORD, ADDRESS_A))
    client.logout()

    for _ in range(4):
        assert sign_in(client, "alice", "not the password", ADDRESS_A).status_code == 200
    assert password_accepted(sign_in(client, "alice", PASSWORD, ADDRESS_A))


def test_the_lock_lifts_15_minutes_after_the_failure_that_set_it(client):
    UserFactory(username="alice")
    for _ in range(5):
        sign_in(client, "alice", "not the password", ADDRESS_A)
    assert sign_in(client, "alice", PASSWORD, ADDRESS_A).status_code == 429

    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14))
    assert sign_in(client, "alice", PASSWORD, ADDRESS_A).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert password_accepted(sign_in(client, "alice", PASSWORD, ADDRESS_A))


def test_retrying_while_locked_out_neither_prolongs_the_lock_nor_locks_the_address(client, settings):
    settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(5):
        sign_in(client, "alice", "not the password", ADDRESS_A)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14))

    for _ in range(10):
        assert sign_in(client, "alice", "is it this one?", ADDRESS_A).status_code == 429

    [attempt] = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 5
    assert attempt.attempt_time < dt.datetime.now(dt.UTC) - dt.timedelta(minutes=13)  # lifts in a minute
    assert password_accepted(sign_in(client, "bob", PASSWORD, ADDRESS_A))
    client.logout()
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert password_accepted(sign_in(client, "alice", PASSWORD, ADDRESS_A))


def test_lockouts_are_audited_with_which_lock_and_never_what_was_typed(client, settings):
    settings.NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT = 8
    alice = UserFactory(username="alice")
    for _ in range(5):
        sign_in(client, "alice", "my secret guess", ADDRESS_A)
    sign_in(client, "alice", PASSWORD, ADDRESS_A)  # refused while locked: not a failure of its own
    for n in range(3):
        sign_in(client, f"typed-secret-{n}", "another secret", ADDRESS_A)  # the 6th to 8th failures from A

    events = list(
        AuditEvent.objects.order_by("id").values_list("action", "outcome", "username", "user_id", "reason")
    )
    failed = (
        "sign_in_failed",
        "refused",
        "alice",
        alice.pk,
        "Wrong username or password, or the account is not active",
    )
    account_lock = (
        "sign_in_locked_out",
        "refused",
        "alice",
        alice.pk,
        "Too many failed sign-ins to this account from this address",
    )
    address_lock = (
        "sign_in_locked_out",
        "refused",
        "unknown",
        None,
        "Too many failed sign-ins from this address",
    )
    unknown_failed = ("sign_in_failed", "refused", "unknown", None, failed[-1])
    assert events == [failed] * 4 + [account_lock] * 2 + [unknown_failed] * 2 + [address_lock]
    details = list(
        AuditEvent.objects.filter(action="sign_in_locked_out").order_by("id").values_list("detail", flat=True)
    )
    assert details == [{"lock": "account_at_address", "address": ADDRESS_A}] * 2 + [
        {"lock": "address", "address": ADDRESS_A}
    ]
    stored = " ".join(str(value) for row in AuditEvent.objects.values() for value in row.values())
    for secret in ["my secret guess", "typed-secret", "another secret", PASSWORD]:
        assert secret not in stored


def test_behind_a_trusted_proxy_the_lock_follows_the_forwarded_address(client, settings):
    settings.NEIGHBOURHOOD_TRUSTED_PROXIES = 1
    UserFactory(username="alice")

    for _ in range(5):
        sign_in(client, "alice", "not the password", PROXY, HTTP_X_FORWARDED_FOR=ADDRESS_A)

    assert sign_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ADDRESS_A).status_code == 429
    # A client cannot dodge the lock by writing its own X-Forwarded-For: the proxy appends the real one.
    spoofed = f"{ADDRESS_B}, {ADDRESS_A}"
    assert sign_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    assert password_accepted(sign_in(client, "alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=ADDRESS_B))


@pytest.mark.parametrize(
    ("trusted_proxies", "forwarded_for", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "203.0.113.10", "192.0.2.1"),  # no proxy: whatever the client writes is ignored
        (1, "203.0.113.10", "203.0.113.10"),
        (1, "198.51.100.20, 203.0.113.10", "203.0.113.10"),  # the left one was written by the client
        (2, "198.51.100.20, 203.0.113.10, 10.0.0.1", "203.0.113.10"),
        (2, "203.0.113.10", "192.0.2.1"),  # fewer hops than proxies: not through them all
    ],
)
def test_client_address(settings, trusted_proxies, forwarded_for, expected):
    settings.NEIGHBOURHOOD_TRUSTED_PROXIES = trusted_proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **headers)

    assert client_address(request) == expected
