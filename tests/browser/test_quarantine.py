"""Quarantine on a 390-px phone: the secretary starts a home quarantine from its form,
another resident is at a central site, and today's check recorded at the door leaves
the board's list of checks to do."""

import pytest

from residents.quarantine import services
from residents.quarantine.models import Quarantine, QuarantineCheck
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ward():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    site = f.compound(community=community, name="颐和酒店", kind="site")
    building = f.building(compound=compound, number="20")
    household = f.household(building=building, room="1702")
    returnee = f.resident(household=household, name="张小流", returnee=True)
    contact = f.resident(household=f.household(building=building, room="1801"), name="李梅")
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    services.quarantine_start(
        resident=contact, actor=secretary, reason="close_contact", kind="central", site=site
    )
    return {"compound": compound, "returnee": returnee}


def test_a_home_quarantine_started_and_checked_on_a_phone(
    page, live_server, login, screenshot, ward
):
    c, returnee = ward["compound"].pk, ward["returnee"]
    login("secretary")
    page.goto(f"{live_server.url}/c/{c}/residents/{returnee.pk}/quarantine/new/")
    page.select_option("select[name=reason]", "returnee")
    page.check("input[name=kind][value=home]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    home = Quarantine.objects.get(resident=returnee)
    assert (home.kind, home.confines_household) == ("home", True)

    page.goto(f"{live_server.url}/c/{c}/quarantine/")
    due = page.locator("#checks-due li a")
    assert due.count() == 2  # the one at home and the one at the central site
    assert "颐和酒店" in page.locator("#active").inner_text()
    page.locator("#checks-due li a", has_text="张小流").click()
    page.fill("#id_temperature", "36.5")
    page.check("input[name=method][value=door]")
    page.click("#check-form button[type=submit]")
    page.wait_for_url(f"**/c/{c}/quarantine/")
    check = QuarantineCheck.objects.get(quarantine=home, checked_at__isnull=False)
    assert check.temperature == pytest.approx(36.5)
    assert page.locator("#checks-due li.done").count() == 1
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    screenshot("quarantine-board", full_page=False)
