"""The gate's reads: cards per household, print lists, passages, who is out and for how long."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkpoints import selectors, services
from checkpoints.models import CompoundRules
from tests import factories as f


@pytest.fixture
def card_a(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


@pytest.fixture
def record(gate_a, volunteer):
    def do(code, *, direction="out", temperature="36.5", when=None, opening=None):
        return services.passage_record(
            opening=opening or gate_a,
            code=code,
            direction=direction,
            temperature=Decimal(temperature),
            actor=volunteer,
            client_id=uuid.uuid4(),
            recorded_at=when,
        ).passage

    return do


def test_households_with_cards_shows_the_active_card_after_a_reissue(
    compound_a, household_a, card_a, secretary
):
    new = services.card_issue(household=household_a, actor=secretary, replace_reason="reissued")
    (row,) = selectors.households_with_cards(compound=compound_a)
    assert (row.card_number, row.card_state) == (new.number, "active")


def test_households_with_cards_shows_revoked_and_missing(compound_a, building_a, card_a):
    services.card_revoke(card=card_a, actor=None, reason="lost")
    f.household(building=building_a, room="1801")
    rows = {h.address: h.card_state for h in selectors.households_with_cards(compound=compound_a)}
    assert rows == {"20-1702": "revoked", "20-1801": None}


def test_households_with_cards_filters_by_building_and_compound(
    compound_a, household_a, household_b
):
    other = f.building(compound=compound_a, number="21")
    f.household(building=other, room="101")
    everyone = [h.address for h in selectors.households_with_cards(compound=compound_a)]
    assert everyone == ["20-1702", "21-101"]  # never compound B's household
    only_21 = selectors.households_with_cards(compound=compound_a, building_id=other.pk)
    assert [h.address for h in only_21] == ["21-101"]


def test_households_with_cards_is_one_query(compound_a, building_a, django_assert_num_queries):
    for n in range(5):
        f.card(household=f.household(building=building_a, room=f"{n + 1}01"))
    with django_assert_num_queries(1):
        rows = [
            (h.address, h.card_number) for h in selectors.households_with_cards(compound=compound_a)
        ]
    assert len(rows) == 5 and all(number for _, number in rows)


def test_household_cards_lists_every_card_newest_first(household_a, card_a, secretary):
    new = services.card_issue(household=household_a, actor=secretary, replace_reason="reissued")
    cards = selectors.household_cards(household=household_a)
    assert [c.number for c in cards] == [new.number, card_a.number]
    assert [c.state for c in cards] == ["active", "revoked"]


def test_cards_for_print_only_active_cards_of_the_compound(
    compound_a, household_a, household_b, card_a, building_a
):
    f.card(household=household_b)  # compound B
    lost = f.card(household=f.household(building=building_a, room="1801"))
    services.card_revoke(card=lost, actor=None, reason="lost")
    assert [c.number for c in selectors.cards_for_print(compound=compound_a)] == [card_a.number]
    only = selectors.cards_for_print(compound=compound_a, household_id=household_a.pk)
    assert [c.number for c in only] == [card_a.number]
    other = f.building(compound=compound_a, number="21")
    assert list(selectors.cards_for_print(compound=compound_a, building_id=other.pk)) == []


def test_cards_for_print_cannot_reach_another_compounds_household(compound_a, household_b):
    f.card(household=household_b)
    assert list(selectors.cards_for_print(compound=compound_a, household_id=household_b.pk)) == []


def test_household_passages_newest_first(household_a, card_a, record):
    first = record(card_a.number, when=timezone.now() - timedelta(hours=2))
    second = record(card_a.number, direction="in")
    assert list(selectors.household_passages(household=household_a)) == [second, first]


def test_overdue_since_follows_the_rules(compound_a):
    CompoundRules.objects.filter(compound=compound_a).update(max_minutes_out=90)
    compound_a.refresh_from_db()
    now = timezone.now()
    assert selectors.overdue_since(compound=compound_a, at=now) == now - timedelta(minutes=90)


def test_households_out_now_drops_a_household_once_back(compound_a, card_a, record):
    record(card_a.number, when=timezone.now() - timedelta(minutes=30))
    assert [h.address for h in selectors.households_out_now(compound=compound_a)] == ["20-1702"]
    record(card_a.number, direction="in")
    assert list(selectors.households_out_now(compound=compound_a)) == []


def test_passages_for_log_filters(compound_a, card_a, record, gate_a):
    north = f.opening(compound=compound_a, name="北门")
    record(card_a.number)
    record(card_a.number, opening=north)  # denied, quota used
    today = timezone.localdate()
    assert selectors.passages_for_log(compound=compound_a, day=today).count() == 2
    assert (
        selectors.passages_for_log(compound=compound_a, day=today, opening_id=north.pk).count() == 1
    )
    denied = selectors.passages_for_log(compound=compound_a, day=today, verdict="denied")
    assert [p.reason for p in denied] == ["quota_used"]
    yesterday = today - timedelta(days=1)
    assert selectors.passages_for_log(compound=compound_a, day=yesterday).count() == 0
