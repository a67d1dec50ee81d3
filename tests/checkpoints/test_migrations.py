"""The fever alerts' move from the gate to residents (checkpoints 0003–0005) loses nothing.

The database is taken back to before the move, filled through the models of that time
(alerts with handling steps, a compound's own fever line), and migrated forward: every
alert keeps its id, status, times and steps, and its passage points at it. Backwards, the
same rows come back. Runs on SQLite and, with DATABASE_URL, on PostgreSQL (whose
sequences must continue after the copied ids).
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from checkpoints.models import Passage
from residents.models import FeverAction, FeverAlert, HealthRules

BEFORE = [
    ("checkpoints", "0002_refused_uploads_and_request_hash"),
    ("residents", "0001_initial"),
]
RAISED = datetime(2020, 2, 13, 8, 30, tzinfo=UTC)
HANDLED = datetime(2020, 2, 13, 9, 5, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def fill_the_old_tables(apps):
    """Two compounds' worth of gate fever records, as the gate wrote them before the move."""
    get = apps.get_model
    user = get("auth", "User").objects.create(username="老王", password="!")
    community = get("compounds", "Community").objects.create(name="春龙社区")
    compound = get("compounds", "Compound").objects.create(community=community, name="绿景水岸")
    get("checkpoints", "CompoundRules").objects.create(
        compound=compound, fever_line=Decimal("37.6")
    )
    building = get("compounds", "Building").objects.create(compound=compound, number="20")
    opening = get("compounds", "Opening").objects.create(compound=compound, name="南门")
    household = get("residents", "Household").objects.create(
        compound=compound, building=building, room="1702"
    )
    resident = get("residents", "Resident").objects.create(household=household, name="张三")
    Passage_ = get("checkpoints", "Passage")
    Alert, Action = get("checkpoints", "FeverAlert"), get("checkpoints", "FeverAction")

    def passage(temperature, **extra):
        return Passage_.objects.create(
            compound=compound,
            opening=opening,
            direction="out",
            temperature=Decimal(temperature),
            occurred_at=RAISED,
            received_at=RAISED,
            volunteer=user,
            verdict="denied",
            reason="fever",
            fever=True,
            client_id=uuid.uuid4(),
            **extra,
        )

    with_person = passage("38.4", household=household, resident=resident)
    unknown_card = passage("38.9")
    plain = Passage_.objects.create(
        compound=compound,
        opening=opening,
        direction="in",
        temperature=Decimal("36.5"),
        occurred_at=RAISED,
        received_at=RAISED,
        volunteer=user,
        verdict="allowed",
        client_id=uuid.uuid4(),
    )
    # Ids that a fresh table would not hand out, so that a copy without them shows.
    handled = Alert.objects.create(
        id=41,
        compound=compound,
        passage=with_person,
        temperature=Decimal("38.4"),
        status="resolved",
        created_at=RAISED,
    )
    open_alert = Alert.objects.create(
        id=57,
        compound=compound,
        passage=unknown_card,
        temperature=Decimal("38.9"),
        status="open",
        created_at=RAISED,
    )
    for step_id, status, reading, note in [
        (7, "remeasured", Decimal("38.1"), "复测"),
        (9, "resolved", None, "普通感冒\n已退烧"),
    ]:
        Action.objects.create(
            id=step_id, alert=handled, status=status, temperature=reading, note=note, actor=user
        )
    # auto_now_add stamped them now: give them a known past, as old rows have.
    Action.objects.update(at=HANDLED)
    return {
        "user": user,
        "household": household,
        "resident": resident,
        "compound": compound,
        "with_person": with_person,
        "unknown_card": unknown_card,
        "plain": plain,
        "handled": handled,
        "open": open_alert,
    }


@pytest.mark.django_db(transaction=True)
def test_moving_the_alerts_to_residents_keeps_ids_steps_and_links_both_ways():
    try:
        old = fill_the_old_tables(migrate(BEFORE))
        migrate(latest())

        alerts = {a.pk: a for a in FeverAlert.objects.all()}
        assert sorted(alerts) == [41, 57]
        handled, opened = alerts[41], alerts[57]
        assert (handled.source, handled.status, handled.temperature, handled.created_at) == (
            FeverAlert.Source.GATE,
            "resolved",
            Decimal("38.4"),
            RAISED,
        )
        assert (handled.compound_id, handled.household_id, handled.resident_id) == (
            old["compound"].pk,
            old["household"].pk,
            old["resident"].pk,
        )
        assert (opened.status, opened.household_id, opened.resident_id) == ("open", None, None)
        steps = list(
            FeverAction.objects.order_by("id").values_list(
                "id", "alert_id", "status", "temperature", "note", "actor_id", "at"
            )
        )
        assert steps == [
            (7, 41, "remeasured", Decimal("38.1"), "复测", old["user"].pk, HANDLED),
            (9, 41, "resolved", None, "普通感冒\n已退烧", old["user"].pk, HANDLED),
        ]
        links = dict(Passage.objects.values_list("pk", "fever_alert_id"))
        assert links == {
            old["with_person"].pk: 41,
            old["unknown_card"].pk: 57,
            old["plain"].pk: None,
        }
        assert HealthRules.objects.get(compound_id=old["compound"].pk).fever_line == Decimal("37.6")
        # The sequences continue after the copied ids (PostgreSQL; SQLite does by itself).
        new = FeverAlert.objects.create(
            compound_id=old["compound"].pk, source="phone", temperature=38, created_at=RAISED
        )
        assert new.pk > 57
        new.delete()

        back = migrate(BEFORE)
        Alert, Action = (
            back.get_model("checkpoints", "FeverAlert"),
            back.get_model("checkpoints", "FeverAction"),
        )
        assert dict(Alert.objects.values_list("pk", "passage_id")) == {
            41: old["with_person"].pk,
            57: old["unknown_card"].pk,
        }
        assert list(Action.objects.order_by("id").values_list("id", "alert_id", "at")) == [
            (7, 41, HANDLED),
            (9, 41, HANDLED),
        ]
        rules = back.get_model("checkpoints", "CompoundRules").objects.get()
        assert rules.fever_line == Decimal("37.6")
    finally:
        migrate(latest())
