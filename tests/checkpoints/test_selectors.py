"""The gate's reads: cards per household, print lists, passages, who is out and for how long."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkpoints import selectors, services
from checkpoints.errors import CheckpointError
from checkpoints.models import CompoundRules, PassCard, WorkPass
from tests import factories as f


@pytest.fixture
def card_a(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


@pytest.fixture
def record(gate_a, volunteer):
    def do(code, *, direction="out", temperature="36.5", when=None, opening=None, **kw):
        return services.passage_record(
            opening=opening or gate_a,
            code=code,
            direction=direction,
            temperature=Decimal(temperature),
            actor=volunteer,
            client_id=uuid.uuid4(),
            recorded_at=when,
            **kw,
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


# --- The card preview answers what the check-in decides ---------------------------


def _seal_building(ctx):
    ctx["building"].sealed = True
    ctx["building"].save()


def _household_quarantine(ctx):
    ctx["household"].quarantine_until = timezone.localdate() + timedelta(days=2)
    ctx["household"].save()


def _resident_quarantine(ctx):
    ctx["resident"].quarantine_until = timezone.localdate()
    ctx["resident"].save()
    ctx["ask"]["resident_id"] = ctx["resident"].pk


def _work_pass_after_quota(ctx):
    _quota_used(ctx)
    today = timezone.localdate()
    WorkPass.objects.create(
        resident=ctx["resident"], work_unit="区教体局", certificate="12", valid_from=today,
        valid_to=today,
    )  # fmt: skip
    ctx["ask"]["resident_id"] = ctx["resident"].pk


def _vehicle_barred(ctx):
    ctx["ask"]["opening"] = f.opening(compound=ctx["compound"], name="小门", vehicle_rule="none")
    ctx["ask"]["vehicle"] = True


def _quota_used(ctx):
    ctx["record"](ctx["card"].number)


def _fever(ctx):
    ctx["ask"]["temperature"] = Decimal("38.1")


def _revoked(ctx):
    services.card_revoke(card=ctx["card"], actor=None, reason="lost")
    ctx["card"].refresh_from_db()


def _sealed_gate(ctx):
    ctx["ask"]["opening"] = f.opening(compound=ctx["compound"], name="河边小口", state="sealed")


def _vehicle_back_in_at_an_out_only_gate(ctx):
    _vehicle_barred(ctx)
    ctx["ask"]["opening"] = f.opening(
        compound=ctx["compound"], name="车库", vehicle_rule="out_only"
    )


SITUATIONS = {
    "nothing in the way": (lambda ctx: None, "out", ""),
    "sealed building": (_seal_building, "out", "building_sealed"),
    "household quarantine": (_household_quarantine, "out", "quarantined"),
    "resident quarantine": (_resident_quarantine, "out", "quarantined"),
    "work pass": (_work_pass_after_quota, "out", ""),
    "vehicle barred": (_vehicle_barred, "out", "vehicle_barred"),
    "quota used": (_quota_used, "out", "quota_used"),
    "fever": (_fever, "out", "fever"),
    "revoked card": (_revoked, "out", "card_revoked"),
    "sealed gate": (_sealed_gate, "out", "gate_sealed"),
    "coming back in after the quota is used": (_quota_used, "in", ""),
    "coming back in while quarantined": (_household_quarantine, "in", ""),
    "coming back in with a revoked card": (_revoked, "in", "card_revoked"),
    "vehicle back in at an out-only gate": (_vehicle_back_in_at_an_out_only_gate, "in", "vehicle_barred"),
}  # fmt: skip


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_card_preview_and_check_in_agree(
    situation, compound_a, building_a, household_a, resident_a, card_a, gate_a, volunteer, record
):
    arrange, direction, reason = SITUATIONS[situation]
    ask: dict = {}
    arrange(
        {
            "compound": compound_a,
            "building": building_a,
            "household": household_a,
            "resident": resident_a,
            "card": card_a,
            "record": record,
            "ask": ask,
        }
    )
    card = PassCard.objects.select_related("household__building", "compound").get(pk=card_a.pk)
    preview = selectors.card_status(card=card, **ask)
    shown = (
        (preview.exit_allowed, preview.reason or "")
        if direction == "out"
        else (preview.entry_allowed, preview.entry_reason or "")
    )
    passage = services.passage_record(
        opening=ask.get("opening", gate_a),
        code=card.number,
        direction=direction,
        temperature=ask.get("temperature", Decimal("36.5")),
        actor=volunteer,
        client_id=uuid.uuid4(),
        resident_id=ask.get("resident_id"),
        vehicle=ask.get("vehicle", False),
    ).passage
    assert shown == (passage.verdict == "allowed", passage.reason) == (not reason, reason)
    if direction == "out" and reason == "quota_used":
        assert (preview.last_exit_at, preview.next_exit_at) == (
            passage.last_exit_at,
            passage.next_exit_at,
        )


def test_resident_in_home_quarantine_is_refused_by_preview_and_check_in(
    household_a, resident_a, card_a, record
):
    resident_a.quarantine_until = timezone.localdate() + timedelta(days=1)
    resident_a.save()
    preview = selectors.card_status(card=card_a, resident_id=resident_a.pk)
    assert (preview.exit_allowed, preview.reason) == (False, "quarantined")
    assert record(card_a.number, resident_id=resident_a.pk).reason == "quarantined"
    # The rest of the household may still go out, once the volunteer says who goes.
    other = f.resident(household=household_a, name="王二")
    assert selectors.card_status(card=card_a, resident_id=other.pk).exit_allowed
    # Naming nobody is refused: the gate cannot tell the quarantined member apart.
    assert selectors.card_status(card=card_a).reason == "quarantined"
    assert record(card_a.number).reason == "quarantined"


def test_card_preview_of_another_compounds_card_at_a_gate_is_an_unknown_card(household_b, gate_a):
    other = f.card(household=household_b)
    preview = selectors.card_status(card=other, opening=gate_a)
    assert (preview.reason, preview.entry_reason) == ("card_unknown", "card_unknown")


def test_card_preview_of_a_stranger_is_refused_as_at_check_in(card_a, building_a):
    stranger = f.resident(household=f.household(building=building_a, room="101"))
    with pytest.raises(CheckpointError) as error:
        selectors.card_status(card=card_a, resident_id=stranger.pk)
    assert error.value.code == "resident_not_in_household"


def test_card_preview_shows_the_last_outing_once_the_quota_is_free(card_a, record):
    left = record(card_a.number, when=timezone.now() - timedelta(days=3))
    preview = selectors.card_status(card=card_a)
    assert preview.exit_allowed and preview.last_exit_at == left.occurred_at


def test_households_out_now_marks_the_overdue(compound_a, card_a, building_a, record):
    CompoundRules.objects.filter(compound=compound_a).update(max_minutes_out=90)
    compound_a.refresh_from_db()
    other = f.card(household=f.household(building=building_a, room="1801"))
    record(card_a.number, when=timezone.now() - timedelta(minutes=91))
    record(other.number, when=timezone.now() - timedelta(minutes=89))
    rows = {h.address: h.overdue for h in selectors.households_out_now(compound=compound_a)}
    assert rows == {"20-1702": True, "20-1801": False}
    overview = selectors.compound_gate_overview(compound=compound_a)
    assert [h.address for h in overview["overdue"]] == ["20-1702"]
