"""The content security policy in a real Chromium: no violation on the main pages.

Chromium fires `securitypolicyviolation` for every blocked inline script, handler, style
attribute or foreign source; an init script collects them before any page script runs.
"""

import pytest

from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' +
                    e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def place():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    f.opening(compound=compound, name="南门")
    building = f.building(compound=compound, number="20")
    household = f.household(building=building, room="1702")
    f.resident(household=household, name="张小流")
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    f.card(household=household)
    return {"compound": compound, "household": household}


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


def test_no_policy_violation_on_the_main_pages(page, context, live_server, login, place):
    context.add_init_script(COLLECT)
    base = live_server.url
    found = {"login": violations(page, f"{base}/accounts/login/")}
    login("secretary")
    c, h = place["compound"].pk, place["household"].pk
    for name, path in [
        ("home", "/"),
        ("compound", f"/c/{c}/"),
        ("households", f"/c/{c}/households/"),
        ("household", f"/c/{c}/households/{h}/"),
        ("gate", f"/c/{c}/gate/"),
        ("cards print", f"/c/{c}/cards/print/"),
        ("account", "/accounts/"),
        ("tokens", "/accounts/tokens/"),
        ("compound tokens", f"/c/{c}/tokens/"),
        ("api docs", "/api/docs/"),
        ("not found", "/no-such-page/"),
    ]:
        found[name] = violations(page, base + path)
    assert {name: v for name, v in found.items() if v} == {}
    # The handlers that used to be inline still work from the static script.
    page.goto(f"{base}/c/{c}/cards/print/")
    assert page.locator("[data-print]").count() == 1
    with page.expect_navigation():
        page.select_option("select[data-autosubmit]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
