"""
Browser tests: Debian's chromium driven by Playwright's sync API against pytest-django's
`live_server`.

Every page a test opens is watched: a console error, an uncaught script error or a request to any
host but the live server fails the test, because the app must run with nothing from a third-party
host and no broken script; such a request never leaves the machine (`NOWHERE`). Screenshots go to
`$SHIMTEO_ARTIFACTS_DIR/screenshots/<module>/<test>/` (default `var/test-artifacts/`, git-ignored)
for a reviewer to look at.
"""

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_otp.oath import hotp, totp

from accounts.models import TOTPDevice
from tests.conftest import require, sign_in

CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, kept quiet: no sandbox (containers), no GPU, and none of the background
# traffic (updates, sync, safe browsing) that would show up as requests to other hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS_DIR = Path(
    os.environ.get("SHIMTEO_ARTIFACTS_DIR")
    or Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
)
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about"}
# Where chromium sends every request but those to the live server (on the loopback host): a proxy
# that is not there (nothing listens on port 1), so a request to another host fails in the browser
# and nothing leaves the machine. Refused so instead of by `route()`: routing takes a round trip to
# the test for every request and turns chromium's cache off, so that every page of a walk fetched
# its stylesheet and icon again (116 of the caseworker walk's 228 requests).
NOWHERE = {"server": "http://127.0.0.1:1", "bypass": "localhost,127.0.0.1"}
# Generous enough for a cold live server on a 2-core machine shared by several test runs, where a
# post and the page it leads to took over 15 s. For page actions and `expect` alike (whose own
# default, 5 s, is shorter than a busy machine's answer to a form).
TIMEOUT_MS = 30_000
# For a request that renders a PDF before it answers (the render runs eagerly in tests): 3 s on
# an idle machine, over 20 s on a 2-core one shared by several test runs.
RENDER_TIMEOUT_MS = 90_000


@pytest.fixture(scope="package")
def _playwright():
    """
    Playwright for the browser tests only. While it runs, its event loop is marked as running in
    the test thread, so Django's async-safety check must be relaxed: only for as long as it runs,
    so the tests of other packages keep the check.
    """
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# After the last keystroke, before static/js/drafts.js saves a draft: production waits 1.5 s
# (SHIMTEO_DRAFT_PAUSE_MS), which a walk waiting for "Draft saved at" would wait too. Still long
# enough that a field left at once (Tab) is saved on leaving it, before the pause ends.
DRAFT_PAUSE_MS = 250


@pytest.fixture
def short_draft_pause(settings):
    """For the walks that wait for a draft to be saved (test_drafts.py). The other walks keep
    production's pause: shorter, it would only add draft saves between their typing and Save."""
    settings.SHIMTEO_DRAFT_PAUSE_MS = DRAFT_PAUSE_MS


@pytest.fixture(scope="package")
def browser(_playwright):
    """One headless chromium for all browser tests (package-scoped: see `_playwright`)."""
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, proxy=NOWHERE
    )
    yield browser
    browser.close()


