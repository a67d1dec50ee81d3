"""Device tokens on a 390-px phone: create one, see it once, revoke it after confirming."""

import pytest

from compounds.models import Capability

from .test_csp import COLLECT, place  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_token_is_created_shown_once_and_revoked_on_a_phone(
    page,
    context,
    live_server,
    login,
    place,  # noqa: F811
):
    context.add_init_script(COLLECT)
    login("secretary")
    page.goto(f"{live_server.url}/accounts/")
    page.click("a[href='/accounts/tokens/']")
    page.fill("#token-name", "东门手机")
    page.click("form[action='/accounts/tokens/'] button[type=submit]")
    page.wait_for_load_state()
    token = page.locator("code.token").inner_text()
    assert len(token) == 43 and _fits_the_phone(page)
    page.screenshot(path="test-artifacts/tokens-created.png", full_page=True)
    page.goto(f"{live_server.url}/accounts/tokens/")
    assert page.locator("code.token").count() == 0
    assert token[:6] in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[data-confirm] button[type=submit]")
    assert Capability.objects.get().revoked_at is not None
    assert page.locator("form[data-confirm]").count() == 0
    assert page.evaluate("window.__csp") == []
