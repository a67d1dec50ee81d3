"""Registry pages: the cast on every page, masking, forms that save nothing bad, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from compounds.models import AuditEntry
from residents import services
from residents.models import FeverAction, FeverAlert, Household, Resident
from tests import factories as f


def url(name, *args):
    return reverse(f"residents:{name}", args=list(args))


@pytest.fixture
def pages(compound_a, building_a, household_a, resident_a):
    c = compound_a.pk
    return {
        "buildings": url("buildings", c),
        "building": url("building", c, building_a.pk),
        "households": url("households", c),
        "household": url("household", c, household_a.pk),
        "vulnerable": url("vulnerable", c),
        "returnees": url("returnees", c),
        "household-create": url("household-create", c),
        "household-edit": url("household-edit", c, household_a.pk),
        "resident-create": url("resident-create", c, household_a.pk),
        "resident-edit": url("resident-edit", c, resident_a.pk),
    }


READ_PAGES = ["buildings", "building", "households", "household", "vulnerable", "returnees"]
MANAGE_PAGES = ["household-create", "household-edit", "resident-create", "resident-edit"]
ALL_PAGES = READ_PAGES + MANAGE_PAGES


def resident_post(**overrides):
    data = {
        "name": "张小流",
        "relation": "head",
        "sex": "M",
        "birth_year": "1958",
        "phone": "13912345678",
        "id_number": "",
        "returned_from": "",
        "returned_on": "",
        "return_transport": "",
        "quarantine_until": "",
        "note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The cast on every page ----------------------------------------------------------


@pytest.mark.parametrize("page", ALL_PAGES)
def test_officer_sees_every_page(as_officer, pages, page):
    response = as_officer.get(pages[page])
    assert response.status_code == 200
    assert response.context["compound"].name == "绿景水岸"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_secretary_sees_every_page(as_secretary, pages, page):
    assert as_secretary.get(pages[page]).status_code == 200


@pytest.mark.parametrize("page", READ_PAGES)
def test_volunteer_reads_registry_pages(as_volunteer, pages, page):
    response = as_volunteer.get(pages[page])
    assert response.status_code == 200
    assert response.context["personal"] is False
    # base.html shows the compound tabs when the context has a compound.
    assert b'class="tabs"' in response.content


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_volunteer_cannot_open_create_or_edit_pages(as_volunteer, pages, page):
    assert as_volunteer.get(pages[page]).status_code == 403


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_volunteer_cannot_post_create_or_edit(as_volunteer, pages, page, resident_a):
    before = (Household.objects.count(), Resident.objects.count(), AuditEntry.objects.count())
    response = as_volunteer.post(pages[page], resident_post(name="偷改", room="999"))
    assert response.status_code == 403
    assert (Household.objects.count(), Resident.objects.count(), AuditEntry.objects.count()) == (
        before
    )
    resident_a.refresh_from_db()
    assert resident_a.name == "张小流"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_volunteer_of_another_compound_gets_404(as_volunteer_b, pages, page):
    assert as_volunteer_b.get(pages[page]).status_code == 404


@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_is_sent_to_login(client, pages, page):
    response = client.get(pages[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_household_of_another_compound_is_404_under_this_compound(
    as_officer, compound_a, household_b
):
    # The officer sees both compounds, but B's household is not reachable through A's URLs.
    f.resident(household=household_b, name="外人")
    assert as_officer.get(url("household", compound_a.pk, household_b.pk)).status_code == 404
    assert as_officer.get(url("household-edit", compound_a.pk, household_b.pk)).status_code == 404
    resident_b = household_b.residents.get()
    assert as_officer.get(url("resident-edit", compound_a.pk, resident_b.pk)).status_code == 404


def test_building_of_another_compound_is_404(as_officer, compound_a, building_b):
    assert as_officer.get(url("building", compound_a.pk, building_b.pk)).status_code == 404


# --- Personal data ---------------------------------------------------------------------


def test_volunteer_sees_masked_id_and_phone(as_volunteer, compound_a, household_a, resident_a):
    response = as_volunteer.get(url("household", compound_a.pk, household_a.pk))
    body = response.content.decode()
    number, phone = resident_a.id_number, resident_a.phone
    assert number not in body
    assert phone not in body
    assert household_a.contact_phone not in body
    assert f"{number[:4]}{'*' * 10}{number[-4:]}" in body
    assert f"{phone[:3]}****{phone[-4:]}" in body
    assert "138****1234" in body


def test_secretary_sees_full_id_and_phone(as_secretary, compound_a, household_a, resident_a):
    body = as_secretary.get(url("household", compound_a.pk, household_a.pk)).content.decode()
    assert resident_a.id_number in body
    assert resident_a.phone in body
    assert household_a.contact_phone in body


@pytest.mark.parametrize("page", ["households", "building", "vulnerable", "returnees"])
def test_lists_mask_phones_for_volunteers(as_volunteer, pages, page, resident_a):
    resident_a.elderly_alone = resident_a.returnee = True
    resident_a.save()
    body = as_volunteer.get(pages[page]).content.decode()
    assert resident_a.phone not in body
    assert "13807901234" not in body
    assert resident_a.id_number not in body


def test_volunteer_sees_masked_phones_in_the_audit_trail(
    as_volunteer, secretary, compound_a, household_a, resident_a
):
    services.resident_update(resident=resident_a, actor=secretary, phone="13700009876")
    body = as_volunteer.get(url("household", compound_a.pk, household_a.pk)).content.decode()
    assert "13700009876" not in body
    assert "137****9876" in body


# --- Household detail ------------------------------------------------------------------


def test_household_page_shows_residents_flags_links_and_audit(
    as_secretary, secretary, compound_a, household_a, resident_a
):
    services.resident_update(resident=resident_a, actor=secretary, elderly_alone=True)
    response = as_secretary.get(url("household", compound_a.pk, household_a.pk))
    body = response.content.decode()
    assert "张小流" in body
    assert "flag-elderly_alone" in body
    assert reverse("checkpoints:household-card", args=[compound_a.pk, household_a.pk]) in body
    assert reverse("checkpoints:household-history", args=[compound_a.pk, household_a.pk]) in body
    assert url("resident-edit", compound_a.pk, resident_a.pk) in body
    assert url("resident-create", compound_a.pk, household_a.pk) in body
    assert url("household-edit", compound_a.pk, household_a.pk) in body
    # Who, when, what changed.
    assert "resident changed" in body
    assert "secretary" in body
    assert "elderly living alone" in body
    assert len(response.context["audit"]) == 1


def test_household_page_hides_manage_links_from_volunteers(
    as_volunteer, compound_a, household_a, resident_a
):
    body = as_volunteer.get(url("household", compound_a.pk, household_a.pk)).content.decode()
    assert url("resident-edit", compound_a.pk, resident_a.pk) not in body
    assert url("household-edit", compound_a.pk, household_a.pk) not in body
    assert reverse("checkpoints:household-card", args=[compound_a.pk, household_a.pk]) not in body
    assert reverse("checkpoints:household-history", args=[compound_a.pk, household_a.pk]) in body


# --- Households list and search -----------------------------------------------------------


def test_households_search_finds_by_address(as_volunteer, compound_a, household_a, building_a):
    f.household(building=building_a, room="301")
    response = as_volunteer.get(url("households", compound_a.pk), {"q": "20-1702"})
    assert [h.address for h in response.context["page"].object_list] == ["20-1702"]
    assert url("household", compound_a.pk, household_a.pk) in response.content.decode()


def test_households_search_by_name(as_volunteer, compound_a, household_a, resident_a):
    response = as_volunteer.get(url("households", compound_a.pk), {"q": "小流"})
    assert [h.pk for h in response.context["page"].object_list] == [household_a.pk]


def test_households_search_with_no_match_says_so(as_volunteer, compound_a, household_a):
    response = as_volunteer.get(url("households", compound_a.pk), {"q": "99-9999"})
    assert list(response.context["page"].object_list) == []
    assert "No household matches" in response.content.decode()


# --- Searching by phone: only what the viewer can see ----------------------------------

PHONE = "15834315341"


@pytest.fixture
def phone_household(building_a):
    household = f.household(building=building_a, room="1801", contact_phone="13800000000")
    f.resident(household=household, name="刘芳", phone=PHONE)
    return household


def found(client, compound, query):
    response = client.get(url("households", compound.pk), {"q": query})
    assert response.status_code == 200
    return [h.pk for h in response.context["page"].object_list]


def test_volunteer_cannot_recover_a_phone_digit_by_digit(as_volunteer, compound_a, phone_household):
    # What the page shows the volunteer: 158****5341. The tail alone finds the household...
    assert found(as_volunteer, compound_a, PHONE[-4:]) == [phone_household.pk]
    # ...but no longer tail does, so guessing the hidden digits one by one learns nothing.
    for length in range(5, len(PHONE) + 1):
        assert found(as_volunteer, compound_a, PHONE[-length:]) == [], PHONE[-length:]


def test_volunteer_search_by_a_full_number_finds_nothing(as_volunteer, compound_a, phone_household):
    assert found(as_volunteer, compound_a, PHONE) == []
    assert found(as_volunteer, compound_a, phone_household.contact_phone) == []


@pytest.mark.parametrize("who", ["as_secretary", "as_officer"])
def test_managers_search_by_any_tail_or_the_full_number(request, who, compound_a, phone_household):
    client = request.getfixturevalue(who)
    for length in (4, 5, 8, 11):
        assert found(client, compound_a, PHONE[-length:]) == [phone_household.pk]


def test_volunteer_phone_search_is_audited(as_volunteer, volunteer, compound_a, phone_household):
    found(as_volunteer, compound_a, "5341")
    entry = AuditEntry.objects.get(action="phone_search")
    assert (entry.actor, entry.compound_id, entry.changes) == (
        volunteer,
        compound_a.pk,
        {"query": "5341"},
    )
    assert entry.at is not None


def test_searches_that_do_not_touch_phones_are_not_audited(
    as_volunteer, as_secretary, compound_a, phone_household
):
    for query in ("刘芳", "20-1801", "158343", PHONE):
        found(as_volunteer, compound_a, query)
    found(as_secretary, compound_a, "5341")
    assert not AuditEntry.objects.filter(action="phone_search").exists()


def test_volunteer_phone_searches_over_the_limit_are_refused(
    as_volunteer, compound_a, phone_household, settings
):
    settings.PHONE_SEARCH_LIMIT = 2
    assert found(as_volunteer, compound_a, "5341") == [phone_household.pk]
    assert found(as_volunteer, compound_a, "9999") == []
    response = as_volunteer.get(url("households", compound_a.pk), {"q": "5341"})
    assert list(response.context["page"].object_list) == []
    body = response.content.decode()
    assert "Too many searches by phone digits" in body
    assert "20-1801" not in body
    # Names and addresses still work: only phone digits are limited.
    assert found(as_volunteer, compound_a, "刘芳") == [phone_household.pk]
    assert AuditEntry.objects.filter(action="phone_search").count() == 2


def test_phone_search_limit_is_per_user(
    as_volunteer, as_secretary, compound_a, phone_household, settings
):
    settings.PHONE_SEARCH_LIMIT = 1
    found(as_volunteer, compound_a, "5341")
    assert found(as_volunteer, compound_a, "5341") == []
    assert found(as_secretary, compound_a, "5341") == [phone_household.pk]


def test_households_list_is_paginated_by_50(as_volunteer, compound_a, building_a):
    for room in range(101, 161):
        f.household(building=building_a, room=str(room))
    first = as_volunteer.get(url("households", compound_a.pk))
    assert len(first.context["page"].object_list) == 50
    second = as_volunteer.get(url("households", compound_a.pk), {"page": 2})
    assert len(second.context["page"].object_list) == 10


def test_households_list_query_count_does_not_grow_with_rows(
    as_volunteer, compound_a, building_a, django_assert_max_num_queries
):
    unit = f.unit(building=building_a, number="1")
    for room in range(101, 161):
        h = f.household(building=building_a, unit=unit if room % 2 else None, room=str(room))
        f.resident(household=h, elderly_alone=room % 3 == 0, returnee=room % 5 == 0)
    with django_assert_max_num_queries(10):
        response = as_volunteer.get(url("households", compound_a.pk))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50


@pytest.mark.parametrize("page", ["buildings", "building", "vulnerable", "returnees"])
def test_other_lists_query_count_is_bounded(
    as_volunteer, pages, page, building_a, django_assert_max_num_queries
):
    for room in range(101, 131):
        h = f.household(building=building_a, room=str(room))
        f.resident(household=h, elderly_alone=True, returnee=True)
    with django_assert_max_num_queries(10):
        assert as_volunteer.get(pages[page]).status_code == 200


def test_household_page_query_count_is_bounded_and_does_not_grow_with_its_people(
    as_volunteer, secretary, compound_a, household_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = as_volunteer.get(url("household", compound_a.pk, household_a.pk))
        assert page.status_code == 200
        return len(queries)

    r = f.resident(household=household_a, name="家人")
    services.resident_update(resident=r, actor=secretary, note="n")
    one = page_queries()
    for n in range(6):
        r = f.resident(household=household_a, name=f"家人{n}")
        services.resident_update(resident=r, actor=secretary, note=f"n{n}")
    # The registry, the gate's card, the rounds' and the supplies' panels: a fixed cost.
    assert page_queries() == one <= 12


# --- Vulnerable and returnees ------------------------------------------------------------


def test_vulnerable_list_filters_by_kind(as_volunteer, compound_a, household_a):
    f.resident(household=household_a, name="老李", elderly_alone=True)
    f.resident(household=household_a, name="小宝", infant=True)
    f.resident(household=household_a, name="健康")
    all_ = as_volunteer.get(url("vulnerable", compound_a.pk))
    assert sorted(r.name for r in all_.context["page"].object_list) == ["小宝", "老李"]
    infants = as_volunteer.get(url("vulnerable", compound_a.pk), {"kind": "infant"})
    assert [r.name for r in infants.context["page"].object_list] == ["小宝"]


def test_returnee_list_shows_where_from_and_when(as_volunteer, compound_a, household_a):
    f.resident(
        household=household_a,
        name="返乡人",
        returnee=True,
        returned_from="武汉",
        returned_on="2020-01-22",
        return_transport="train",
        quarantine_until="2020-02-05",
    )
    body = as_volunteer.get(url("returnees", compound_a.pk)).content.decode()
    for text in ("返乡人", "武汉", "01-22", "train", "02-05", "20-1702"):
        assert text in body


# --- Household create and edit ------------------------------------------------------------


def test_secretary_creates_a_household(as_secretary, compound_a, building_a):
    unit = f.unit(building=building_a, number="2")
    response = as_secretary.post(
        url("household-create", compound_a.pk),
        {"building": building_a.pk, "unit": unit.pk, "room": "1801", "contact_phone": ""},
    )
    household = Household.objects.get(room="1801")
    assert response.status_code == 302
    assert response["Location"] == url("household", compound_a.pk, household.pk)
    assert household.compound == compound_a
    assert household.address == "20-2-1801"
    assert AuditEntry.objects.get(object_type="household", object_id=household.pk).changes == {
        "address": [None, "20-2-1801"]
    }


def test_household_form_offers_only_this_compounds_buildings(
    as_secretary, compound_a, building_a, building_b
):
    form = as_secretary.get(url("household-create", compound_a.pk)).context["form"]
    assert list(form.fields["building"].queryset) == [building_a]


def test_household_create_with_a_building_of_another_compound_saves_nothing(
    as_secretary, compound_a, building_b
):
    response = as_secretary.post(
        url("household-create", compound_a.pk), {"building": building_b.pk, "room": "101"}
    )
    assert response.status_code == 200
    assert "building" in response.context["form"].errors
    assert not Household.objects.filter(room="101").exists()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_household_create_with_a_unit_of_another_building_saves_nothing(
    as_secretary, compound_a, building_a
):
    other_unit = f.unit(building=f.building(compound=compound_a, number="21"), number="1")
    response = as_secretary.post(
        url("household-create", compound_a.pk),
        {"building": building_a.pk, "unit": other_unit.pk, "room": "101"},
    )
    assert response.status_code == 200
    assert "This unit is not in building 20." in response.context["form"].errors["unit"]
    assert not Household.objects.filter(room="101").exists()


def test_household_create_of_a_registered_address_saves_nothing(
    as_secretary, compound_a, household_a
):
    response = as_secretary.post(
        url("household-create", compound_a.pk),
        {"building": household_a.building_id, "room": "1702"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Household.objects.filter(room="1702").count() == 1


def test_household_create_needs_a_room(as_secretary, compound_a, building_a):
    response = as_secretary.post(
        url("household-create", compound_a.pk), {"building": building_a.pk}
    )
    assert response.status_code == 200
    assert "This field is required." in response.context["form"].errors["room"]
    assert not Household.objects.exists()


def test_secretary_edits_a_household(as_secretary, compound_a, household_a):
    response = as_secretary.post(
        url("household-edit", compound_a.pk, household_a.pk),
        {"building": household_a.building_id, "room": "1702", "contact_phone": "13600001111"},
    )
    assert response.status_code == 302
    household_a.refresh_from_db()
    assert household_a.contact_phone == "13600001111"
    entry = AuditEntry.objects.get(object_type="household", object_id=household_a.pk)
    assert entry.changes == {"contact_phone": ["13807901234", "13600001111"]}


def test_household_edit_with_a_bad_phone_saves_nothing(as_secretary, compound_a, household_a):
    response = as_secretary.post(
        url("household-edit", compound_a.pk, household_a.pk),
        {"building": household_a.building_id, "room": "1703", "contact_phone": "call me"},
    )
    assert response.status_code == 200
    assert (
        "Enter a phone number of digits only." in response.context["form"].errors["contact_phone"]
    )
    household_a.refresh_from_db()
    assert (household_a.room, household_a.contact_phone) == ("1702", "13807901234")
    assert not AuditEntry.objects.exclude(action="login").exists()


# --- Resident create and edit -------------------------------------------------------------


def test_secretary_adds_a_resident(as_secretary, compound_a, household_a):
    number = f.id_number(serial=404)
    response = as_secretary.post(
        url("resident-create", compound_a.pk, household_a.pk),
        resident_post(name="王芳", id_number=number.lower(), pregnant="on"),
    )
    assert response.status_code == 302
    # The ID number never goes into a URL.
    assert number not in response["Location"]
    assert number.lower() not in response["Location"]
    resident = household_a.residents.get(name="王芳")
    assert resident.id_number == number
    assert resident.pregnant
    entry = AuditEntry.objects.get(object_type="resident", object_id=resident.pk)
    assert entry.actor.username == "secretary"
    assert number not in str(entry.changes)


def test_resident_create_with_a_bad_id_number_saves_nothing(as_secretary, compound_a, household_a):
    good = f.id_number(serial=9)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    response = as_secretary.post(
        url("resident-create", compound_a.pk, household_a.pk),
        resident_post(name="王芳", id_number=bad),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["id_number"]
    assert "This ID card number's check digit is wrong; please check it again." in errors
    assert not Resident.objects.filter(name="王芳").exists()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_resident_create_with_a_name_already_there_shows_the_refusal(
    as_secretary, compound_a, household_a, resident_a
):
    response = as_secretary.post(
        url("resident-create", compound_a.pk, household_a.pk), resident_post(name="张小流")
    )
    assert response.status_code == 200
    assert (
        "张小流 is already registered in this household." in response.context["form"].errors["name"]
    )
    assert household_a.residents.count() == 1


def test_resident_create_with_an_id_registered_elsewhere_names_the_household_only(
    as_secretary, compound_a, building_a, resident_a
):
    other = f.household(building=building_a, room="301")
    response = as_secretary.post(
        url("resident-create", compound_a.pk, other.pk),
        resident_post(name="李四", id_number=resident_a.id_number),
    )
    assert response.status_code == 200
    message = response.context["form"].errors["id_number"][0]
    assert "20-1702" in message
    assert resident_a.id_number not in message
    assert not other.residents.exists()


def test_resident_create_rejects_return_details_without_returnee(
    as_secretary, compound_a, household_a
):
    response = as_secretary.post(
        url("resident-create", compound_a.pk, household_a.pk),
        resident_post(name="王芳", returned_from="武汉"),
    )
    assert response.status_code == 200
    assert "returnee" in response.context["form"].errors
    assert not Resident.objects.filter(name="王芳").exists()


def test_secretary_edits_a_resident_and_the_change_shows_on_the_household(
    as_secretary, compound_a, household_a, resident_a
):
    response = as_secretary.post(
        url("resident-edit", compound_a.pk, resident_a.pk),
        resident_post(
            name="张小流",
            phone="13700001234",
            id_number=resident_a.id_number,
            elderly_alone="on",
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("household", compound_a.pk, household_a.pk)
    resident_a.refresh_from_db()
    assert resident_a.phone == "13700001234"
    assert resident_a.elderly_alone
    body = response.content.decode()
    assert "13700001234" in body
    assert "flag-elderly_alone" in body
    entry = AuditEntry.objects.get(object_type="resident", object_id=resident_a.pk)
    assert set(entry.changes) >= {"phone", "elderly_alone"}
    assert escape("张小流 saved.") in body


def test_resident_edit_with_a_bad_phone_saves_nothing(
    as_secretary, compound_a, household_a, resident_a
):
    old = resident_a.phone
    response = as_secretary.post(
        url("resident-edit", compound_a.pk, resident_a.pk),
        resident_post(name="改名", phone="abc", id_number=resident_a.id_number),
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    resident_a.refresh_from_db()
    assert (resident_a.name, resident_a.phone) == ("张小流", old)
    assert not AuditEntry.objects.exclude(action="login").exists()
    # The heading keeps the saved name, not the rejected input.
    assert response.context["resident"].name == "张小流"


def test_resident_edit_form_shows_the_full_id_to_managers_only_in_the_body(
    as_secretary, compound_a, resident_a
):
    response = as_secretary.get(url("resident-edit", compound_a.pk, resident_a.pk))
    assert resident_a.id_number in response.content.decode()
    assert resident_a.id_number not in response.request["PATH_INFO"]


def test_search_by_id_number_is_refused_and_not_echoed(as_secretary, compound_a, resident_a):
    response = as_secretary.get(url("households", compound_a.pk), {"q": resident_a.id_number})
    assert response.status_code == 302
    assert response["Location"] == url("households", compound_a.pk)
    body = as_secretary.get(response["Location"]).content.decode()
    assert "not by ID card number" in body
    assert resident_a.id_number not in body
    # The search box itself asks the browser not to send such a query.
    assert 'pattern="(?!.*\\d{15}).*"' in body


# --- A fever alert's page ----------------------------------------------------------------


@pytest.fixture
def alert_a(compound_a, household_a, resident_a, volunteer):
    """Raised at a door visit: the page is the person's, whatever measured the fever."""
    return services.fever_alert_raise(
        compound=compound_a,
        source=FeverAlert.Source.DOOR_VISIT,
        resident=resident_a,
        temperature=Decimal("38.4"),
        actor=volunteer,
    )


