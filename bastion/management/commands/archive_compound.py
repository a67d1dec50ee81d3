"""manage.py archive_compound: the office's archive page, from a shell (bastion.archive)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bastion import archive
from compounds.errors import CompoundError
from compounds.models import Compound


class Command(BaseCommand):
    help = (
        "Archive a compound at the end of the emergency: write the Excel handover file, "
        "purge its residents' personal data, keep the figures, make it read-only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("compound", type=int, help="the compound's id")
        parser.add_argument("--actor", required=True, help="the office login doing it")
        parser.add_argument("--confirm", required=True, help="the compound's name, exactly")

    def handle(self, *args: Any, **opts: Any) -> None:
        compound = Compound.objects.filter(pk=opts["compound"]).first()
        actor = get_user_model().objects.filter(username=opts["actor"]).first()
        if compound is None or actor is None:
            raise CommandError("No such compound or login.")
        try:
            done = archive.compound_archive(
                compound=compound, actor=actor, confirm_name=opts["confirm"]
            )
        except CompoundError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(f"archive_file: {done.path}")
        self.stdout.write(f"archive_sha256: {done.sha256}")
        for key, value in done.figures.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(f"residents_anonymised: {done.purged.residents}")
