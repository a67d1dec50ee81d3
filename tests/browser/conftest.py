"""Real Chromium through Playwright, against Django's live server.

Skipped, with a notice, when there is no Chromium at /usr/bin/chromium (or $CHROMIUM);
CI installs it and sets BROWSER_TESTS_REQUIRED=1 so that a missing browser fails instead.
"""

import os
from pathlib import Path

import pytest

from tests import factories as f

# Playwright's sync API runs an event loop in this thread; Django's guard against ORM
# calls inside a running loop does not apply to a test that only drives a browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("BROWSER_TESTS_REQUIRED"):
            pytest.fail(f"Chromium is required here but missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves test-artifacts/name.png of the whole page;
    screenshot("name", full_page=False) only what the screen shows (the user guide's
    pictures, docs/guide/, stay small)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def login(page, live_server):
    def do(username: str, password: str = f.PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do
