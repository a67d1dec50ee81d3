"""Close the sign-ins left open past their shift's end (run it from cron, every hour)."""

from typing import Any

from django.core.management.base import BaseCommand

from checkpoints.rosters.services import forgotten_sign_outs_close


class Command(BaseCommand):
    help = "Close forgotten sign-outs at their shift's end, marked as forgotten."

    def handle(self, *args: Any, **opts: Any) -> None:
        closed = forgotten_sign_outs_close()
        self.stdout.write(f"{closed} forgotten sign-outs closed")
