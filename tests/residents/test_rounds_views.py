"""Rounds' pages and the visits' upload API: who may do what, and what the pages show."""

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from compounds.models import BranchMember, Capability
from residents.models import Resident
from residents.rounds import services as rounds
from residents.rounds.models import Round, Visit
from tests import factories as f

TODAY = timezone.localdate


@pytest.fixture
def stair(building_a):
    unit = f.unit(building=building_a, number="1")
    flats = [f.household(building=building_a, unit=unit, room=r) for r in ("101", "201", "301")]
    for h in flats:
        f.resident(household=h, name=f"住户{h.room}")
    return {"unit": unit, "flats": flats}


@pytest.fixture
def round_a(stair, compound_a, secretary):
    round_, _ = rounds.round_open(
        compound=compound_a,
        actor=secretary,
        number=4,
        title="第4轮全面排查",
        starts_on=TODAY(),
        ends_on=TODAY() + timedelta(days=2),
    )
    return round_


@pytest.fixture
def assigned(round_a, stair, compound_a, secretary, volunteer):
    branch = f.branch(compound=compound_a, secretary_user=secretary)
    member = BranchMember.objects.create(branch=branch, user=volunteer, name="小王")
    rounds.assignment_set(
        round_=round_a,
        actor=secretary,
        member=member,
        building=stair["unit"].building,
        unit=stair["unit"],
    )
    return member


def url(compound, round_, *rest):
    tail = "/".join(str(p) for p in rest)
    return f"/c/{compound.pk}/rounds/{round_.pk}/" + (f"{tail}/" if tail else "")


def test_the_secretary_opens_a_round_from_the_page(as_secretary, stair, compound_a):
    response = as_secretary.post(
        f"/c/{compound_a.pk}/rounds/new/",
        {
            "number": 4,
            "title": "第4轮全面排查",
            "starts_on": TODAY().isoformat(),
            "ends_on": TODAY().isoformat(),
            "scope": "whole",
        },
    )
    assert response.status_code == 302
    assert Visit.objects.filter(round__number=4, result="pending").count() == 3


def test_a_round_ending_before_it_starts_is_refused_on_the_page(as_secretary, stair, compound_a):
    response = as_secretary.post(
        f"/c/{compound_a.pk}/rounds/new/",
        {
            "number": 4,
            "title": "x",
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() - timedelta(days=1)).isoformat(),
            "scope": "whole",
        },
    )
    assert response.status_code == 200 and not Round.objects.exists()
    assert "cannot end before it starts" in response.content.decode()


