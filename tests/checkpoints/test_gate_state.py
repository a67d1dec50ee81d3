"""The per-household gate state written by the check-in equals the log's own answer."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkpoints import selectors, services
from checkpoints.gate_state import gate_state_rebuild
from checkpoints.models import HouseholdGateState
from tests import factories as f


@pytest.fixture
def record(gate_a, volunteer):
    def do(code, *, direction="out", when=None, temperature="36.5"):
        return services.passage_record(
            opening=gate_a,
            code=code,
            direction=direction,
            temperature=Decimal(temperature),
            actor=volunteer,
            client_id=uuid.uuid4(),
            recorded_at=when,
        ).passage

    return do


def states():
    return {
        s.household_id: (s.out_since, s.last_exit_at)
        for s in HouseholdGateState.objects.order_by("pk")
    }


def test_the_check_in_keeps_out_since_and_last_exit_in_step_with_the_log(
    compound_a, building_a, household_a, secretary, record
):
    other = f.household(building=building_a, room="1801")
    card, card2 = (f.card(household=h, actor=secretary) for h in (household_a, other))
    now = timezone.now()
    first = record(card.number, when=now - timedelta(hours=3))
    record(card.number, direction="in", when=now - timedelta(hours=2))
    record(card2.number, when=now - timedelta(minutes=30))
    # An older exit uploaded late does not undo the newer entry.
    late = record(card.number, when=now - timedelta(hours=4))
    assert late.verdict == "allowed"
    got = states()
    assert got[household_a.pk] == (None, first.occurred_at)
    assert got[other.pk][0] is not None
    out_now = {h.pk: h.out_since for h in selectors.households_out_now(compound=compound_a)}
    assert {pk: since for pk, (since, _) in got.items() if since} == out_now


def test_a_denied_scan_changes_nothing(household_a, secretary, record):
    card = f.card(household=household_a, actor=secretary)
    record(card.number)
    before = states()
    denied = record(card.number)  # second exit the same day: over the quota
    assert denied.verdict == "denied"
    assert states() == before


def test_the_rebuild_from_the_log_gives_the_same_rows(
    compound_a, compound_b, building_a, household_a, secretary, record
):
    other = f.household(building=building_a, room="1801")
    card, card2 = (f.card(household=h, actor=secretary) for h in (household_a, other))
    now = timezone.now()
    record(card.number, when=now - timedelta(hours=3))
    record(card.number, direction="in", when=now - timedelta(hours=2))
    record(card2.number, when=now - timedelta(minutes=30))
    written = states()
    assert gate_state_rebuild(compound_ids=[compound_a.pk]) == 2
    assert states() == written
    assert gate_state_rebuild(compound_ids=[compound_b.pk]) == 0
    assert states() == written
    HouseholdGateState.objects.all().delete()
    gate_state_rebuild()
    assert states() == written
