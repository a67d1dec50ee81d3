"""The check-in's reads as hand-written SQL: the gate's hot path, and only that.

Measured on the benchmark (PostgreSQL, 400,000 passages): building these three queries
with the ORM cost about 1 ms of Python each, several times what the database spends on
them, and that was most of a check-in. Everything else in Bastion uses the ORM. The
SQL stays portable (SQLite and PostgreSQL) and goes through Django's cursor, so it is
logged and counted like any query. Rows come back as the usual model instances.
"""

from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from checkpoints.models import CompoundRules, Passage, PassCard
from compounds import access
from compounds.models import Building, Compound, Opening, Unit
from residents.models import Household


def _date(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) else value


def _datetime(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite keeps UTC as text
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


_OPENING_SQL = (
    "SELECT o.id, o.name, o.state, o.vehicle_rule, c.id, c.community_id, c.name, "
    "r.id, r.quota_mode, r.quota_exits, r.quota_days, r.quota_hours, r.fever_line, "
    "r.vehicles_may_return, r.max_minutes_out "
    "FROM compounds_opening o JOIN compounds_compound c ON c.id = o.compound_id "
    "LEFT JOIN checkpoints_compoundrules r ON r.compound_id = c.id "
    "WHERE o.id = %s AND "
    + access.visible_sql(compound_column="c.id", community_column="c.community_id")
)


def opening_for_gate(*, user: Any, opening_id: int) -> Opening | None:
    """The opening with its compound and rules, if the user may see its compound."""
    with connection.cursor() as cursor:
        cursor.execute(_OPENING_SQL, [opening_id, bool(user.is_superuser), user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    compound = Compound(id=row[4], community_id=row[5], name=row[6])
    if row[7] is not None:
        compound.rules = CompoundRules(
            id=row[7],
            compound=compound,
            quota_mode=row[8],
            quota_exits=row[9],
            quota_days=row[10],
            quota_hours=row[11],
            fever_line=connection.ops.get_decimalfield_converter(
                CompoundRules._meta.get_field("fever_line")
            )(row[12], None, connection)
            if connection.vendor == "sqlite"
            else row[12],
            vehicles_may_return=bool(row[13]),
            max_minutes_out=row[14],
        )
    return Opening(id=row[0], name=row[1], state=row[2], vehicle_rule=row[3], compound=compound)


def _card_sql(field: str, lock: bool) -> str:
    lock_clause = (
        " FOR UPDATE OF h" if lock and connection.features.has_select_for_update_of else ""
    )
    return (
        "SELECT p.id, p.compound_id, p.number, p.state, h.id, h.room, h.quarantine_until, "
        "h.unit_id, b.id, b.number, b.sealed, u.number "
        "FROM checkpoints_passcard p JOIN residents_household h ON h.id = p.household_id "
        "JOIN compounds_building b ON b.id = h.building_id "
        "LEFT JOIN compounds_unit u ON u.id = h.unit_id "
        f"WHERE p.{field} = %s{lock_clause}"
    )


def card_by_code(*, field: str, value: str, lock: bool) -> PassCard | None:
    """A card with its household, building and unit; ``lock`` holds the household row."""
    if field not in ("number", "secret"):
        raise ValueError(field)
    with connection.cursor() as cursor:
        cursor.execute(_card_sql(field, lock), [value])
        row = cursor.fetchone()
    if row is None:
        return None
    building = Building(id=row[8], number=row[9], sealed=bool(row[10]), compound_id=row[1])
    unit = Unit(id=row[7], number=row[11], building=building) if row[7] is not None else None
    household = Household(
        id=row[4],
        compound_id=row[1],
        building=building,
        unit=unit,
        room=row[5],
        quarantine_until=_date(row[6]),
    )
    return PassCard(id=row[0], compound_id=row[1], number=row[2], state=row[3], household=household)


def quota_exit_times(*, household_id: int, start: datetime, end: datetime | None) -> list[datetime]:
    """Allowed quota exits of the household in [start, end), newest first (partial index)."""
    sql = (
        "SELECT occurred_at FROM checkpoints_passage WHERE household_id = %s "
        "AND verdict = 'allowed' AND direction = 'out' AND counts_quota AND occurred_at >= %s"
    )
    params: list[Any] = [household_id, _db_datetime(start)]
    if end is not None:
        sql += " AND occurred_at < %s"
        params.append(_db_datetime(end))
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY occurred_at DESC", params)
        return [_datetime(r[0]) for r in cursor.fetchall()]


_PASSAGE_COLUMNS = (
    "compound_id",
    "opening_id",
    "card_id",
    "household_id",
    "resident_id",
    "direction",
    "temperature",
    "vehicle",
    "occurred_at",
    "received_at",
    "volunteer_id",
    "verdict",
    "reason",
    "counts_quota",
    "fever",
    "late",
    "breach",
    "client_id",
    "request_hash",
    "next_exit_at",
    "last_exit_at",
)


def passage_insert(passage: Passage) -> None:
    """Write a decided passage and set its id (an IntegrityError on a repeated client_id)."""
    field = Passage._meta.get_field
    values = [
        field(name).get_db_prep_save(getattr(passage, name), connection)
        for name in _PASSAGE_COLUMNS
    ]
    sql = (
        f"INSERT INTO checkpoints_passage ({', '.join(_PASSAGE_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_PASSAGE_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + " RETURNING id", values)
            passage.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            passage.pk = cursor.lastrowid
    passage._state.adding = False
    passage._state.db = connection.alias