def test_a_volunteer_records_a_visit_on_the_page(
    as_volunteer, round_a, assigned, stair, compound_a
):
    flat = stair["flats"][0]
    person = flat.residents.get()
    response = as_volunteer.post(
        url(compound_a, round_a, "visits", flat.pk),
        {"result": "everyone", "present": [person.pk], "temperature": "36.6"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get(round=round_a, household=flat)
    assert (visit.result, visit.colour, visit.present) == ("everyone", "red", [person.pk])


def test_a_volunteer_outside_their_assignment_is_refused_and_nothing_is_saved(
    as_volunteer, round_a, stair, compound_a
):
    flat = stair["flats"][0]
    page = as_volunteer.get(url(compound_a, round_a, "visits", flat.pk)).content.decode()
    assert 'id="not-assigned"' in page and 'id="visit-form"' not in page
    response = as_volunteer.post(
        url(compound_a, round_a, "visits", flat.pk), {"result": "everyone"}
    )
    assert response.status_code == 400
    assert "assigned to you" in response.content.decode()
    assert Visit.objects.get(round=round_a, household=flat).result == "pending"


def test_a_temperature_out_of_range_on_the_visit_page_is_refused(
    as_secretary, round_a, stair, compound_a
):
    flat = stair["flats"][0]
    response = as_secretary.post(
        url(compound_a, round_a, "visits", flat.pk), {"result": "everyone", "temperature": "44"}
    )
    assert response.status_code == 400
    assert "34.0–43.0" in response.content.decode()
    assert Visit.objects.get(round=round_a, household=flat).result == "pending"


def test_a_household_outside_the_round_has_no_visit_page(
    as_secretary, round_a, compound_a, building_a
):
    outside = f.household(building=f.building(compound=compound_a, number="21"), room="101")
    assert as_secretary.get(url(compound_a, round_a, "visits", outside.pk)).status_code == 404


def test_my_doors_lists_only_my_units_in_door_order(
    as_volunteer, round_a, assigned, stair, compound_a, building_a, secretary
):
    other_unit = f.unit(building=building_a, number="2")
    f.household(building=building_a, unit=other_unit, room="101")
    rounds.round_open(
        compound=compound_a,
        actor=secretary,
        number=4,
        title="x",
        starts_on=TODAY(),
        ends_on=TODAY(),
    )
    page = as_volunteer.get(url(compound_a, round_a, "visits")).content.decode()
    assert re.findall(r'id="door-(\d+)"', page) == [str(h.pk) for h in stair["flats"]]


def test_the_coverage_grid_shows_the_visits(as_volunteer, round_a, stair, compound_a, secretary):
    flat = stair["flats"][1]
    rounds.visit_record(
        visit=rounds.visit_for(round_=round_a, household_id=flat.pk),
        actor=secretary,
        client_id=uuid4(),
        result="nobody",
    )
    page = as_volunteer.get(url(compound_a, round_a)).content.decode()
    assert f'class="cell nobody card-yellow" data-household="{flat.pk}"' in page
    assert 'id="count-nobody">1<' in page and 'id="count-pending">2<' in page


def test_closing_with_unexplained_misses_is_refused_on_the_page(as_secretary, round_a, compound_a):
    response = as_secretary.post(url(compound_a, round_a, "close"), {"all_reason": ""})
    assert response.status_code == 400
    assert "Say why 3 households were not visited" in response.content.decode()
    round_a.refresh_from_db()
    assert not round_a.closed
    response = as_secretary.post(url(compound_a, round_a, "close"), {"all_reason": "出差未归"})
    round_a.refresh_from_db()
    assert response.status_code == 302 and round_a.closed


def test_door_cards_carry_no_name_no_phone_and_nothing_about_the_vulnerable(
    as_secretary, round_a, stair, compound_a, secretary, building_a
):
    flat = stair["flats"][0]
    alone = f.resident(household=flat, name="孤老刘奶奶", elderly_alone=True, phone="13912345678")
    rounds.visit_record(
        visit=rounds.visit_for(round_=round_a, household_id=flat.pk),
        actor=secretary,
        client_id=uuid4(),
        result="everyone",
        present=[alone.pk],
    )
    whole = as_secretary.get(url(compound_a, round_a, "cards", building_a.pk)).content.decode()
    page = whole[whole.index('class="door-sheet"') :]
    assert "不出门 不集会 戴口罩 勤洗手 常通风" in page
    assert flat.address in page and 'data-colour="red"' in page
    for secret in ("孤老刘奶奶", "13912345678", flat.contact_phone, "elderly", "vulnerable"):
        assert secret not in page
    capability = Capability.objects.get(purpose="door_card")
    assert capability.compound_id == compound_a.pk


def test_the_door_cards_qr_opens_the_public_hotlines_page_only(client, compound_a, secretary):
    from compounds.capabilities import capability_issue
    from residents.rounds.cards import DOOR_CARD

    compound_a.supplies_hotline = "0790-1234567"
    compound_a.save()
    _cap, token = capability_issue(purpose=DOOR_CARD, actor=secretary, obj=compound_a)
    page = client.get(f"/hotlines/{token}/").content.decode()
    assert "0790-1234567" in page and compound_a.name in page
    assert client.get(f"/hotlines/{token[:-2]}xx/").status_code == 404


def test_an_upload_sent_twice_is_written_once_and_answers_the_same(
    as_volunteer, round_a, assigned, stair, compound_a
):
    flat = stair["flats"][2]
    body = {
        "client_id": str(uuid4()),
        "round": round_a.pk,
        "household": flat.pk,
        "result": "nobody",
    }
    first = as_volunteer.post("/api/v1/visits/", body, content_type="application/json")
    second = as_volunteer.post("/api/v1/visits/", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["colour"] == second.json()["colour"] == "yellow"
    assert Visit.objects.get(round=round_a, household=flat).attempts.count() == 1


def test_an_upload_outside_the_assignment_is_refused_with_its_code(
    as_volunteer, round_a, stair, compound_a
):
    body = {
        "client_id": str(uuid4()),
        "round": round_a.pk,
        "household": stair["flats"][0].pk,
        "result": "everyone",
    }
    response = as_volunteer.post("/api/v1/visits/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "visit_not_assigned"


def test_an_upload_to_another_compounds_round_is_404(as_volunteer_b, round_a, stair):
    body = {
        "client_id": str(uuid4()),
        "round": round_a.pk,
        "household": stair["flats"][0].pk,
        "result": "everyone",
    }
    response = as_volunteer_b.post("/api/v1/visits/", body, content_type="application/json")
    assert response.status_code == 404


def test_a_return_date_in_the_future_is_refused_by_the_upload(as_secretary, round_a, stair):
    body = {
        "client_id": str(uuid4()),
        "round": round_a.pk,
        "household": stair["flats"][0].pk,
        "result": "everyone",
        "returnee": True,
        "returned_on": (TODAY() + timedelta(days=2)).isoformat(),
    }
    response = as_secretary.post("/api/v1/visits/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "returned_on_future"
    assert not Resident.objects.filter(moved_out_on__isnull=False).exists()


def test_the_visit_sheet_lists_the_units_households(
    as_volunteer, round_a, stair, compound_a, building_a
):
    page = as_volunteer.get(
        url(compound_a, round_a, "sheet", building_a.pk) + f"?unit={stair['unit'].pk}"
    ).content.decode()
    for flat in stair["flats"]:
        assert flat.address in page


def test_a_resident_found_moved_out_leaves_the_vulnerable_list(
    as_secretary, round_a, stair, compound_a, secretary
):
    flat = stair["flats"][0]
    alone = f.resident(household=flat, name="搬走的老人", elderly_alone=True)
    rounds.visit_record(
        visit=rounds.visit_for(round_=round_a, household_id=flat.pk),
        actor=secretary,
        client_id=uuid4(),
        result="some",
        moved_out=[alone.pk],
    )
    page = as_secretary.get(f"/c/{compound_a.pk}/vulnerable/").content.decode()
    assert "搬走的老人" not in page
    household = as_secretary.get(f"/c/{compound_a.pk}/households/{flat.pk}/").content.decode()
    assert "搬走的老人" in household and "moved-out" in household


def test_the_list_of_doors_holds_a_form_per_door_that_posts_without_javascript(
    as_volunteer, round_a, assigned, stair, compound_a
):
    flat = stair["flats"][1]
    page = as_volunteer.get(url(compound_a, round_a, "visits")).content.decode()
    assert page.count('class="card registry-form visit-form"') == 3
    assert f'name="h{flat.pk}-result"' in page
    response = as_volunteer.post(
        url(compound_a, round_a, "visits", flat.pk),
        {"prefix": f"h{flat.pk}", f"h{flat.pk}-result": "nobody"},
    )
    assert response.status_code == 302
    assert Visit.objects.get(round=round_a, household=flat).colour == "yellow"


def test_the_household_page_shows_its_visits_of_the_rounds(
    as_volunteer, round_a, stair, compound_a, secretary
):
    flat = stair["flats"][0]
    rounds.visit_record(
        visit=rounds.visit_for(round_=round_a, household_id=flat.pk),
        actor=secretary,
        client_id=uuid4(),
        result="nobody",
    )
    page = as_volunteer.get(f"/c/{compound_a.pk}/households/{flat.pk}/").content.decode()
    section = page[page.index('id="household-visits"') :]
    assert "第4轮全面排查" in section and "card-yellow" in section


def test_assigning_a_member_the_roster_refuses_shows_its_message_not_an_error_page(
    as_secretary, round_a, stair, compound_a, secretary
):
    branch = f.branch(compound=compound_a, secretary_user=secretary)
    gone = BranchMember.objects.create(branch=branch, name="老李", active=False)
    response = as_secretary.post(
        url(compound_a, round_a, "assign"),
        {"member": gone.pk, "place": f"u{stair['unit'].pk}"},
    )
    assert response.status_code == 200
    refusals = response.context["form"].errors.as_data().get("__all__", [])
    assert [e.code for e in refusals] == ["person_inactive"]
    assert not round_a.assignments.exists()
