import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from neighbourhood.governance.models import AuditEvent
from tests.factories import UserFactory
from tests.governance.html import elements, labels, visible_text
from tests.governance.redirects import UNSAFE_NEXT_URLS

PASSWORD = "correct horse battery staple"  # UserFactory's
WRONG = "Enter a correct username and password"

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, next_url=None):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def error_summary(response) -> str:
    """The error summary's text, or "" when there is none."""
    html = response.content.decode()
    start = html.find('class="nhsuk-error-summary"')
    if start == -1:
        return ""
    return visible_text(html[start : html.index("</ul>", start)].split(">", 1)[1])


def error_links(response) -> list[str]:
    html = response.content.decode()
    start = html.find('class="nhsuk-error-summary"')
    return [a["href"] for a in elements(html[start : html.index("</ul>", start)], "a")] if start != -1 else []


def test_sign_in_page_shows_the_form_to_anonymous_people(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert labels(response.content) == {"id_username": "Username", "id_password": "Password"}
    assert elements(
        response.content, "input", id="id_password", type="password", autocomplete="current-password"
    )
    assert elements(response.content, "input", type="hidden", name="csrfmiddlewaretoken")
    assert error_summary(response) == ""


def test_empty_form_asks_for_username_and_password(client):
    response = sign_in(client, "", "")

    assert response.status_code == 200
    assert "<title>Error: Sign in" in response.content.decode()
    assert error_summary(response) == "There is a problem Enter your username Enter your password"
    assert error_links(response) == ["#id_username", "#id_password"]
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("wrong", ["wrong password", "unknown user"])
def test_bad_credentials_give_one_message_that_does_not_say_which_was_wrong(client, wrong):
    user = UserFactory()
    username, password = (
        (user.username, "not the password") if wrong == "wrong password" else ("nobody", PASSWORD)
    )

    response = sign_in(client, username, password)

    assert error_summary(response) == f"There is a problem {WRONG}"
    assert error_links(response) == ["#id_username"]
    assert SESSION_KEY not in client.session


def test_inactive_account_gets_the_same_message_as_a_wrong_password(client):
    user = UserFactory(is_active=False)

    response = sign_in(client, user.username, PASSWORD)

    assert error_summary(response) == f"There is a problem {WRONG}"
    assert SESSION_KEY not in client.session


def test_sign_in_keeps_the_typed_username_but_never_the_password(client):
    user = UserFactory()

    html = sign_in(client, user.username, "not the password").content.decode()

    assert elements(html, "input", id="id_username", value=user.username)
    assert elements(html, "input", id="id_password", value="")
    assert "not the password" not in html


def test_correct_credentials_sign_in_and_go_to_the_second_factor_then_home(client):
    user = UserFactory()

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    # No authenticator app yet: set one up first (tests/governance/test_two_factor.py).
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2F"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_passwords_are_stored_with_argon2(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory()

    assert user.password.startswith("argon2$")
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_next_on_this_site_is_followed(client):
    user = UserFactory()
    form_page = client.get(reverse("login"), {"next": "/your-access/"}).content

    response = sign_in(client, user.username, PASSWORD, next_url="/your-access/")

    assert elements(form_page, "input", type="hidden", name="next", value="/your-access/")
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2Fyour-access%2F"


@pytest.mark.parametrize("next_url", UNSAFE_NEXT_URLS)
def test_next_to_another_site_is_refused(client, next_url):
    user = UserFactory()
    form_page = client.get(reverse("login"), {"next": next_url}).content.decode()

    response = sign_in(client, user.username, PASSWORD, next_url=next_url)

    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2F"
    assert next_url not in form_page


def test_sign_out_get_asks_for_confirmation_and_does_not_sign_out(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("logout"))

    html = response.content.decode()
    form = html[html.index('<form method="post" action="/sign-out/">') : html.index("</form>")]
    assert response.status_code == 200
    assert elements(form, "input", type="hidden", name="csrfmiddlewaretoken")
    assert visible_text(form) == "Sign out"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_sign_out_post_signs_out_and_returns_to_sign_in(client):
    client.force_login(UserFactory())

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert SESSION_KEY not in client.session
    assert "You have signed out" in visible_text(response.content)


def test_sign_out_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.session[SESSION_KEY] == str(user.pk)


def test_sign_in_sign_out_and_failures_are_audited_without_passwords(client):
    user = UserFactory()

    sign_in(client, user.username, "my secret guess")
    sign_in(client, "my other secret", "whatever")
    sign_in(client, user.username, PASSWORD)
    client.post(reverse("logout"))

    events = list(AuditEvent.objects.order_by("id").values("action", "outcome", "username", "user_id"))
    assert events == [
        {"action": "sign_in_failed", "outcome": "refused", "username": user.username, "user_id": user.pk},
        {"action": "sign_in_failed", "outcome": "refused", "username": "unknown", "user_id": None},
        {"action": "sign_in", "outcome": "allowed", "username": user.username, "user_id": user.pk},
        {"action": "sign_out", "outcome": "allowed", "username": user.username, "user_id": user.pk},
    ]
    stored = " ".join(str(value) for row in AuditEvent.objects.values() for value in row.values())
    for secret in ["my secret guess", "my other secret", "whatever", PASSWORD]:
        assert secret not in stored


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client):
    """At this address only: tests/governance/test_lockout.py has the rule in full."""
    user = UserFactory()
    for _ in range(4):
        assert sign_in(client, user.username, "not the password").status_code == 200
    assert sign_in(client, user.username, "not the password").status_code == 429  # the fifth locks it
    locked = sign_in(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in is locked for now" in visible_text(locked.content.decode())
    assert SESSION_KEY not in client.session
    # Another account is not affected.
    other = UserFactory()
    assert sign_in(client, other.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count_of_failures(client):
    user = UserFactory()
    for _ in range(4):
        sign_in(client, user.username, "not the password")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, user.username, "not the password")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
