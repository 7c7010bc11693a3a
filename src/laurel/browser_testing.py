"""Browser tests: Chromium driven by Playwright against a live test server.

Playwright drives Debian's Chromium (``make browsers`` installs it); its own browser
download is not used. Every page a browser test visits can be checked with axe-core
against WCAG 2.2 AA.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed; `make browsers` installs it.")
    # Playwright's synchronous API runs an event loop in this thread; the test's own
    # database calls are still synchronous, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()
        # While Playwright's event loop runs in this thread, Django gives the test its own
        # database connections (those of an async context). Closed here, before the loop
        # stops, or they would keep the test database from being dropped at the end.
        connections.close_all()


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    """The live server's address, which is also what absolute links point at."""
    settings.SITE_URL = live_server.url
    return str(live_server.url)


def assert_accessible(page: Page) -> None:
    """No WCAG 2.2 AA violation that axe-core can find on the page as it is now."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, results.generate_report()


def console_errors(page: Page) -> list[str]:
    """The errors the page logs from now on (a script or style refused by the
    Content-Security-Policy among them), gathered as they happen."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors


def log_in(page: Page, site: str, *, email: str, password: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{site}/")


def screenshot_path(name: str) -> Path:
    """Where a browser test leaves a screenshot for people to look at."""
    folder = Path(django_settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
