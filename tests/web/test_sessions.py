"""A session ends after a spell without requests, and after a working day whatever (web/sessions.py)."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from neighbourhood.web.sessions import SIGNED_IN_AT
from tests.conftest import StaffClient
from tests.factories import UserFactory
from tests.governance.html import elements, visible_text

pytestmark = pytest.mark.django_db


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def seconds_left(client) -> float:
    return (stored_session(client).expire_date - dt.datetime.now(dt.UTC)).total_seconds()


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200
    return client


def test_a_session_idle_for_longer_than_the_limit_is_sent_to_sign_in(signed_in):
    Session.objects.filter(pk=signed_in.session.session_key).update(
        expire_date=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )

    response = signed_in.get(reverse("my_access"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('my_access')}"


def test_a_short_idle_limit_ends_the_session_in_real_time(client, settings):
    settings.SESSION_COOKIE_AGE = 2
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200

    time.sleep(2.5)

    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_every_request_moves_the_end_of_the_session_on(signed_in, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # NEIGHBOURHOOD_IDLE_MINUTES' default
    Session.objects.filter(pk=signed_in.session.session_key).update(
        expire_date=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    )

    response = signed_in.get(reverse("my_access"))

    assert response.status_code == 200
    assert 30 * 60 - 5 < seconds_left(signed_in) <= 30 * 60
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_stay_signed_in_posts_to_keep_alive_which_moves_the_end_on(signed_in):
    Session.objects.filter(pk=signed_in.session.session_key).update(
        expire_date=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    )

    response = signed_in.post(reverse("keep_alive"))

    assert response.status_code == 204
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    assert seconds_left(signed_in) > 29 * 60


def test_keep_alive_needs_the_csrf_token_a_post_and_a_session(signed_in):
    strict = StaffClient(enforce_csrf_checks=True)
    strict.force_login(UserFactory())

    assert strict.post(reverse("keep_alive")).status_code == 403
    assert signed_in.get(reverse("keep_alive")).status_code == 405
    signed_in.logout()
    assert signed_in.post(reverse("keep_alive"))["Location"].startswith(reverse("login"))


def test_a_session_ends_a_working_day_after_sign_in_however_busy(signed_in):
    session = signed_in.session
    assert time.time() - session[SIGNED_IN_AT] < 60
    session[SIGNED_IN_AT] = int(time.time()) - 8 * 60 * 60 - 1
    session.save()

    response = signed_in.get(reverse("my_access"), follow=True)

    assert response.redirect_chain[0] == (f"{reverse('login')}?next={reverse('my_access')}", 302)
    assert SESSION_KEY not in signed_in.session
    assert "You were signed out because you had been signed in for 8 hours" in visible_text(response.content)


def test_signed_in_pages_carry_the_warning_and_its_script(signed_in, settings):
    html = signed_in.get(reverse("home")).content.decode()

    [dialog] = elements(html, "dialog", id="session-timeout")
    assert dialog["role"] == "alertdialog"
    assert dialog["data-idle-seconds"] == str(settings.SESSION_COOKIE_AGE)
    assert dialog["data-warning-seconds"] == "120"
    assert dialog["data-keep-alive-url"] == reverse("keep_alive")
    assert dialog["data-sign-in-url"] == reverse("login")
    assert dialog["data-csrf-token"]
    assert elements(html, "script", src="/static/web/session-timeout.js")
    start = html.index('<dialog id="session-timeout"')
    warning = visible_text(html[start : html.index("</dialog>", start)])
    assert "You will be signed out soon" in warning
    assert "Stay signed in" in warning
    assert elements(html[start:], "a", href=reverse("logout"))


def test_signed_out_pages_have_no_warning(client):
    html = client.get(reverse("login")).content.decode()

    assert not elements(html, "dialog", id="session-timeout")
    assert "session-timeout.js" not in html


def test_the_idle_limit_comes_from_the_environment():
    env = {
        **os.environ,
        "NEIGHBOURHOOD_IDLE_MINUTES": "15",
        "DJANGO_SETTINGS_MODULE": "neighbourhood.settings",
    }
    code = (
        "from neighbourhood import settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST)"
    )

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["900", "True"]
