"""seed_city: a whole city on the configured database (``bastion.city``).

PostgreSQL loads with COPY (a few minutes for the full city); SQLite gets the same rows
through executemany, slowly: use it only for a few compounds (``--compounds 3``).
"""

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bastion import city


class Command(BaseCommand):
    help = "Build the benchmark city: 300 compounds, 100,000 households, ~9 M passages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--compounds", type=int, default=300)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument(
            "--rebuild",
            action="store_true",
            default=os.environ.get("REBUILD") == "1",
            help="build again even if a city of the same seed stamp exists (or REBUILD=1)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["compounds"] < 1 or opts["days"] < 1:
            raise CommandError("--compounds and --days must be at least 1")
        call_command("migrate", interactive=False, verbosity=0)
        spec = city.CitySpec.scaled(opts["compounds"], days=opts["days"])
        built = ensure_city(spec, rebuild=opts["rebuild"], log=self.say)
        if built is None:
            self.say("A city with this seed stamp is already loaded; nothing rebuilt (REBUILD=1).")
            return
        rows = ", ".join(f"{n:,} {name}" for name, n in built.rows.items())
        self.stdout.write(self.style.SUCCESS(f"City loaded in {built.seconds:.0f} s: {rows}."))
        self.say(f"city_seed_s: {built.seconds:.0f}")

    def say(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()


def ensure_city(spec: city.CitySpec, *, rebuild: bool, log: Any) -> city.Built | None:
    """Build the city unless one with the same stamp is there; None when reused."""
    if not rebuild and city.city_present(spec):
        return None
    if connection.vendor != "postgresql" and spec.households > 5000:
        raise CommandError(
            "seed_city loads with COPY on PostgreSQL (DATABASE_URL=postgres://…). On "
            f"{connection.vendor} it would take hours: use --compounds 3 for a try."
        )
    city.city_delete(log)
    log(f"building the city: {spec.compounds} compounds, {spec.households:,} households, "
        f"{spec.days} days on {connection.vendor} …")  # fmt: skip
    return city.build_city(spec, log)
