"""The check-in's reads as hand-written SQL: the gate's hot path, and only that.

Measured on the benchmark (PostgreSQL, 400,000 passages): building these queries with
the ORM cost 1–2.7 ms of Python each, against 0.03–0.17 ms for the database to answer
them, and that was most of a check-in. Everything else in Bastion uses the ORM.

The SQL may be hand-written, the objects may not be half-filled: every table and column
name comes from the models' ``_meta``, every model is read with all its concrete fields,
values pass through the same converters the ORM's compiler applies, and instances are
built with ``Model.from_db``. So what comes back is what the ORM would have loaded, and
a later ``.save()`` cannot blank a column this module did not read.
tests/checkpoints/test_gate_sql.py compares each query with its ORM twin, field by field.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import connection
from django.db.models import Field, Model, OneToOneRel

from checkpoints.models import (
    QUOTA_EXIT,
    CompoundRules,
    HouseholdGateState,
    Passage,
    PassCard,
)
from compounds import access
from compounds.models import Building, Compound, Opening, Unit
from residents.models import HealthRules, Household, Resident

Converter = Callable[[Any, Any, Any], Any]
M = TypeVar("M", bound=Model)

# The converters of each column, per model and per connection (keyed by its operations
# object, so one per thread, dropped with it).
_converters: WeakKeyDictionary[Any, dict[type[Model], list[list[Converter]]]] = WeakKeyDictionary()


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _qn(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    return access.column(model, name)


def _columns(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` under ``alias``, in ``from_db``'s order."""
    return ", ".join(f"{alias}.{_qn(f.column)}" for f in model._meta.concrete_fields)


def _field_converters(field: Field) -> list[Converter]:
    # As the ORM's compiler does: the backend's converters for the column, then the field's.
    col = field.cached_col
    return connection.ops.get_db_converters(col) + col.get_db_converters(connection)


def _model_converters(model: type[Model]) -> list[list[Converter]]:
    per_model = _converters.setdefault(connection.ops, {})
    if model not in per_model:
        per_model[model] = [_field_converters(f) for f in model._meta.concrete_fields]
    return per_model[model]


def _convert(field: Field, value: Any) -> Any:
    for convert in _field_converters(field):
        value = convert(value, field.cached_col, connection)
    return value


def _instance(model: type[M], row: Sequence[Any], start: int) -> tuple[M, int]:
    """The instance from ``row[start:]`` (all concrete fields), and where the next begins."""
    fields = model._meta.concrete_fields
    values = list(row[start : start + len(fields)])
    for i, (field, converters) in enumerate(zip(fields, _model_converters(model), strict=True)):
        for convert in converters:
            values[i] = convert(values[i], field.cached_col, connection)
    names = [f.attname for f in fields]
    return model.from_db(connection.alias, names, values), start + len(fields)


@cache
def _opening_sql(vendor: str) -> str:
    return (
        f"SELECT {_columns(Opening, 'o')}, {_columns(Compound, 'c')}, "
        f"{_columns(CompoundRules, 'r')}, {_columns(HealthRules, 'hr')} "
        f"FROM {_table(Opening)} o "
        f"JOIN {_table(Compound)} c ON c.{_column(Compound, 'id')} = o.{_column(Opening, 'compound')} "
        f"LEFT JOIN {_table(CompoundRules)} r "
        f"ON r.{_column(CompoundRules, 'compound')} = c.{_column(Compound, 'id')} "
        f"LEFT JOIN {_table(HealthRules)} hr "
        f"ON hr.{_column(HealthRules, 'compound')} = c.{_column(Compound, 'id')} "
        f"WHERE o.{_column(Opening, 'id')} = %s AND "
        + access.visible_sql(
            compound_column=f"c.{_column(Compound, 'id')}",
            community_column=f"c.{_column(Compound, 'community')}",
        )
    )