@dataclass
class PageWatch:
    """What a page did that a test must not allow: console errors and requests to other hosts."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    allowed_console: list[re.Pattern] = field(default_factory=list)

    def allow_console_error(self, pattern: str) -> None:
        """A test that provokes an error on purpose names the message it expects."""
        self.allowed_console.append(re.compile(pattern))

    def on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def on_request(self, request) -> None:
        # Recorded to fail the test; the browser's proxy (`NOWHERE`) refuses it.
        url = request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme not in LOCAL_SCHEMES and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(url)

    def problems(self) -> list[str]:
        errors = [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed_console)
        ]
        return [
            *(f"console error: {text}" for text in errors),
            *(f"request to another host: {url}" for url in self.foreign_requests),
        ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test whose page logged an error or reached another host."""
    result = yield
    watch = getattr(item, "_page_watch", None)
    if watch is not None and (problems := watch.problems()):
        pytest.fail("The page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        item._call_failed = report.failed
    return report


def _file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_")


def _test_folder(node) -> Path:
    return ARTIFACTS_DIR / "screenshots" / node.path.stem / _file_name(node.name)


@pytest.fixture
def artifacts_dir(request) -> Path:
    """This test's screenshot folder, emptied of an earlier run's pictures."""
    folder = _test_folder(request.node)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shot(artifacts_dir):
    """`shot(page, "name")` saves a full-page screenshot as <test folder>/name.png."""

    def save(page, name: str) -> Path:
        path = artifacts_dir / f"{_file_name(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def page(request, browser, live_server, transactional_db, artifacts_dir):
    """
    A fresh browser context (no cookies) and page per test, watched for console errors and
    requests to other hosts. A failing test leaves `failure.png` in its screenshot folder.
    """
    # The live server's threads share the test database: on SQLite that is one in-memory
    # database whose tables lock across threads ("database table is locked", "no such
    # savepoint" while a draft is saved beside a page load), which no deployment runs.
    require(
        connection.vendor == "postgresql",
        "the browser tests need DATABASE_URL on PostgreSQL (the live server's threads share it)",
    )
    origin = live_server.url.rstrip("/")
    watch = PageWatch(origin=origin)
    context = browser.new_context(
        base_url=origin, locale="en", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", watch.on_request)
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    request.node._page_watch = watch
    yield page
    try:
        if getattr(request.node, "_call_failed", False):
            page.screenshot(path=str(artifacts_dir / "failure.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def page_watch(request, page) -> PageWatch:
    """The recorder of the current page, for a test that expects a console error on purpose."""
    return request.node._page_watch


def current_totp(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def enrol_totp(user) -> TOTPDevice:
    """A confirmed authenticator for `user`, as if they had enrolled earlier."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def submit_password(page, username: str, password: str) -> None:
    """Fill in and send the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def login_with_totp(page, live_server, user, password: str) -> None:
    """
    Sign in through the real forms: password, then the current code of the user's confirmed
    authenticator, typed as a person would. No session shortcut. A code is accepted once: a
    second sign-in of the same user within the same 30 seconds needs the next code.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    submit_password(page, user.get_username(), password)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code").fill(current_totp(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url.rstrip('/')}/")


def sign_in_by_session(
    page, live_server, user, *, opening: str = "/", language: str | None = None
) -> None:
    """
    `page` signed in as `user`, as the login and verify pages leave a user (tests/conftest.py
    `sign_in`: both factors, the session stamped, the language cookie of their preferred
    language, or `language`: a browser that chose another one before), then on the dashboard the
    verify page leads to, or on `opening` for a walk that starts elsewhere (a page that is not
    looked at is not loaded first). For walks about something else:
    the real pages cost five requests and three page loads each time, and are walked for every
    persona by a test of its own (test_login.py for alice, and `login_with_totp` where sue, bob,
    charlie and the advocate first sign in in test_first_week.py, test_notifications.py and
    test_caseworker_workflow.py).
    """
    from django.conf import settings
    from django.test import Client

    origin = live_server.url.rstrip("/")
    session = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": session,
            "url": origin,
            "httpOnly": settings.SESSION_COOKIE_HTTPONLY,
            "sameSite": settings.SESSION_COOKIE_SAMESITE,
        }
    ]
    # As the login page sets it: from the user's row, which a test may have changed since.
    language = language or type(user).objects.values_list("preferred_language", flat=True).get(
        pk=user.pk
    )
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin})
    page.context.add_cookies(cookies)
    page.goto(opening)


@pytest.fixture
def open_page(request, browser, live_server, page):
    """
    `open_page()` opens another browser window with no cookies (another person, or the same
    person on another device), watched by the same recorder as `page`.
    """
    watch: PageWatch = request.node._page_watch
    contexts = []

    def open_():
        context = browser.new_context(
            base_url=watch.origin, locale="en", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", watch.on_request)
        new_page = context.new_page()
        new_page.on("console", watch.on_console)
        new_page.on("pageerror", watch.on_page_error)
        contexts.append(context)
        return new_page

    yield open_
    for context in contexts:
        context.close()


def choose(select, text: str) -> None:
    """Pick the option of a <select> whose visible text contains `text`, as a person would."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def next_unused_totp(device: TOTPDevice) -> str:
    """
    A code the device has not accepted yet: the current one, or, when the current one was just
    used, the one the app shows next (the device allows one step of clock drift). For a second
    sign-in of the same user within 30 seconds, without waiting.
    """
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    counter = max(now, device.last_t + 1)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def login_again_with_totp(page, live_server, user, password: str) -> None:
    """`login_with_totp` for a user who already signed in a moment ago (another device)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    submit_password(page, user.get_username(), password)
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code").fill(next_unused_totp(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url.rstrip('/')}/")


def click_to_open(locator, *, timeout: float | None = None) -> None:
    """
    Click a link or a form's button that opens another page, and return once that page has loaded.
    `page.wait_for_load_state()` after the click is not enough: it may answer at once for the page
    still shown, which then vanishes while the test reads it ("Execution context was destroyed").
    `timeout` (ms) for a page that is slow by nature, such as one that renders a PDF first.
    The answer and the new page's loading each have the whole timeout, as a click followed by
    `wait_for_load_state()` had: once the new page is committed, it is the one that is waited for.
    """
    page = locator.page
    with page.expect_navigation(wait_until="commit", timeout=timeout):
        locator.click(timeout=timeout)
    page.wait_for_load_state(timeout=timeout)


def choose_language(page, code: str, *, button: str = "Change") -> None:
    """Switch the interface to `code` through the header's language form (`button` in the current one)."""
    from playwright.sync_api import expect  # imported where used, as `_playwright` does

    open_menu(page)
    page.locator("#language-select").select_option(code)
    click_to_open(page.locator("form.language").get_by_role("button", name=button))
    expect(page.locator("html")).to_have_attribute("lang", code)


def open_menu(page) -> None:
    """
    On a phone the header's links, language and account sit behind the Menu button (a <details>):
    open it, as a person would, when it is shown and closed. On a wide screen there is no button.
    """
    button = page.locator(".site-menu > summary")
    if button.is_visible() and page.locator(".site-menu[open]").count() == 0:
        button.click()
