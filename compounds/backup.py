"""Backups of the whole database: pg_dump/pg_restore on PostgreSQL, SQLite's backup API.

Both give a consistent copy of a live database: pg_dump reads one snapshot, and SQLite's
online backup copies the pages under its lock, so the gate can keep writing meanwhile.
``database`` is a Django settings dict (``connection.settings_dict``).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    pass


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict[str, Any]) -> list[str]:
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if database.get(key):
            args += [flag, str(database[key])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: apt-get install postgresql-client")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{args[0]} failed")


def _private_file(path: Path) -> Path:
    """An empty file only the owner may read, for pg_dump or SQLite to write into (both
    keep an existing file's mode; made anew they would follow the umask, often 0644)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def backup_create(*, directory: Path, database: dict[str, Any] | None = None) -> Path:
    """Write a dated backup file into ``directory`` and return its path."""
    database = database or connection.settings_dict
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)  # the residents' personal data: the server's user only
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if "postgresql" in database["ENGINE"]:
        path = _private_file(directory / f"bastion-{stamp}.dump")
        _run(
            [_tool("pg_dump"), "-Fc", "--no-owner", *_pg_args(database), "-f", str(path)]
            + [str(database["NAME"])],
            _pg_env(database),
        )
        return path
    if "sqlite3" in database["ENGINE"]:
        path = _private_file(directory / f"bastion-{stamp}.sqlite3")
        source = _sqlite_source(database)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
        return path
    raise BackupError(f"no backup for {database['ENGINE']}")


def _sqlite_source(database: dict[str, Any]) -> sqlite3.Connection:
    # Django's own connection when it is the one asked for: an in-memory test database
    # exists only through it.
    if database is connection.settings_dict or database["NAME"] == connection.settings_dict["NAME"]:
        connection.ensure_connection()
        return connection.connection
    return sqlite3.connect(database["NAME"])


def backup_restore(*, path: Path, database: dict[str, Any] | None = None) -> None:
    """Replace the content of ``database`` with the backup at ``path``."""
    database = database or connection.settings_dict
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    if "postgresql" in database["ENGINE"]:
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
            + ["--single-transaction", "--exit-on-error", *_pg_args(database)]
            + ["-d", str(database["NAME"]), str(path)],
            _pg_env(database),
        )
        return
    if "sqlite3" in database["ENGINE"]:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(database["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    raise BackupError(f"no restore for {database['ENGINE']}")
