"""The per-household gate state (``models.HouseholdGateState``) recomputed from the log.

A check-in keeps its household's row current itself (``gate_sql.gate_state_write``).
This is for rows written around the service: a bulk load (``seed_city``, the demo) and
the migration that introduced the state. One statement, whatever the size.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from checkpoints.models import HouseholdGateState, Passage
from compounds import access


def _column(model: type[HouseholdGateState] | type[Passage], name: str) -> str:
    return access.column(model, name)


def rebuild_sql(compound_filter: str = "") -> str:
    p = {n: _column(Passage, n) for n in ("household", "compound", "occurred_at", "id")}
    direction, verdict = _column(Passage, "direction"), _column(Passage, "verdict")
    s = [
        _column(HouseholdGateState, n)
        for n in (
            "household",
            "compound",
            "last_passage_at",
            "last_passage_id",
            "out_since",
            "last_exit_at",
        )
    ]
    out = f"'{Passage.Direction.OUT.value}'"
    return (
        f"INSERT INTO {connection.ops.quote_name(HouseholdGateState._meta.db_table)} "
        f"({', '.join(s)}) "
        f"SELECT hh, cc, at, pid, CASE WHEN dir = {out} THEN at END, last_exit FROM ("
        f"SELECT {p['household']} hh, {p['compound']} cc, {p['occurred_at']} at, {p['id']} pid, "
        f"{direction} dir, ROW_NUMBER() OVER (PARTITION BY {p['household']} "
        f"ORDER BY {p['occurred_at']} DESC, {p['id']} DESC) rn, "
        f"MAX(CASE WHEN {direction} = {out} THEN {p['occurred_at']} END) "
        f"OVER (PARTITION BY {p['household']}) last_exit "
        f"FROM {connection.ops.quote_name(Passage._meta.db_table)} "
        f"WHERE {verdict} = '{Passage.Verdict.ALLOWED.value}' "
        f"AND {p['household']} IS NOT NULL{compound_filter}) x WHERE rn = 1"
    )


@transaction.atomic
def gate_state_rebuild(*, compound_ids: Iterable[int] | None = None) -> int:
    """Recompute the state of every household of ``compound_ids`` (all when None) from the
    passage log; returns the rows written."""
    states = HouseholdGateState.objects.all()
    params: list[int] = []
    compound_filter = ""
    if compound_ids is not None:
        params = list(compound_ids)
        if not params:
            return 0
        states = states.filter(compound_id__in=params)
        marks = ", ".join(["%s"] * len(params))
        compound_filter = f" AND {_column(Passage, 'compound')} IN ({marks})"
    states.delete()
    with connection.cursor() as cursor:
        cursor.execute(rebuild_sql(compound_filter), params)
        return int(cursor.rowcount)