def alert_url(alert):
    return url("alert", alert.compound_id, alert.pk)


def test_alert_page_shows_the_reading_who_and_where_it_was_taken(
    as_volunteer, alert_a, household_a
):
    response = as_volunteer.get(alert_url(alert_a))
    body = response.content.decode()
    assert "38.4" in body and household_a.address in body and "door visit" in body
    assert url("household", household_a.compound_id, household_a.pk) in body
    # Nothing of the gate's: it was not raised there.
    assert "南门" not in body


def test_alert_of_another_compound_is_404(as_volunteer_b, as_volunteer, alert_a, compound_b):
    assert as_volunteer_b.get(alert_url(alert_a)).status_code == 404
    inside_b = url("alert", compound_b.pk, alert_a.pk)
    assert as_volunteer.get(inside_b).status_code == 404


def test_secretary_records_the_steps_of_an_alert(as_secretary, alert_a):
    r = as_secretary.post(
        alert_url(alert_a), {"status": "remeasured", "temperature": "38.1", "note": "复测"}
    )
    assert r.status_code == 302
    as_secretary.post(alert_url(alert_a), {"status": "hospital", "note": "120 送定点医院"})
    as_secretary.post(alert_url(alert_a), {"status": "resolved"})
    steps = list(FeverAction.objects.filter(alert=alert_a).values_list("status", "temperature"))
    assert steps == [("remeasured", Decimal("38.1")), ("hospital", None), ("resolved", None)]
    alert_a.refresh_from_db()
    assert alert_a.status == "resolved"
    body = as_secretary.get(alert_url(alert_a)).content.decode()
    assert "120 送定点医院" in body and '<form method="post" novalidate>' not in body


def test_remeasured_without_a_reading_is_refused(as_secretary, alert_a):
    response = as_secretary.post(alert_url(alert_a), {"status": "remeasured"})
    assert response.status_code == 400
    assert response.context["form"].errors["temperature"]
    assert not FeverAction.objects.exists()


def test_a_resolved_alert_takes_no_more_steps(as_secretary, alert_a, secretary):
    services.fever_alert_handle(alert=alert_a, status="resolved", actor=secretary)
    response = as_secretary.post(alert_url(alert_a), {"status": "reported"})
    assert response.status_code == 400
    assert "already resolved" in str(response.context["form"].non_field_errors())
    assert FeverAction.objects.count() == 1


def test_volunteer_cannot_record_an_alert_step(as_volunteer, alert_a):
    response = as_volunteer.post(alert_url(alert_a), {"status": "resolved"})
    assert response.status_code == 403
    assert FeverAlert.objects.get(pk=alert_a.pk).status == "open"