def _one_to_one(compound: Compound, name: str, model: type[Model], row: Any, at: int) -> int:
    """Set ``compound.<name>`` from ``row[at:]``, or cache that it has none (as
    select_related does); where the next model's columns begin."""
    if row[at] is None:
        relation = Compound._meta.get_field(name)
        assert isinstance(relation, OneToOneRel)  # the reverse side of a one-to-one
        relation.set_cached_value(compound, None)
        return at + len(model._meta.concrete_fields)
    instance, at = _instance(model, row, at)
    setattr(compound, name, instance)
    return at


def opening_for_gate(*, user: Any, opening_id: int) -> Opening | None:
    """The opening with its compound, its gate rules and its health rules (the fever
    line), if the user may see its compound.

    The same objects as ``Opening.objects.select_related("compound__rules",
    "compound__health_rules")``.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _opening_sql(connection.vendor), [opening_id, *access.visible_sql_params(user)]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    opening, at = _instance(Opening, row, 0)
    compound, at = _instance(Compound, row, at)
    at = _one_to_one(compound, "rules", CompoundRules, row, at)
    _one_to_one(compound, "health_rules", HealthRules, row, at)
    opening.compound = compound
    return opening


@cache
def _card_sql(vendor: str, field: str, lock: bool) -> str:
    lock_clause = (
        " FOR UPDATE OF h" if lock and connection.features.has_select_for_update_of else ""
    )
    return (
        f"SELECT {_columns(PassCard, 'p')}, {_columns(Household, 'h')}, "
        f"{_columns(Building, 'b')}, {_columns(Unit, 'u')}, "
        # The latest quarantine end among the members (rules.CardFacts: an exit naming
        # nobody is refused while one of them is in quarantine): no extra round trip.
        f"(SELECT MAX(r.{_column(Resident, 'quarantine_until')}) FROM {_table(Resident)} r "
        f"WHERE r.{_column(Resident, 'household')} = h.{_column(Household, 'id')}) "
        f"FROM {_table(PassCard)} p "
        f"JOIN {_table(Household)} h "
        f"ON h.{_column(Household, 'id')} = p.{_column(PassCard, 'household')} "
        f"JOIN {_table(Building)} b "
        f"ON b.{_column(Building, 'id')} = h.{_column(Household, 'building')} "
        f"LEFT JOIN {_table(Unit)} u ON u.{_column(Unit, 'id')} = h.{_column(Household, 'unit')} "
        f"WHERE p.{_column(PassCard, field)} = %s{lock_clause}"
    )


def card_by_code(*, field: str, value: str, lock: bool) -> PassCard | None:
    """A card with its household, building and unit; ``lock`` holds the household row.

    The same objects as ``PassCard.objects.select_related("household__building",
    "household__unit")``.
    """
    if field not in ("number", "secret"):
        raise ValueError(field)
    with connection.cursor() as cursor:
        cursor.execute(_card_sql(connection.vendor, field, lock), [value])
        row = cursor.fetchone()
    if row is None:
        return None
    card, at = _instance(PassCard, row, 0)
    household, at = _instance(Household, row, at)
    household.building, at = _instance(Building, row, at)
    household.unit = None if row[at] is None else _instance(Unit, row, at)[0]
    at += len(Unit._meta.concrete_fields)
    until = row[at]
    # An annotation, as .annotate() would set it: not a field of the model.
    household.members_quarantine_until = (  # type: ignore[attr-defined]
        None if until is None else _convert(Resident._meta.get_field("quarantine_until"), until)
    )
    card.household = household
    return card


def _literal(value: str) -> str:
    # Only for the code's own choice values, written out so that the query's condition
    # matches the partial index's and PostgreSQL can use it.
    if not value.isidentifier():
        raise ValueError(value)
    return f"'{value}'"


def quota_exit_condition(alias: str = "") -> str:
    """``models.QUOTA_EXIT`` as SQL, with literals: the partial index's very condition."""
    prefix = f"{alias}." if alias else ""
    terms = []
    for name, value in QUOTA_EXIT.items():
        column = prefix + _column(Passage, name)
        if isinstance(value, str):
            terms.append(f"{column} = {_literal(value)}")
        else:
            terms.append(column if value else f"NOT {column}")
    return " AND ".join(terms)


