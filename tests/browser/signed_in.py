"""Sign a browser in without the sign-in journey: the session cookie of a test client's force_login, which
(tests/conftest.py) also marks the second factor done. For tests about what happens once signed in."""

from django.conf import settings


def sign_in_with_session_cookie(page, client, live_server, user) -> None:
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
