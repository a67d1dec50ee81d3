"""Quarantine pages: start, end-date changes, checks, close contacts, the named contact,
and the flags shown read-only everywhere else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from residents.models import Household, Resident
from residents.quarantine import services as q
from residents.quarantine.models import CloseContact, Quarantine
from tests import factories as f

TODAY = timezone.localdate


@pytest.fixture
def returnee(household_a):
    return f.resident(household=household_a, name="李返乡", returnee=True)


def test_the_secretary_starts_a_quarantine_from_the_page(as_secretary, returnee, compound_a):
    response = as_secretary.post(
        f"/c/{compound_a.pk}/residents/{returnee.pk}/quarantine/new/",
        {
            "reason": "returnee",
            "kind": "home",
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() + timedelta(days=14)).isoformat(),
            "confines_household": "on",
        },
    )
    assert response.status_code == 302
    assert Household.objects.get(pk=returnee.household_id).quarantine_until == TODAY() + timedelta(
        days=14
    )


def test_a_quarantine_ending_before_it_starts_is_refused_on_the_page(
    as_secretary, returnee, compound_a
):
    response = as_secretary.post(
        f"/c/{compound_a.pk}/residents/{returnee.pk}/quarantine/new/",
        {
            "reason": "returnee",
            "kind": "home",
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert not Quarantine.objects.exists()


def test_the_end_date_change_is_listed_with_its_reason(
    as_secretary, returnee, secretary, compound_a
):
    quarantine = q.quarantine_start(resident=returnee, actor=secretary, reason="returnee")
    page = f"/c/{compound_a.pk}/quarantine/{quarantine.pk}/"
    new_end = quarantine.ends_on + timedelta(days=3)
    response = as_secretary.post(
        page, {"action": "change", "ends_on": new_end.isoformat(), "reason": "同住人转阳"}
    )
    assert response.status_code == 302
    assert "同住人转阳" in as_secretary.get(page).content.decode()


def test_a_volunteer_records_todays_check_and_cannot_change_the_end(
    as_volunteer, returnee, secretary, compound_a
):
    quarantine = q.quarantine_start(resident=returnee, actor=secretary, reason="returnee")
    check = quarantine.checks.get(day=TODAY())
    response = as_volunteer.post(
        f"/c/{compound_a.pk}/quarantine/checks/{check.pk}/",
        {"temperature": "36.5", "method": "phone"},
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.checked_at and check.method == "phone"
    refused = as_volunteer.post(
        f"/c/{compound_a.pk}/quarantine/{quarantine.pk}/",
        {"action": "change", "ends_on": TODAY().isoformat(), "reason": "x"},
    )
    assert refused.status_code == 403


def test_the_board_lists_todays_checks_missed_ones_and_who_ends_today(
    as_volunteer, returnee, secretary, compound_a
):
    q.quarantine_start(
        resident=returnee,
        actor=secretary,
        reason="returnee",
        starts_on=TODAY() - timedelta(days=2),
        ends_on=TODAY(),
    )
    page = as_volunteer.get(f"/c/{compound_a.pk}/quarantine/").content.decode()
    assert page.count("李返乡") >= 3
    assert "Missed checks (2)" in page and "Due to end today (1)" in page


def test_forms_and_the_api_do_not_write_the_quarantine_flags(
    as_secretary, household_a, resident_a, compound_a
):
    until = (TODAY() + timedelta(days=9)).isoformat()
    as_secretary.post(
        f"/c/{compound_a.pk}/households/{household_a.pk}/edit/",
        {"building": household_a.building_id, "room": "1702", "quarantine_until": until},
    )
    as_secretary.patch(
        f"/api/v1/residents/{resident_a.pk}/",
        {"quarantine_until": until},
        content_type="application/json",
    )
    as_secretary.patch(
        f"/api/v1/households/{household_a.pk}/",
        {"quarantine_until": until},
        content_type="application/json",
    )
    assert Household.objects.get(pk=household_a.pk).quarantine_until is None
    assert Resident.objects.get(pk=resident_a.pk).quarantine_until is None


def test_a_close_contacts_quarantine_starts_in_one_action_from_the_page(
    as_secretary, returnee, household_a, compound_a
):
    contact = f.resident(household=household_a, name="王密接")
    response = as_secretary.post(
        f"/c/{compound_a.pk}/residents/{returnee.pk}/contacts/",
        {"contact": contact.pk, "last_contact_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    row = CloseContact.objects.get()
    response = as_secretary.post(f"/c/{compound_a.pk}/contacts/{row.pk}/quarantine/")
    assert response.status_code == 302
    assert Resident.objects.get(pk=contact.pk).quarantine_until == TODAY() + timedelta(days=14)


def test_the_named_contact_shows_on_the_household_page_and_the_handout(
    as_secretary, as_volunteer, household_a, secretary, compound_a
):
    branch = f.branch(compound=compound_a, secretary_user=secretary)
    member = branch.members.get(name="刘文峰")
    alone = f.resident(household=household_a, name="刘奶奶", elderly_alone=True)
    response = as_secretary.post(
        f"/c/{compound_a.pk}/residents/{alone.pk}/named-contact/", {"member": member.pk}
    )
    assert response.status_code == 302
    page = as_volunteer.get(f"/c/{compound_a.pk}/households/{household_a.pk}/").content.decode()
    assert 'class="named-contact">刘文峰<' in page
    handout = as_secretary.get(f"/c/{compound_a.pk}/residents/{alone.pk}/handout/").content.decode()
    assert "刘文峰" in handout and member.phone in handout


def test_a_central_stay_shows_on_the_sites_board_to_its_roles_and_at_home(
    returnee, secretary, community, compound_a, as_secretary, client
):
    from compounds.models import Compound

    site = f.compound(community=community, name="颐和医院", kind=Compound.Kind.SITE)
    doctor = f.user("site-lead")
    f.role(user=doctor, kind="secretary", compound=site)
    stay = q.quarantine_start(
        resident=returnee, actor=secretary, reason="close_contact", kind="central", site=site
    )
    client.force_login(doctor)
    board = client.get(f"/c/{site.pk}/quarantine/").content.decode()
    assert "李返乡" in board and compound_a.name in board
    assert client.get(f"/c/{site.pk}/quarantine/{stay.pk}/").status_code == 200
    assert client.get(f"/c/{compound_a.pk}/quarantine/{stay.pk}/").status_code == 404
    assert "李返乡" in as_secretary.get(f"/c/{compound_a.pk}/quarantine/").content.decode()


def test_the_boards_queries_do_not_grow_with_the_people(
    as_volunteer, household_a, secretary, compound_a, django_assert_max_num_queries
):
    for n in range(6):
        person = f.resident(household=household_a, name=f"隔离{n}")
        q.quarantine_start(resident=person, actor=secretary, reason="returnee")
    as_volunteer.get(f"/c/{compound_a.pk}/quarantine/")
    with django_assert_max_num_queries(14):
        page = as_volunteer.get(f"/c/{compound_a.pk}/quarantine/").content.decode()
    assert page.count("隔离5") == 2  # today's check and the list of everyone in
