"""make backup / make restore: a backup restored into an empty database has every row.

Tables come from the introspection API on both sides, so a table added by a later issue
is checked without an edit here.
"""

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections

from checkpoints.services import passage_record
from compounds.backup import backup_create, backup_restore
from tests import factories as f


def row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        counts = {}
        for table in conn.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def empty_database(tmp_path):
    """Settings of an empty database beside the test one, dropped afterwards."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings
        return
    settings["NAME"] = f"bastion_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {settings['NAME']}")
    try:
        yield settings
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {settings['NAME']} WITH (FORCE)")


def connect(settings):
    wrapper = type(connections["default"])(
        {**settings, "OPTIONS": {**settings.get("OPTIONS", {})}}, "restored"
    )
    wrapper.ensure_connection()
    return wrapper


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_the_same_rows_in_every_table(
    tmp_path, empty_database, household_a, resident_a, gate_a, volunteer, secretary
):
    card = f.card(household=household_a, actor=secretary)
    passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("38.2"),  # a fever alert too
        actor=volunteer,
        client_id=uuid.uuid4(),
    )
    before = row_counts(connection)
    assert sum(1 for n in before.values() if n) >= 10  # a backup worth checking

    path = backup_create(directory=tmp_path / "backups")
    backup_restore(path=path, database=empty_database)

    restored = connect(empty_database)
    try:
        assert row_counts(restored) == before
    finally:
        restored.close()


def test_restoring_a_missing_file_says_so(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "nothing.dump"), noinput=True)


# Outside a test transaction, as the command runs: SQLite's backup waits for open writes.
@pytest.mark.django_db(transaction=True)
def test_the_backup_command_prints_the_file_it_wrote(tmp_path, capsys):
    call_command("backup", dir=str(tmp_path))
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == tmp_path and written.stat().st_size > 0


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_readable_by_the_server_user_only(tmp_path):
    """It holds every resident's personal data: not for the machine's other users."""
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    written = backup_create(directory=folder)
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert written.stat().st_size > 0
