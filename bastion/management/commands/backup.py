"""make backup: a consistent copy of the whole database into a dated file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from compounds.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump on PostgreSQL, the backup API on SQLite)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", default="backups", help="folder for the backup files")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            path = backup_create(directory=Path(opts["dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
