"""The registry in a real phone-sized Chromium: search, open a household, edit a resident.

The UI is Chinese once translations exist, so the test reads data (names, numbers) and
element ids/classes, not English words.
"""

import pytest

from compounds.models import AuditEntry
from residents.models import Resident
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    building = f.building(compound=compound, number="20")
    household = f.household(building=building, room="1702", contact_phone="13807901234")
    resident = f.resident(household=household, name="张小流", phone="13912345678", birth_year=1948)
    f.resident(
        household=household, name="张小宝", birth_year=2019, infant=True, relation="grandchild"
    )
    neighbour = f.household(building=building, room="1703")
    f.resident(household=neighbour, name="李娟", returnee=True, returned_from="武汉")
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)
    return {"compound": compound, "household": household, "resident": resident}


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_secretary_searches_opens_household_and_edits_resident(
    page, live_server, login, screenshot, registry
):
    compound, household, resident = (
        registry["compound"],
        registry["household"],
        registry["resident"],
    )
    login("secretary")
    page.goto(f"{live_server.url}/c/{compound.pk}/households/")
    page.fill("#search input[name=q]", "20-1702")
    page.click("#search button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("#households tr.household-row")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-address") == "20-1702"
    assert no_horizontal_overflow(page)
    screenshot("registry-households")

    rows.first.locator("a.household-link").click()
    page.wait_for_load_state()
    assert page.locator("#household-address").inner_text().startswith("20-1702")
    card = page.locator(f"#resident-{resident.pk}")
    assert "13912345678" in card.locator(".resident-phone").inner_text()
    assert card.locator(".flag-elderly_alone").count() == 0

    card.locator("a.edit-resident").click()
    page.wait_for_load_state()
    assert page.input_value("#id_name") == "张小流"
    screenshot("registry-resident-form")
    page.fill("#id_phone", "13700001234")
    page.check("#id_elderly_alone")
    page.click("#save-resident")
    page.wait_for_load_state()

    assert page.url.endswith(f"/c/{compound.pk}/households/{household.pk}/")
    card = page.locator(f"#resident-{resident.pk}")
    assert "13700001234" in card.locator(".resident-phone").inner_text()
    assert card.locator(".flag-elderly_alone").count() == 1
    entry = page.locator("#audit .audit-entry[data-action=resident_update]")
    assert entry.count() == 1
    text = entry.inner_text()
    assert "secretary" in text
    assert "13912345678" in text and "13700001234" in text
    assert no_horizontal_overflow(page)
    screenshot("registry-household")

    resident.refresh_from_db()
    assert (resident.phone, resident.elderly_alone) == ("13700001234", True)
    assert AuditEntry.objects.filter(object_type="resident", object_id=resident.pk).count() == 1


def test_volunteer_sees_masked_numbers_and_no_edit_links(
    page, live_server, login, screenshot, registry
):
    compound, household, resident = (
        registry["compound"],
        registry["household"],
        registry["resident"],
    )
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/households/{household.pk}/")
    card = page.locator(f"#resident-{resident.pk}")
    assert card.locator(".resident-phone").inner_text().strip() == "139****5678"
    number = resident.id_number
    assert card.locator(".resident-id").inner_text().strip() == number[:4] + "*" * 10 + number[-4:]
    assert number not in page.content()
    assert page.locator("a.edit-resident").count() == 0
    assert page.locator("#add-resident").count() == 0
    assert no_horizontal_overflow(page)
    screenshot("registry-household-volunteer")


def test_building_and_lists_fit_a_phone(page, live_server, login, screenshot, registry):
    compound = registry["compound"]
    login("secretary")
    for path, name in (
        ("buildings/", "registry-buildings"),
        (f"buildings/{registry['household'].building_id}/", "registry-building"),
        ("vulnerable/", "registry-vulnerable"),
        ("returnees/", "registry-returnees"),
    ):
        page.goto(f"{live_server.url}/c/{compound.pk}/{path}")
        assert no_horizontal_overflow(page), path
        screenshot(name)
    assert page.locator("#returnees tr.resident-row").count() == 1
    assert "武汉" in page.locator("#returnees").inner_text()
    assert Resident.objects.filter(returnee=True).count() == 1


def test_an_id_number_typed_into_search_never_reaches_the_url(page, live_server, login, registry):
    compound, resident = registry["compound"], registry["resident"]
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/households/")
    page.fill("#search input[name=q]", resident.id_number)
    page.click("#search button[type=submit]")
    page.wait_for_load_state()
    assert resident.id_number not in page.url
    assert page.evaluate("document.querySelector('#search input[name=q]').validity.valid") is False


def test_a_wrong_id_number_is_shown_beside_its_field_and_nothing_is_saved(
    page, live_server, login, screenshot, registry
):
    compound, household = registry["compound"], registry["household"]
    login("secretary")
    page.goto(f"{live_server.url}/c/{compound.pk}/households/{household.pk}/")
    page.click("#add-resident")
    page.wait_for_load_state()
    good = f.id_number(serial=321)
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", good[:17] + ("1" if good[17] != "1" else "2"))
    page.click("#save-resident")
    page.wait_for_load_state()
    assert page.locator("#field-id_number .errorlist").count() == 1
    assert page.input_value("#id_name") == "王芳"
    assert not Resident.objects.filter(name="王芳").exists()
    assert no_horizontal_overflow(page)
    screenshot("registry-resident-error")
