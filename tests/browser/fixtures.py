"""Journeys in Debian's Chromium through Playwright, against pytest-django's live server.

Without /usr/bin/chromium the browser tests are skipped, except in CI (env CI set), where they must run.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    """Browser tests run last. While Chromium is open, Playwright's sync API keeps an asyncio loop running
    in the main thread, and Django's async_to_sync refuses to run in such a thread: any test after them
    that touched async code would fail."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def chromium_context(live_server, tmp_path_factory):
    """One Chromium for the run, with a fresh user-data dir. It asks for the live server so that it closes
    first: Chromium's open keep-alive connections would otherwise outlive the server's shared database
    connection and fail in the server's request threads."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: in CI the browser tests must run (apt-get install -y chromium)"
            )
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # (factories) are still ordinary synchronous code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture
def page(chromium_context, live_server):
    """A new tab with no cookies, so every journey starts signed out."""
    chromium_context.clear_cookies()
    tab = chromium_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def csp_violations(page):
    """Chromium reports each thing the Content-Security-Policy refused as a console message."""
    messages = []
    page.on(
        "console",
        lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return messages
