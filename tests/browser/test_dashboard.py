"""The dashboards in a real Chromium: the officer opens the overview, sorts it by open
fever alerts and opens a compound; the compound page's 14-day chart at 390 px.

Screenshots go to test-artifacts/ (the user guide in docs/ uses them)."""

import pytest

from residents.models import FeverAlert
from residents.services import fever_alert_raise
from tests import factories as f
from tests.bastion.test_dashboard import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    community = f.community()
    quiet = f.compound(community=community, name="南嘉商业城")
    busy = f.compound(community=community, name="绿景水岸")
    middle = f.compound(community=community, name="和谐家园")
    volunteer = f.user("volunteer")
    officer = f.user("officer", is_staff=True)
    f.role(user=officer, kind="officer", community=community)
    for tag, compound in (("a", quiet), ("b", busy), ("c", middle)):
        f.role(user=volunteer, kind="volunteer", compound=compound)
        populate(compound, volunteer, households=4, tag=tag, manager=officer)
    from decimal import Decimal

    for _ in range(3):
        fever_alert_raise(
            compound=busy, source=FeverAlert.Source.PHONE, temperature=Decimal("38.2"), actor=None
        )
    FeverAlert.objects.filter(compound=quiet).update(status=FeverAlert.Status.RESOLVED)
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=busy)
    return {"busy": busy, "quiet": quiet}


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_officer_sorts_the_overview_by_fevers_and_opens_a_compound(
    page, live_server, login, screenshot, city
):
    page.set_viewport_size({"width": 1100, "height": 800})
    login("officer")
    page.goto(f"{live_server.url}/")
    table = page.locator("#overview")
    assert table.locator("tbody tr").count() == 3
    assert page.locator("#admin-link").count() == 1
    screenshot("dashboard-overview")
    # Sort by open fever alerts, most first (a second click sorts the other way).
    page.click('#overview th a[data-sort="fevers.open"]')
    page.wait_for_load_state()
    names = table.locator("tbody tr td:first-child a").all_inner_texts()
    counts = [int(t) for t in table.locator('tbody td[data-key="fevers.open"]').all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and names[0] == "绿景水岸"
    total = int(table.locator('tfoot td[data-key="fevers.open"]').inner_text())
    assert total == sum(counts)
    # A click on the row opens the compound page.
    table.locator("tbody tr").first.locator("td.num").last.click(position={"x": 2, "y": 2})
    page.wait_for_url(f"**/c/{city['busy'].pk}/**")
    assert page.locator("#figure-fevers\\.open b").inner_text() == str(counts[0])


def test_the_compound_page_and_its_chart_read_on_a_phone(
    page, live_server, login, screenshot, city
):
    login("secretary")  # one compound: home is the compound page
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#chart svg polyline")
    assert no_horizontal_overflow(page)
    box = page.locator("#chart svg").bounding_box()
    assert box is not None and 300 <= box["width"] <= 390
    screenshot("dashboard-compound")
    page.locator("#chart").screenshot(path=str(_artifact("dashboard-chart-390")))
    # Every figure is a link that opens its list.
    page.click("#figure-gate\\.out_now")
    page.wait_for_url("**/gate/out/")


def _artifact(name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
