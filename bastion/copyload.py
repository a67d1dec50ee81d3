"""Loading many rows fast: COPY on PostgreSQL (executemany elsewhere), a progress bar,
and the secondary indexes dropped before a load and built again after it (one pass over
the data instead of one index update and one key check per row). Used by ``seed_city``
(``bastion.city`` and ``bastion.city_life``)."""

import io
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

CHUNK = 100_000

Log = Callable[[str], None]

# --- writing rows ------------------------------------------------------------------


def copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def columns_of(model: type[models.Model], names: Sequence[str]) -> list[str]:
    fields = [model._meta.get_field(n) for n in names]
    return [f.column for f in fields if isinstance(f, models.Field) and f.column]


class Writer:
    """Rows into a table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.pg = connection.vendor == "postgresql"

    def write(
        self,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[Sequence[Any]],
        progress: "Progress | None" = None,
    ) -> int:
        columns = columns_of(model, names)
        table = model._meta.db_table
        qn = connection.ops.quote_name
        if self.pg:
            lines = ("\t".join(copy_text(v) for v in row) for row in rows)
            return self.copy_lines(table, columns, lines, progress)
        fields = [model._meta.get_field(n) for n in names]
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        count = 0
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]  # type: ignore[union-attr]
                )
                if len(batch) == CHUNK:
                    cursor.executemany(sql, batch)
                    count, batch = count + len(batch), []
                    if progress:
                        progress(count)
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        if progress:
            progress(count, True)
        return count

    def copy_lines(
        self,
        table: str,
        columns: Sequence[str],
        lines: Iterable[str],
        progress: "Progress | None" = None,
    ) -> int:
        qn = connection.ops.quote_name
        sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        count = 0
        buffer = io.StringIO()
        connection.ensure_connection()
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for line in lines:
                buffer.write(line)
                buffer.write("\n")
                count += 1
                if count % CHUNK == 0:
                    buffer.seek(0)
                    raw.copy_expert(sql, buffer)
                    buffer = io.StringIO()
                    if progress:
                        progress(count)
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
        if progress:
            progress(count, True)
        return count


class Progress:
    """A progress bar on stderr: ``[#####.....]  52%  passages 4,700,000/9,000,000  31 s``."""

    def __init__(self, label: str, total: int, stream: Any = None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last_pct = -1

    def __call__(self, done: int, final: bool = False) -> None:
        pct = 100 if final else min(99, done * 100 // self.total)
        if pct == self.last_pct:
            return
        self.last_pct = pct
        bar = "#" * (pct // 5) + "." * (20 - pct // 5)
        elapsed = time.perf_counter() - self.started
        line = f"[{bar}] {pct:3d}%  {self.label} {done:,}/{self.total:,}  {elapsed:.0f} s"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if pct == 100 else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


# --- indexes -----------------------------------------------------------------------


def drop_secondary_indexes(tables: Sequence[str]) -> list[str]:
    """Drop every index but the primary key, and the unique and foreign-key constraints,
    of ``tables`` (PostgreSQL); returns the statements that build them again."""
    return _drop(tables, contypes=("u", "f"), indexes=True)


def _drop(tables: Sequence[str], *, contypes: Sequence[str], indexes: bool) -> list[str]:
    create: list[str] = []
    constraints: list[str] = []
    with connection.cursor() as cursor:
        # Rows written earlier in this transaction have deferred key checks pending, and
        # a table with pending checks cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            qn = connection.ops.quote_name(table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = ANY(%s)",
                [table, list(contypes)],
            )
            for name, definition in cursor.fetchall():
                constraints.append(f"ALTER TABLE {qn} ADD CONSTRAINT {name} {definition}")
                cursor.execute(f"ALTER TABLE {qn} DROP CONSTRAINT {name}")
            if not indexes:
                continue
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                create.append(definition)
                cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return create + constraints


def build_indexes(statements: Sequence[str], log: Log) -> None:
    if not statements:
        return
    with connection.cursor() as cursor:
        # As above: a table with deferred checks pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for i, sql in enumerate(statements, 1):
            t = time.perf_counter()
            cursor.execute(sql)
            log(f"  index {i}/{len(statements)} in {time.perf_counter() - t:.1f} s: {sql[:90]}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def vacuum_analyze(model_list: Sequence[type[models.Model]]) -> None:
    """VACUUM (ANALYZE) the loaded tables on PostgreSQL (ANALYZE alone inside a
    transaction, where VACUUM may not run). VACUUM because a table filled by COPY has no
    visibility map yet, and without one no index-only scan: counting the largest
    compound's passages of 14 days read 22,600 heap pages (228 ms) instead of 204 index
    pages (22 ms). Autovacuum sets it in time on a live server; the seed does it now."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


# --- ids ---------------------------------------------------------------------------


def next_id(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return int(top or 0) + 1


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            pk = model._meta.pk
            assert pk is not None
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                f"GREATEST((SELECT MAX({connection.ops.quote_name(pk.column)}) "
                f"FROM {connection.ops.quote_name(table)}), 1))",
                [table, pk.column],
            )
