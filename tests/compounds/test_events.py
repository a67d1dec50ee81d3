"""Domain events: each service sends its event with the documented arguments; a listener
runs inside the sender's transaction (its error undoes the write); a notification-only
listener runs after the commit, never after a rollback."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from checkpoints.models import Passage
from checkpoints.services import passage_record
from compounds import events
from compounds.models import AuditEntry, Building
from compounds.services import building_seal
from residents import services as registry
from residents.models import FeverAlert, Household, Resident
from tests import factories as f


class Heard:
    """A listener that keeps what it was sent (and raises, if told to)."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict] = []
        self.fail = fail

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal", None)
        self.calls.append({"sender": sender, **kwargs})
        if self.fail:
            raise RuntimeError("the listener failed")


@pytest.fixture
def listen():
    connected = []

    def connect(event, *, fail=False):
        heard = Heard(fail=fail)
        event.connect(heard, weak=False)
        connected.append((event, heard))
        return heard

    yield connect
    for event, heard in connected:
        event.disconnect(heard)


def check_in(gate, card, actor, temperature="36.5"):
    return passage_record(
        opening=gate,
        code=card.number,
        direction="out",
        temperature=Decimal(temperature),
        actor=actor,
        client_id=uuid.uuid4(),
    )


# --- Each event, with its arguments -------------------------------------------------


def test_every_event_documents_its_arguments_in_the_module():
    for event in events.EVENTS:
        assert f"``{event.name}``" in events.__doc__
        for name in event.kwargs:
            assert f"``{name}``" in events.__doc__, (event.name, name)


def test_sending_other_arguments_than_documented_is_a_programming_error():
    with pytest.raises(TypeError, match="building_sealed"):
        events.send(events.building_sealed, sender=Building, building=None, actor=None)


def test_sealing_a_building_is_told_with_the_building_and_who(listen, building_a, secretary):
    heard = listen(events.building_sealed)
    building_seal(building=building_a, sealed=True, actor=secretary)
    building_seal(building=building_a, sealed=True, actor=secretary)  # no change: no event
    building_seal(building=building_a, sealed=False, actor=secretary)
    assert heard.calls == [
        {"sender": Building, "building": building_a, "sealed": True, "actor": secretary},
        {"sender": Building, "building": building_a, "sealed": False, "actor": secretary},
    ]


def test_a_quarantine_change_is_told_for_households_and_residents(
    listen, building_a, household_a, resident_a, secretary, compound_a
):
    from residents.quarantine import services as quarantine

    heard = listen(events.quarantine_changed)
    until = timezone.localdate() + timedelta(days=14)
    started = quarantine.quarantine_start(resident=resident_a, actor=secretary, reason="other")
    registry.household_update(household=household_a, actor=secretary, note="no change of date")
    quarantine.quarantine_end(quarantine=started, actor=secretary, reason="negative test")
    new = registry.household_create(
        compound=compound_a, actor=secretary, building=building_a, unit=None, room="0901"
    )
    registry.resident_create(household=new, actor=secretary, name="无隔离")  # no date: none
    got = {
        (
            c["sender"],
            c["household"].pk,
            c["resident"] and c["resident"].pk,
            c["before"],
            c["after"],
        )
        for c in heard.calls
    }
    assert got == {
        (Household, household_a.pk, None, None, until),
        (Resident, household_a.pk, resident_a.pk, None, until),
        (Resident, household_a.pk, resident_a.pk, until, None),
        (Household, household_a.pk, None, until, None),
    }
    assert len(heard.calls) == 4
    assert all(c["actor"] == secretary for c in heard.calls)


def test_a_check_in_is_told_although_raw_sql_writes_it(listen, gate_a, household_a, volunteer):
    card = f.card(household=household_a)
    heard = listen(events.passage_recorded)
    decision = check_in(gate_a, card, volunteer)
    assert heard.calls == [{"sender": Passage, "passage": decision.passage, "actor": volunteer}]
    assert heard.calls[0]["passage"].pk is not None


def test_a_replayed_check_in_is_not_told_twice(listen, gate_a, household_a, volunteer):
    card = f.card(household=household_a)
    client_id = uuid.uuid4()
    heard = listen(events.passage_recorded)
    for _ in range(2):
        passage_record(
            opening=gate_a,
            code=card.number,
            direction="in",
            temperature=Decimal("36.5"),
            actor=volunteer,
            client_id=client_id,
        )
    assert len(heard.calls) == 1