@cache
def _quota_sql(vendor: str, bounded: bool) -> str:
    at = _column(Passage, "occurred_at")
    sql = (
        f"SELECT {at} FROM {_table(Passage)} WHERE {_column(Passage, 'household')} = %s "
        f"AND {quota_exit_condition()} AND {at} >= %s"
    )
    if bounded:
        sql += f" AND {at} < %s"
    return sql + f" ORDER BY {at} DESC"


def quota_exit_times(*, household_id: int, start: datetime, end: datetime | None) -> list[datetime]:
    """Allowed quota exits of the household in [start, end), newest first (partial index)."""
    field = Passage._meta.get_field("occurred_at")
    params: list[Any] = [household_id, field.get_db_prep_value(start, connection)]
    if end is not None:
        params.append(field.get_db_prep_value(end, connection))
    with connection.cursor() as cursor:
        cursor.execute(_quota_sql(connection.vendor, end is not None), params)
        return [_convert(field, r[0]) for r in cursor.fetchall()]


# Every column but the id, as the ORM's insert writes them.
_PASSAGE_FIELDS = [f for f in Passage._meta.concrete_fields if not f.primary_key]


@cache
def _passage_insert_sql(vendor: str) -> str:
    return (
        f"INSERT INTO {_table(Passage)} ({', '.join(_qn(f.column) for f in _PASSAGE_FIELDS)}) "
        f"VALUES ({', '.join(['%s'] * len(_PASSAGE_FIELDS))})"
    )


def passage_insert(passage: Passage) -> None:
    """Write a decided passage and set its id (an IntegrityError on a repeated client_id)."""
    values = [f.get_db_prep_save(f.pre_save(passage, True), connection) for f in _PASSAGE_FIELDS]
    sql = _passage_insert_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + f" RETURNING {_column(Passage, 'id')}", values)
            passage.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            passage.pk = cursor.lastrowid
    passage._state.adding = False
    passage._state.db = connection.alias


@cache
def _gate_state_sql(vendor: str) -> str:
    """One upsert: the newest allowed passage by (occurred_at, id) sets where the household
    stands; the newest allowed exit is kept apart. Same SQL on PostgreSQL and SQLite."""
    t = _table(HouseholdGateState)
    col = {f.name: _qn(f.column) for f in HouseholdGateState._meta.concrete_fields}
    at, pid = col["last_passage_at"], col["last_passage_id"]
    newer = (
        f"(excluded.{at} > {t}.{at} OR (excluded.{at} = {t}.{at} AND excluded.{pid} > {t}.{pid}))"
    )
    exit_ = col["last_exit_at"]
    names = ["household", "compound", "last_passage_at", "last_passage_id", "out_since"]
    return (
        f"INSERT INTO {t} ({', '.join(col[n] for n in [*names, 'last_exit_at'])}) "
        f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT ({col['household']}) DO UPDATE SET "
        + ", ".join(
            f"{col[n]} = CASE WHEN {newer} THEN excluded.{col[n]} ELSE {t}.{col[n]} END"
            for n in ("last_passage_at", "last_passage_id", "out_since")
        )
        + f", {exit_} = CASE WHEN {t}.{exit_} IS NULL OR excluded.{exit_} > {t}.{exit_} "
        f"THEN COALESCE(excluded.{exit_}, {t}.{exit_}) ELSE {t}.{exit_} END"
    )


def gate_state_write(passage: Passage) -> None:
    """Fold an allowed passage of a known household into its ``HouseholdGateState``: one
    statement in the check-in's own transaction. Denials and unknown cards change nothing."""
    if passage.household_id is None or passage.verdict != Passage.Verdict.ALLOWED:
        return
    field = HouseholdGateState._meta.get_field("last_passage_at")
    at = field.get_db_prep_value(passage.occurred_at, connection)
    out = passage.direction == Passage.Direction.OUT
    with connection.cursor() as cursor:
        cursor.execute(
            _gate_state_sql(connection.vendor),
            [
                passage.household_id,
                passage.compound_id,
                at,
                passage.pk,
                at if out else None,
                at if out else None,
            ],
        )
