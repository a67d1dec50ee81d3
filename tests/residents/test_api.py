"""Registry API: /api/v1/households/ and /api/v1/residents/ for the whole cast."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from compounds.models import AuditEntry
from residents.models import Household, Resident
from residents.validators import mask_id_number, mask_phone
from tests import factories as f

HOUSEHOLDS = "/api/v1/households/"
RESIDENTS = "/api/v1/residents/"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def new_resident(household, **extra):
    data = {
        "household": household.pk,
        "name": "李春华",
        "sex": "F",
        "birth_year": 1962,
        "relation": "spouse",
        "phone": "13907905555",
        "id_number": f.id_number("19620304", 222),
        "chronic_illness": True,
    }
    data.update(extra)
    return data


@pytest.fixture
def resident_b(household_b):
    return f.resident(household=household_b, name="王南嘉")


# --- who sees what ----------------------------------------------------------------------


def test_officer_lists_households_of_every_compound_of_the_community(
    as_officer, household_a, household_b
):
    assert ids(as_officer.get(HOUSEHOLDS)) == {household_a.pk, household_b.pk}


@pytest.mark.parametrize("who", ["as_secretary", "as_volunteer"])
def test_team_of_a_lists_only_a(request, who, resident_a, resident_b):
    client = request.getfixturevalue(who)
    assert ids(client.get(HOUSEHOLDS)) == {resident_a.household_id}
    assert ids(client.get(RESIDENTS)) == {resident_a.pk}


def test_volunteer_of_b_does_not_see_a_in_lists(as_volunteer_b, resident_a, resident_b):
    assert ids(as_volunteer_b.get(HOUSEHOLDS)) == {resident_b.household_id}
    assert ids(as_volunteer_b.get(RESIDENTS)) == {resident_b.pk}
    assert ids(as_volunteer_b.get(f"{RESIDENTS}?search=张小流")) == set()


def test_volunteer_of_b_gets_404_for_a(as_volunteer_b, resident_a):
    assert as_volunteer_b.get(f"{HOUSEHOLDS}{resident_a.household_id}/").status_code == 404
    assert as_volunteer_b.get(f"{RESIDENTS}{resident_a.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["as_officer", "as_secretary", "as_volunteer"])
def test_cast_of_a_reads_household_and_resident_of_a(request, who, resident_a):
    client = request.getfixturevalue(who)
    household = client.get(f"{HOUSEHOLDS}{resident_a.household_id}/").json()
    assert household["address"] == "20-1702" and household["resident_count"] == 1
    resident = client.get(f"{RESIDENTS}{resident_a.pk}/").json()
    assert resident["name"] == "张小流" and resident["address"] == "20-1702"


@pytest.mark.parametrize("url", [HOUSEHOLDS, RESIDENTS])
def test_anonymous_is_refused(client, resident_a, url):
    assert client.get(url).status_code == 401
    assert post(client, url, {}).status_code == 401


def test_token_auth_works(volunteer, resident_a):
    token = Token.objects.create(user=volunteer)
    c = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(c.get(RESIDENTS)) == {resident_a.pk}


# --- masking ----------------------------------------------------------------------------


def test_volunteer_sees_masked_id_and_phones(as_volunteer, resident_a):
    row = as_volunteer.get(RESIDENTS).json()["results"][0]
    assert row["id_number"] == mask_id_number(resident_a.id_number) != resident_a.id_number
    assert row["phone"] == mask_phone(resident_a.phone) != resident_a.phone
    detail = as_volunteer.get(f"{RESIDENTS}{resident_a.pk}/").json()
    assert resident_a.id_number not in str(detail) and resident_a.phone not in str(detail)
    household = as_volunteer.get(f"{HOUSEHOLDS}{resident_a.household_id}/").json()
    assert household["contact_phone"] == mask_phone(resident_a.household.contact_phone)


@pytest.mark.parametrize("who", ["as_officer", "as_secretary"])
def test_managers_see_full_numbers(request, who, resident_a):
    row = request.getfixturevalue(who).get(f"{RESIDENTS}{resident_a.pk}/").json()
    assert row["id_number"] == resident_a.id_number
    assert row["phone"] == resident_a.phone


def test_masking_follows_the_compound_of_each_row(resident_a, resident_b, secretary):
    # Secretary of A who is also a volunteer in B: full numbers in A, masked in B.
    f.role(user=secretary, kind="volunteer", compound=resident_b.household.compound)
    c = Client()
    c.force_login(secretary)
    rows = {r["id"]: r for r in c.get(RESIDENTS).json()["results"]}
    assert rows[resident_a.pk]["id_number"] == resident_a.id_number
    assert rows[resident_b.pk]["id_number"] == mask_id_number(resident_b.id_number)


# --- filters, search, pagination --------------------------------------------------------


def test_residents_filter_by_flags(as_secretary, household_a, resident_a):
    returnee = f.resident(household=household_a, name="张返乡", returnee=True)
    alone = f.resident(household=household_a, name="张独居", elderly_alone=True)
    assert ids(as_secretary.get(f"{RESIDENTS}?returnee=true")) == {returnee.pk}
    assert ids(as_secretary.get(f"{RESIDENTS}?elderly_alone=true")) == {alone.pk}
    assert ids(as_secretary.get(f"{RESIDENTS}?vulnerable=true")) == {alone.pk}
    assert ids(as_secretary.get(f"{RESIDENTS}?returnee=false")) == {resident_a.pk, alone.pk}


def test_residents_filter_by_compound_and_building(as_officer, resident_a, resident_b):
    a = resident_a.household
    assert ids(as_officer.get(f"{RESIDENTS}?compound={a.compound_id}")) == {resident_a.pk}
    assert ids(as_officer.get(f"{RESIDENTS}?building={a.building_id}")) == {resident_a.pk}
    assert ids(as_officer.get(f"{RESIDENTS}?household={resident_b.household_id}")) == {
        resident_b.pk
    }


def test_search_by_name_and_room(as_officer, resident_a, resident_b):
    assert ids(as_officer.get(f"{RESIDENTS}?search=小流")) == {resident_a.pk}
    assert ids(as_officer.get(f"{HOUSEHOLDS}?search=1702")) == {resident_a.household_id}
    assert ids(as_officer.get(f"{HOUSEHOLDS}?search=王南嘉")) == {resident_b.household_id}


# --- ?search= by phone digits: only what the caller can see -----------------------------

PHONE = "15834315341"


@pytest.fixture
def phone_resident(building_a):
    household = f.household(building=building_a, room="1801", contact_phone="13800000000")
    return f.resident(household=household, name="刘芳", phone=PHONE)


def search(client, url, query):
    return ids(client.get(url, {"search": query}))


def test_api_search_by_the_last_four_digits_finds_the_phone(as_volunteer, phone_resident):
    assert search(as_volunteer, HOUSEHOLDS, "5341") == {phone_resident.household_id}
    assert search(as_volunteer, RESIDENTS, "5341") == {phone_resident.pk}


@pytest.mark.parametrize("url", [HOUSEHOLDS, RESIDENTS])
def test_api_volunteer_cannot_recover_a_phone_digit_by_digit(as_volunteer, phone_resident, url):
    for length in range(5, len(PHONE) + 1):
        assert search(as_volunteer, url, PHONE[-length:]) == set(), PHONE[-length:]


@pytest.mark.parametrize("who", ["as_secretary", "as_officer"])
def test_api_managers_search_by_any_tail_or_the_full_number(request, who, phone_resident):
    client = request.getfixturevalue(who)
    for length in (4, 5, 8, 11):
        assert search(client, HOUSEHOLDS, PHONE[-length:]) == {phone_resident.household_id}
        assert search(client, RESIDENTS, PHONE[-length:]) == {phone_resident.pk}


def test_api_long_tails_match_only_where_the_caller_sees_full_numbers(
    secretary, compound_b, phone_resident, household_b
):
    f.role(user=secretary, kind="volunteer", compound=compound_b)
    in_b = f.resident(household=household_b, name="王南嘉", phone="13900015341")
    client = Client()
    client.force_login(secretary)
    assert search(client, RESIDENTS, "15341") == {phone_resident.pk}
    assert search(client, RESIDENTS, "5341") == {phone_resident.pk, in_b.pk}
    entry = AuditEntry.objects.get(action="phone_search")
    assert (entry.actor, entry.compound_id) == (secretary, compound_b.pk)


def test_api_phone_search_is_audited_and_name_search_is_not(
    as_volunteer, volunteer, compound_a, phone_resident
):
    search(as_volunteer, RESIDENTS, "刘芳")
    search(as_volunteer, RESIDENTS, "5341")
    entry = AuditEntry.objects.get(action="phone_search")
    assert (entry.actor, entry.compound_id, entry.changes) == (
        volunteer,
        compound_a.pk,
        {"query": "5341"},
    )


def test_api_phone_searches_over_the_limit_answer_429(as_volunteer, phone_resident, settings):
    settings.PHONE_SEARCH_LIMIT = 1
    search(as_volunteer, HOUSEHOLDS, "5341")
    response = as_volunteer.get(RESIDENTS, {"search": "5341"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "search_rate_limited"
    assert "Too many searches by phone digits" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 3600
    assert body["retry_after"] == int(response["Retry-After"])
    assert "results" not in body
    # Names still answer: only phone digits are limited.
    assert search(as_volunteer, RESIDENTS, "刘芳") == {phone_resident.pk}


def test_households_filter_by_quarantine(as_secretary, household_a, building_a):
    from datetime import timedelta

    from django.utils import timezone

    quarantined = f.household(
        building=building_a,
        room="1801",
        quarantine_until=timezone.localdate() + timedelta(days=5),
    )
    assert ids(as_secretary.get(f"{HOUSEHOLDS}?in_quarantine=true")) == {quarantined.pk}
    assert ids(as_secretary.get(f"{HOUSEHOLDS}?in_quarantine=false")) == {household_a.pk}


def test_filter_on_a_household_of_another_compound_is_400(as_volunteer_b, resident_a):
    response = as_volunteer_b.get(f"{RESIDENTS}?household={resident_a.household_id}")
    assert response.status_code == 400 and "household" in response.json()


def test_residents_are_paginated_in_constant_queries(
    as_volunteer, household_a, django_assert_max_num_queries
):
    for n in range(60):
        f.resident(household=household_a, name=f"住户{n}")
    with django_assert_max_num_queries(8):
        page = as_volunteer.get(RESIDENTS).json()
    assert page["count"] == 60 and len(page["results"]) == 50 and page["next"]
    assert len(as_volunteer.get(page["next"]).json()["results"]) == 10


# --- writes -----------------------------------------------------------------------------


def test_secretary_creates_a_household_through_the_service(as_secretary, building_a, secretary):
    response = post(
        as_secretary,
        HOUSEHOLDS,
        {"building": building_a.pk, "room": " 1801 ", "contact_phone": "13907901111"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["address"] == "20-1801" and body["compound"] == building_a.compound_id
    assert body["contact_phone"] == "13907901111" and body["resident_count"] == 0
    entry = AuditEntry.objects.get(action="household_create")
    assert entry.actor == secretary and entry.object_id == body["id"]


def test_volunteer_cannot_create_a_household(as_volunteer, building_a):
    response = post(as_volunteer, HOUSEHOLDS, {"building": building_a.pk, "room": "1801"})
    assert response.status_code == 403
    assert not Household.objects.filter(room="1801").exists()


def test_manager_of_a_cannot_write_into_a_compound_they_only_volunteer_in(
    as_secretary, secretary, building_b
):
    f.role(user=secretary, kind="volunteer", compound=building_b.compound)
    response = post(as_secretary, HOUSEHOLDS, {"building": building_b.pk, "room": "302"})
    assert response.status_code == 403
    assert not Household.objects.filter(room="302").exists()


def test_secretary_cannot_create_in_a_compound_they_cannot_see(as_secretary, building_b):
    response = post(as_secretary, HOUSEHOLDS, {"building": building_b.pk, "room": "302"})
    assert response.status_code == 400 and "building" in response.json()
    assert not Household.objects.filter(room="302").exists()


def test_duplicate_address_is_400_with_the_field_and_code(as_secretary, household_a):
    response = post(as_secretary, HOUSEHOLDS, {"building": household_a.building_id, "room": "1702"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "household_exists" and body["room"]
    assert Household.objects.count() == 1


def test_secretary_updates_a_household(as_secretary, household_a):
    response = patch(as_secretary, f"{HOUSEHOLDS}{household_a.pk}/", {"note": "独居老人"})
    assert response.status_code == 200 and response.json()["note"] == "独居老人"
    assert AuditEntry.objects.get(action="household_update").changes["note"] == ["", "独居老人"]


def test_secretary_creates_a_resident(as_secretary, household_a):
    response = post(as_secretary, RESIDENTS, new_resident(household_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "李春华" and body["vulnerable"] is True
    assert body["id_number"] == new_resident(household_a)["id_number"]
    resident = Resident.objects.get(pk=body["id"])
    assert resident.household == household_a and resident.chronic_illness
    entry = AuditEntry.objects.get(action="resident_create")
    assert resident.id_number not in str(entry.changes)  # the audit log masks it


def test_officer_creates_a_resident_in_any_compound_of_the_community(as_officer, household_b):
    assert post(as_officer, RESIDENTS, new_resident(household_b)).status_code == 201


def test_volunteer_cannot_create_or_edit_residents(as_volunteer, household_a, resident_a):
    assert post(as_volunteer, RESIDENTS, new_resident(household_a)).status_code == 403
    response = patch(as_volunteer, f"{RESIDENTS}{resident_a.pk}/", {"name": "改名"})
    assert response.status_code == 403
    resident_a.refresh_from_db()
    assert resident_a.name == "张小流" and Resident.objects.count() == 1


def test_volunteer_of_b_gets_404_writing_to_a(as_volunteer_b, resident_b, resident_a):
    response = patch(as_volunteer_b, f"{RESIDENTS}{resident_a.pk}/", {"name": "改名"})
    assert response.status_code == 404


def test_secretary_of_a_gets_404_writing_to_b(as_secretary, resident_b):
    response = patch(as_secretary, f"{RESIDENTS}{resident_b.pk}/", {"name": "改名"})
    assert response.status_code == 404


def test_secretary_updates_a_resident_with_audit(as_secretary, resident_a):
    response = patch(
        as_secretary,
        f"{RESIDENTS}{resident_a.pk}/",
        {"returnee": True, "returned_from": "湖北武汉", "returned_on": "2020-01-22"},
    )
    assert response.status_code == 200, response.content
    resident_a.refresh_from_db()
    assert resident_a.returnee and resident_a.returned_from == "湖北武汉"
    changes = AuditEntry.objects.get(action="resident_update").changes
    assert changes["returnee"] == [False, True]


def test_resident_cannot_be_moved_to_another_household_by_update(
    as_secretary, resident_a, building_a
):
    other = f.household(building=building_a, room="0808")
    response = patch(as_secretary, f"{RESIDENTS}{resident_a.pk}/", {"household": other.pk})
    assert response.status_code == 200
    resident_a.refresh_from_db()
    assert resident_a.household_id != other.pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "360502198001011234"),  # wrong check digit
        ("id_number", "12345"),
        ("phone", "call me"),
        ("sex", "X"),
        ("relation", "boss"),
        ("name", ""),
        ("returned_on", "not-a-date"),
    ],
)
def test_bad_resident_input_is_400_with_field_errors_and_nothing_saved(
    as_secretary, household_a, field, value
):
    response = post(as_secretary, RESIDENTS, new_resident(household_a, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert not Resident.objects.exists()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_rules_of_the_service_come_back_as_field_errors(as_secretary, resident_a):
    same_name = new_resident(resident_a.household, name="张小流")
    response = post(as_secretary, RESIDENTS, same_name)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "resident_exists" and body["name"]
    same_id = new_resident(resident_a.household, id_number=resident_a.id_number)
    body = post(as_secretary, RESIDENTS, same_id).json()
    assert body["code"] == "id_number_registered" and body["id_number"]
    assert Resident.objects.count() == 1


def test_future_return_date_is_refused(as_secretary, household_a):
    response = post(
        as_secretary, RESIDENTS, new_resident(household_a, returnee=True, returned_on="2999-01-01")
    )
    assert response.status_code == 400
    assert response.json()["code"] == "returned_on_future"
    assert not Resident.objects.exists()


def test_lower_case_x_in_an_id_number_is_stored_upper_case(as_secretary, household_a):
    number = "36050219900101001X"  # a valid number whose check digit is X
    response = post(as_secretary, RESIDENTS, new_resident(household_a, id_number=number.lower()))
    assert response.status_code == 201, response.content
    assert Resident.objects.get().id_number == number