def test_a_fever_at_the_gate_tells_of_the_alert_then_of_the_passage_that_points_at_it(
    listen, gate_a, household_a, resident_a, volunteer
):
    card = f.card(household=household_a)
    order = []
    alerts, passages = listen(events.fever_alert_raised), listen(events.passage_recorded)
    events.fever_alert_raised.connect(
        lambda **kw: order.append("alert"), weak=False, dispatch_uid="o1"
    )
    events.passage_recorded.connect(
        lambda **kw: order.append("passage"), weak=False, dispatch_uid="o2"
    )
    try:
        passage = check_in(gate_a, card, volunteer, temperature="38.2").passage
    finally:
        events.fever_alert_raised.disconnect(dispatch_uid="o1")
        events.passage_recorded.disconnect(dispatch_uid="o2")
    assert order == ["alert", "passage"]
    (call,) = alerts.calls
    assert (call["sender"], call["alert"], call["actor"]) == (
        FeverAlert,
        passage.fever_alert,
        volunteer,
    )
    assert (call["alert"].source, call["alert"].household_id) == ("gate", household_a.pk)
    assert passages.calls[0]["passage"].fever_alert_id == call["alert"].pk


# --- A listener that writes runs inside the sender's transaction ----------------------


def test_a_failing_listener_undoes_the_seal(listen, building_a, secretary):
    listen(events.building_sealed, fail=True)
    with pytest.raises(RuntimeError):
        building_seal(building=building_a, sealed=True, actor=secretary)
    assert not Building.objects.get(pk=building_a.pk).sealed
    assert not AuditEntry.objects.filter(action="seal").exists()


def test_a_failing_listener_undoes_the_check_in_and_its_alert(
    listen, gate_a, household_a, volunteer
):
    card = f.card(household=household_a)
    listen(events.passage_recorded, fail=True)
    with pytest.raises(RuntimeError):
        check_in(gate_a, card, volunteer, temperature="38.5")
    assert not Passage.objects.exists()
    assert not FeverAlert.objects.exists()


def test_a_failing_listener_undoes_the_quarantine(listen, household_a, resident_a, secretary):
    from residents.quarantine.models import Quarantine
    from residents.quarantine.services import quarantine_start

    listen(events.quarantine_changed, fail=True)
    with pytest.raises(RuntimeError):
        quarantine_start(resident=resident_a, actor=secretary, reason="other")
    assert Household.objects.get(pk=household_a.pk).quarantine_until is None
    assert not Quarantine.objects.exists()
    assert not AuditEntry.objects.filter(action="quarantine_start").exists()


def test_a_failing_listener_undoes_the_alert(listen, compound_a, household_a, secretary):
    listen(events.fever_alert_raised, fail=True)
    # Without a savepoint of its own (the gate's hot path): the caller's block rolls back.
    with pytest.raises(RuntimeError), transaction.atomic():
        registry.fever_alert_raise(
            compound=compound_a,
            source=FeverAlert.Source.DOOR_VISIT,
            household=household_a,
            temperature=Decimal("38.0"),
            actor=secretary,
        )
    assert not FeverAlert.objects.exists()


def test_what_a_listener_writes_is_committed_with_the_sender(building_a, household_a, secretary):
    def quarantine_the_building(sender, building, sealed, actor, **kwargs):
        if sealed:
            Household.objects.filter(building=building).update(note="封控楼")

    events.building_sealed.connect(quarantine_the_building, dispatch_uid="writer")
    try:
        building_seal(building=building_a, sealed=True, actor=secretary)
    finally:
        events.building_sealed.disconnect(dispatch_uid="writer")
    assert Household.objects.get(pk=household_a.pk).note == "封控楼"


# --- A notification-only listener runs after the commit -------------------------------


@pytest.fixture
def notified():
    heard = Heard()
    events.connect_on_commit(events.building_sealed, heard)
    yield heard
    events.disconnect_on_commit(events.building_sealed, heard)


def test_a_notification_waits_for_the_commit(
    notified, building_a, secretary, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        building_seal(building=building_a, sealed=True, actor=secretary)
        assert notified.calls == []  # not before the commit
    assert notified.calls == [
        {"sender": Building, "building": building_a, "sealed": True, "actor": secretary}
    ]


def test_no_notification_when_the_transaction_rolls_back(
    notified, building_a, secretary, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            building_seal(building=building_a, sealed=True, actor=secretary)
            raise RuntimeError("the caller's transaction fails after the seal")
    assert callbacks == [] and notified.calls == []
    assert not Building.objects.get(pk=building_a.pk).sealed


def test_a_failing_notification_does_not_undo_the_committed_write(
    building_a, secretary, django_capture_on_commit_callbacks
):
    failing = Heard(fail=True)
    events.connect_on_commit(events.building_sealed, failing, dispatch_uid="test-fail")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            building_seal(building=building_a, sealed=True, actor=secretary)
    finally:
        events.disconnect_on_commit(events.building_sealed, failing, dispatch_uid="test-fail")
    assert len(failing.calls) == 1
    assert Building.objects.get(pk=building_a.pk).sealed
