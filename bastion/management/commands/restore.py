"""make restore FILE=…: replace the whole database with a backup. Stop the server first."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from compounds.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--noinput", action="store_true", help="do not ask")

    def handle(self, *args: Any, **opts: Any) -> None:
        name = connection.settings_dict["NAME"]
        if not opts["noinput"]:
            answer = input(f"Replace every row of database {name} with {opts['file']}? [yes/no] ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        connection.close()
        try:
            backup_restore(path=Path(opts["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {opts['file']} into {name}")
