"""Browser tests: Playwright's sync API driving Debian's Chromium (never a downloaded one).

Every test gets a fresh browser context whose requests are all recorded: the tests can
assert that nothing left the site (self-check.md: no third-party requests) and that the
browser's storage stayed empty (DESIGN.md s5: no patient data in browser storage).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from tandem.services import accounts
from tandem.storage.models import Organization, StaffMember

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery-staple-42"
TABLET = {"width": 1024, "height": 1366}  # a 12.9-inch tablet held upright
PHONE = {"width": 390, "height": 844}


def screenshots_wanted() -> bool:
    """TANDEM_SCREENSHOTS=1 (config.py lists it as a tests-only switch)."""
    return os.environ.get("TANDEM_SCREENSHOTS", "") in ("1", "true", "yes")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (never download a browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """One browser context: its page, every URL it requested, and the site's origin."""

    page: Page
    origin: str
    requested: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        return self.page.goto(self.origin + path)

    def shot(self, name: str) -> None:
        """Check the page's accessibility (basics, then axe-core: 0 violations), then save
        a screenshot if asked to."""
        self.assert_accessible_basics()
        self.assert_no_axe_violations()
        if screenshots_wanted():
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)

    def assert_accessible_basics(self) -> None:
        """One h1; every visible control labelled; every radio/checkbox group a fieldset
        with a legend; every error summary link pointing at an element that exists."""
        problems = self.page.evaluate(A11Y_CHECK)
        assert problems == [], problems

    def assert_no_axe_violations(self) -> None:
        """axe-core (bundled in the axe-playwright-python package, never downloaded) finds
        no violation of WCAG 2.x A/AA or best practice on this page."""
        self.page.evaluate(axe_source())
        found = self.page.evaluate(AXE_RUN)
        assert found == [], f"{self.page.url}: {found}"

    def storage_sizes(self) -> list[int]:
        """[localStorage.length, sessionStorage.length, IndexedDB databases] of the site."""
        return list(
            self.page.evaluate(
                "async () => [localStorage.length, sessionStorage.length,"
                " (await indexedDB.databases()).length]"
            )
        )

    def storage_entries(self) -> dict[str, dict[str, str]]:
        """Every key and value in the site's localStorage and sessionStorage."""
        return dict(
            self.page.evaluate("() => ({local: {...localStorage}, session: {...sessionStorage}})")
        )

    def assert_no_patient_data_stored(self, *secrets: str) -> None:
        """Nothing in localStorage or IndexedDB; in sessionStorage at most htmx's own note of
        the current path (htmx 2 writes it on every page that loads htmx: the sign-in pages
        do), which holds no patient data: only opaque ids, never one of ``secrets``."""
        entries = self.storage_entries()
        assert entries["local"] == {}
        assert self.storage_sizes()[2] == 0
        assert set(entries["session"]) <= {"htmx-current-path-for-history"}
        for value in entries["session"].values():
            assert "?" not in value
            assert not any(secret in value for secret in secrets)

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]

    def offsite_requests(self) -> list[str]:
        return [url for url in self.requested if not url.startswith(self.origin)]


@cache
def axe_source() -> str:
    """axe-core's script from the axe-playwright-python package (pinned in
    requirements.lock); a missing package fails the test, it is never fetched."""
    try:
        from axe_playwright_python import base
    except ImportError:
        pytest.fail("axe-playwright-python is not installed: run `make install`")
    return (Path(base.__file__).parent / base.AXE_FILE_NAME).read_text(encoding="utf-8")


# Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ${v.help}: ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


A11Y_CHECK = """() => {
  const problems = [];
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const named = el.labels.length > 0 || el.getAttribute("aria-label");
    if (!named) problems.push(`unlabelled ${el.tagName} ${el.name}`);
    if ((el.type === "radio" || (el.type === "checkbox" && el.name.includes("-") === false))
        && document.querySelectorAll(`[name="${el.name}"]`).length > 1) {
      const set = el.closest("fieldset");
      if (!set || !set.querySelector("legend")) problems.push(`no legend for ${el.name}`);
    }
  }
  for (const link of document.querySelectorAll(".error-summary a[href^='#']")) {
    if (!document.getElementById(link.getAttribute("href").slice(1)))
      problems.push(`error link to a missing ${link.getAttribute("href")}`);
  }
  return problems;
}"""


def _visit(browser: Browser, origin: str, viewport: dict[str, int]) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit(page=page, origin=origin)
    page.on("request", lambda request: visit.requested.append(request.url))
    # A CSP violation (inline script or style, an on*= handler) shows as a console error.
    page.on(
        "console",
        lambda message: (
            visit.console_errors.append(f"{page.url}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    # Anything not addressed to the live server is refused: no network in tests.
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    try:
        yield visit
    finally:
        context.close()


@pytest.fixture
def tablet(browser: Browser, live_server: Any) -> Iterator[Visit]:
    yield from _visit(browser, live_server.url, TABLET)


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Visit]:
    yield from _visit(browser, live_server.url, PHONE)


@pytest.fixture
def second_tablet(browser: Browser, live_server: Any) -> Iterator[Visit]:
    yield from _visit(browser, live_server.url, TABLET)


def make_clinic(slug: str, name: str) -> Organization:
    return accounts.ensure_organization(slug=slug, name=name, levels_offered=["iop", "php"])


def make_staff(clinic: Organization, username: str, role: str, display_name: str) -> StaffMember:
    """A staff account with a password and a confirmed authenticator (TOTP) device."""
    staff = accounts.ensure_staff(
        organization=clinic, username=username, role=role, password=PASSWORD,
        display_name=display_name,
    )  # fmt: skip
    TOTPDevice.objects.create(user=staff.user, name="phone", confirmed=True)
    return staff


def sign_in(visit: Visit, staff: StaffMember, next_path: str = "/clinic/") -> None:
    """The real sign-in: password, then the current TOTP code of the staff's device."""
    visit.go(f"/accounts/login?next={next_path}")
    visit.page.get_by_label("User name").fill(staff.user.get_username())
    visit.page.get_by_label("Password").fill(PASSWORD)
    visit.page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.get(user=staff.user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    visit.page.get_by_label("6-digit code").fill(f"{code:06d}")
    visit.page.get_by_role("button", name="Continue").click()
    visit.page.wait_for_url(f"**{next_path}")


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    connections.close_all()
