"""The gate phone's snapshot: what it holds, what it never holds, and its deltas."""

import json
from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone

from checkpoints.services import card_issue, passage_record
from checkpoints.snapshot import gate_snapshot, qr_hash
from residents.quarantine.services import quarantine_start
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(household_a, secretary):
    head = f.resident(household=household_a, name="蔡国强", sex="M", birth_year=1960)
    head.id_number = f.id_number("19600101")
    head.phone = "13800138000"
    head.save()
    child = f.resident(
        household=household_a, name="蔡小明", sex="M", birth_year=1990, relation="child"
    )
    card = f.card(household=household_a, actor=secretary)
    return head, child, card


def snapshot_url(compound) -> str:
    return reverse("gate-snapshot", kwargs={"compound_id": compound.pk})


def test_the_snapshot_holds_what_the_gate_decides_on_and_no_personal_data(
    as_volunteer, compound_a, family, gate_a, volunteer
):
    head, child, card = family
    passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("36.5"),
        actor=volunteer,
        client_id=uuid4(),
    )
    answer = as_volunteer.get(snapshot_url(compound_a))
    assert answer.status_code == 200
    data = answer.json()
    (household,) = data["households"]
    assert household["card"] == card.number
    assert household["qr"] == qr_hash(card.secret) and card.secret not in answer.content.decode()
    assert [m["name"] for m in household["members"]] == ["蔡**", "蔡**"]
    assert [m["relation"] for m in household["members"]] == ["head", "child"]
    assert len(data["exits"][str(household["id"])]) == 1
    assert data["rules"]["quota_days"] == 2 and data["gate_version"] >= 1
    text = json.dumps(data, ensure_ascii=False)
    for secret in (head.id_number, "13800138000", "蔡国强", "蔡小明"):
        assert secret not in text


def test_a_delta_holds_only_the_households_changed_since(
    compound_a, family, household_a, building_a, secretary
):
    other = f.household(building=building_a, room="0101")
    first = gate_snapshot(compound=compound_a)
    assert {h["id"] for h in first["households"]} == {household_a.pk, other.pk}
    since, at = first["gate_version"], timezone.now()
    assert gate_snapshot(compound=compound_a, since=since, exits_after=at)["households"] == []
    card_issue(household=other, actor=secretary)
    delta = gate_snapshot(compound=compound_a, since=since, exits_after=at)
    assert [h["id"] for h in delta["households"]] == [other.pk]
    assert delta["gate_version"] > since


def test_a_quarantine_set_reaches_the_next_delta(compound_a, family, secretary):
    head, _child, _card = family
    first = gate_snapshot(compound=compound_a)
    stay = quarantine_start(resident=head, actor=secretary, reason="returnee")
    until = stay.ends_on
    delta = gate_snapshot(
        compound=compound_a, since=first["gate_version"], exits_after=timezone.now()
    )
    (household,) = delta["households"]
    assert household["members"][0]["q"] == until.isoformat()


def test_another_compounds_snapshot_is_a_404(as_volunteer_b, compound_a):
    assert as_volunteer_b.get(snapshot_url(compound_a)).status_code == 404


def test_the_snapshot_costs_a_fixed_number_of_queries(
    compound_a, building_a, secretary, django_assert_max_num_queries
):
    for room in range(20):
        household = f.household(building=building_a, room=f"{room + 1:02d}01")
        f.resident(household=household)
        f.card(household=household, actor=secretary)
    with django_assert_max_num_queries(9):
        gate_snapshot(compound=compound_a)


def test_a_member_who_moved_out_leaves_the_snapshot_and_the_next_delta(
    compound_a, family, secretary
):
    from residents.services import resident_move_out

    head, child, _card = family
    first = gate_snapshot(compound=compound_a)
    resident_move_out(resident=child, actor=secretary)
    delta = gate_snapshot(
        compound=compound_a, since=first["gate_version"], exits_after=timezone.now()
    )
    (household,) = delta["households"]
    assert [m["id"] for m in household["members"]] == [head.pk]
