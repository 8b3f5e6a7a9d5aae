"""Security headers: a Content-Security-Policy with no inline script or style, framing refused, HTTPS only in
production, and `check --deploy` clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

import neighbourhood
from tests.factories import UserFactory
from tests.governance.html import parse

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = sorted(Path(neighbourhood.__file__).parent.glob("**/templates"))
CONSOLE_SCRIPT = Path(sys.executable).with_name("neighbourhood")


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEIGHBOURHOOD_", "DJANGO_", "DEBUG", "SECRET_KEY", "SECURE_"))
    }
    env.update(
        NEIGHBOURHOOD_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        NEIGHBOURHOOD_VAR=str(tmp_path),
        ALLOWED_HOSTS="neighbourhood.example.nhs.uk",
        **extra,
    )
    return env


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("page", ["login", "home", "my_access"])
def test_pages_send_the_content_security_policy(client, signed_in, page):
    response = (client if page == "login" else signed_in).get(reverse(page))

    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert all(source.startswith("'nonce-") for source in csp["script-src"][1:])
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


@pytest.mark.parametrize("page", ["login", "home", "my_access"])
def test_no_inline_script_runs_without_the_nonce_and_nothing_is_styled_inline(client, signed_in, page):
    response = (client if page == "login" else signed_in).get(reverse(page))

    [nonce_source] = policy(response)["script-src"][1:]
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    tags = parse(response.content).elements
    inline_scripts = [attrs for tag, attrs in tags if tag == "script" and "src" not in attrs]
    assert inline_scripts == [{"nonce": nonce}]  # NHS.UK frontend's js-enabled line
    assert not [tag for tag, attrs in tags if "style" in attrs or tag == "style"]
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]


def test_each_response_has_its_own_nonce(client):
    first, second = (policy(client.get(reverse("login")))["script-src"] for _ in range(2))

    assert first != second


def test_other_security_headers(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["httponly"]


@pytest.mark.parametrize("template_dir", TEMPLATE_DIRS, ids=lambda d: str(d.parent.name))
def test_our_templates_have_no_inline_script_style_or_event_handlers(template_dir):
    problems = []
    for template in sorted(template_dir.rglob("*.jinja")):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                problems.append(f"{template.name}: inline {tag}")
        for pattern in [r"<style\b", r"<[^>]*\sstyle\s*=", r"<[^>]*\son[a-z]+\s*=", r"javascript:"]:
            problems += [f"{template.name}: {match}" for match in re.findall(pattern, text)]

    assert problems == []


def test_check_deploy_reports_no_issues_in_production(tmp_path):
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "check", "--deploy"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only_and_a_proxy_can_say_the_request_was_https(tmp_path):
    code = (
        "from neighbourhood import settings as s;"
        " print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )

    def production_settings(**extra):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=production_env(tmp_path, **extra),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert production_settings() == "31536000 True True True True True None"
    behind_proxy = production_settings(NEIGHBOURHOOD_SSL_REDIRECT="0", NEIGHBOURHOOD_TRUSTED_PROXIES="1")
    assert behind_proxy == "31536000 True True False True True ('HTTP_X_FORWARDED_PROTO', 'https')"
