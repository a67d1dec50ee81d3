"""make load: the morning rush against the running server, then a look at the database.

50 gate phones post check-ins (each every 5 s on average, a busy gate in the morning rush),
5 secretaries browse the compound's pages, and 1 client guesses passwords back to back,
for ``--seconds`` (120). Every client stops by itself. Then the database is checked:

- load_lost_records: accepted passages (201/200) missing from the database
- load_doubled_records: client ids stored more than once
- load_quota_breaches: households with more than one allowed outing in the run
- load_errors_5xx: answers with a 5xx status (or no answer at all)

Run it against `make serve` with the same DATABASE_URL; it writes its own community
(负载测试社区), users (load-*) and tokens, and clears that compound's gate log first.
"""

import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bastion import loadclients
from bastion.demo import build_compound
from checkpoints.models import Passage, PassCard
from compounds.models import Community, Compound, Role
from residents.models import FeverAlert, Household

COMMUNITY = "负载测试社区"
COMPOUND = "负载测试小区"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


class Command(BaseCommand):
    help = "Drive the running server on loopback with gate phones, secretaries and a guesser."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--seconds", type=float, default=120.0)
        parser.add_argument("--phones", type=int, default=50)
        parser.add_argument("--secretaries", type=int, default=5)
        parser.add_argument("--guessers", type=int, default=1, choices=[0, 1])
        parser.add_argument("--interval", type=float, default=5.0, help="s between a phone's posts")
        parser.add_argument("--think", type=float, default=2.0, help="s a secretary reads a page")
        parser.add_argument("--households", type=int, default=600)

    def handle(self, *args: Any, **opts: Any) -> None:
        url = urlsplit(opts["url"])
        host, port = url.hostname or "127.0.0.1", url.port or 80
        try:
            loadclients.require_loopback(host)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        compound = self.prepare(opts["households"])
        tokens = self.gate_tokens(compound, opts["phones"])
        sessions = self.secretary_sessions(compound, opts["secretaries"])
        opening = compound.openings.get(name="南门")
        cards = list(
            PassCard.objects.filter(compound=compound, state="active").values_list(
                "number", flat=True
            )
        )
        pages = self.pages(compound)
        guessed = ["load-secretary-1", "load-gate-01", "admin", "office", "secretary"]
        guessed += [f"nobody{n}" for n in range(20)]
        seconds = opts["seconds"]
        self.log(
            f"load on {host}:{port} for {seconds:.0f} s: {len(tokens)} phones, "
            f"{len(sessions)} secretaries, {opts['guessers']} guesser"
        )
        connections.close_all()  # the client processes must not share this connection
        started = time.monotonic()
        with ProcessPoolExecutor(max_workers=3, mp_context=get_context("fork")) as pool:
            jobs = [
                pool.submit(
                    loadclients.phones,
                    host,
                    port,
                    tokens,
                    opening.pk,
                    cards,
                    seconds,
                    opts["interval"],
                ),
                pool.submit(
                    loadclients.secretaries, host, port, sessions, pages, seconds, opts["think"]
                ),
            ]
            if opts["guessers"]:
                jobs.append(pool.submit(loadclients.guesser, host, port, guessed, seconds))
            results = [job.result() for job in jobs]
        self.log(f"clients done after {time.monotonic() - started:.0f} s")
        self.report(compound, results)

    def log(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    # --- data -------------------------------------------------------------------------

    def prepare(self, households: int) -> Compound:
        community, _ = Community.objects.get_or_create(name=COMMUNITY)
        compound = Compound.objects.filter(community=community, name=COMPOUND).first()
        if compound is not None and compound.households.count() != households:
            raise CommandError(
                f"{COMPOUND} exists with another size: run with "
                f"--households {compound.households.count()}"
            )
        if compound is None:
            self.log(f"building {households} households …")
            with transaction.atomic():
                compound = build_compound(
                    community, COMPOUND, households, round(households * 3.46), random.Random(13)
                )
        # A fresh gate log, so that every household has its outing to take. Passages
        # first: they point at the fever alerts (whose actions go with them).
        Passage.objects.filter(compound=compound)._raw_delete(connection.alias)
        FeverAlert.objects.filter(compound=compound).delete()
        Household.objects.filter(compound=compound).update(quarantine_until=None)
        return compound

    def user(self, username: str, kind: str, compound: Compound) -> Any:
        user, _ = get_user_model().objects.get_or_create(username=username)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Role.objects.get_or_create(user=user, kind=kind, compound=compound)
        return user

    def gate_tokens(self, compound: Compound, count: int) -> list[str]:
        users = [
            self.user(f"load-gate-{n:02d}", "volunteer", compound) for n in range(1, count + 1)
        ]
        return [Token.objects.get_or_create(user=u)[0].key for u in users]

    def secretary_sessions(self, compound: Compound, count: int) -> list[str]:
        sessions = []
        for n in range(1, count + 1):
            client = Client()
            client.force_login(self.user(f"load-secretary-{n}", "secretary", compound))
            sessions.append(client.cookies["sessionid"].value)
        return sessions

    def pages(self, compound: Compound) -> list[str]:
        c = compound.pk
        households = list(Household.objects.filter(compound=compound).values_list("pk", flat=True))
        rng = random.Random(5)
        pages = [
            reverse("compound-home", args=[c]),
            reverse("residents:households", args=[c]),
            reverse("residents:households", args=[c]) + "?page=3",
            reverse("residents:buildings", args=[c]),
            reverse("residents:vulnerable", args=[c]),
            reverse("checkpoints:log", args=[c]),
            reverse("checkpoints:out-now", args=[c]),
        ]
        pages += [reverse("residents:household", args=[c, h]) for h in rng.sample(households, 10)]
        return pages

    # --- checks -----------------------------------------------------------------------

    def report(self, compound: Compound, results: list[loadclients.Tally]) -> None:
        total = loadclients.Tally()
        for tally in results:
            total.merge(tally)
        gate = results[0]
        accepted = set(gate.accepted)
        stored = Passage.objects.filter(compound=compound)
        found = {str(x) for x in stored.values_list("client_id", flat=True)}
        doubled = stored.values("client_id").annotate(n=Count("id")).filter(n__gt=1).count()
        breaches = (
            stored.filter(verdict="allowed", direction="out", counts_quota=True)
            .values("household")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        figures = {
            "load_requests": total.requests,
            "load_errors_5xx": total.errors_5xx,
            "load_lost_records": len(accepted - found),
            "load_doubled_records": doubled,
            "load_quota_breaches": breaches,
            "load_unsent_records": gate.unsent,
            "load_gate_posts": len(gate.gate_ms),
            "load_gate_accepted": len(accepted),
            "load_gate_p50_ms": f"{statistics.median(gate.gate_ms or [0]):.1f}",
            "load_gate_p99_ms": f"{percentile(gate.gate_ms, 99):.1f}",
            "load_pages": results[1].requests,
            "load_guesses": results[2].requests if len(results) > 2 else 0,
            "load_statuses": dict(sorted(total.statuses.items())),
        }
        for name, value in figures.items():
            print(f"{name}: {value}")
        sys.stdout.flush()
        if total.errors_5xx or figures["load_lost_records"] or doubled or breaches:
            raise CommandError("load: a check failed (see the figures above)")
