"""make bench: the gate's check-in, measured on the configured database.

Migrates first (so a fresh ``DATABASE_URL`` works), builds a 1,300-household compound
with 60 days of passages (about 400,000 rows), then prints ``name: value`` lines:

- gate_queries_per_checkin: SQL statements of one POST /api/v1/passages/ (session auth, as
  the gate page does it), BEGIN and COMMIT included; measured at ~4,000 rows and at the full log
- gate_median_ms, gate_p99_ms: server time per check-in through the full Django stack
- gate_floor_median_ms: the same reads and writes as bare SQL on one connection
- gate_over_floor: the ratio of the two medians
- gate_checkins_per_s: 8 concurrent clients against gunicorn (PostgreSQL only), the median
  of ``--load-runs`` runs (3) after an uncounted warm-up; ``gate_checkins_per_s_runs`` and
  ``gate_checkins_per_s_spread`` show the noise

Then each part of ``bastion/benches`` (rosters, rounds, supplies, the gate in a browser…)
prints its own figures. ``--only gate,roster`` or ``--skip browser`` choose the parts
(``make bench BENCH_ARGS="--skip browser"``).
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bastion import benches
from bastion.demo import build_compound
from checkpoints import gate_sql
from checkpoints.models import Passage, PassCard
from compounds.models import Community, Compound, Opening, Role
from residents.models import FeverAlert, Household

BENCH_COMMUNITY = "基准测试社区"
BENCH_COMPOUND = "绿景水岸（基准）"
BENCH_SMALL = "绿景水岸（基准·四千）"
BENCH_USER = "bench-volunteer"


class Command(BaseCommand):
    help = "Benchmark the gate check-in on the configured database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--households", type=int, default=1300)
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--rows", type=int, default=400_000, help="passages to build")
        parser.add_argument("--samples", type=int, default=1000, help="check-ins timed")
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=10.0, help="length of the load run")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
        parser.add_argument(
            "--load-runs", type=int, default=3, help="load runs; the median is reported"
        )
        parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data")
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated parts to run: gate, or a part of bastion/benches (roster, …)",
        )
        parser.add_argument("--skip", default="", help="comma-separated parts to leave out")
        parser.add_argument(
            "--quick", action="store_true", help="small data and few trials (the suite's check)"
        )
        parser.add_argument(
            "--city-compounds", type=int, default=0, help="a smaller city (make bench-city)"
        )
        parser.add_argument("--city-trials", type=int, default=20, help="trials per city figure")

    def log(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    def handle(self, *args: Any, **opts: Any) -> None:
        # A fresh DATABASE_URL has no tables yet; on a migrated database this is a no-op.
        call_command("migrate", interactive=False, verbosity=0)
        self.log(f"bench on {connection.vendor} ({settings.DATABASES['default'].get('NAME')})")
        only = {p for p in opts["only"].split(",") if p}
        skip = {p for p in opts["skip"].split(",") if p}
        known = {"gate"} | {part.NAME for part in benches.parts()}
        if unknown := (only | skip) - known:
            raise CommandError(f"unknown bench part(s): {', '.join(sorted(unknown))}")

        def wanted(name: str) -> bool:
            return (not only or name in only) and name not in skip

        if wanted("gate"):
            self.gate(opts)
        for part in benches.parts():
            # A part that builds a city of its own runs only when named (make bench-city),
            # or small with --quick (the suite's check of every part).
            explicit = getattr(part, "EXPLICIT", False) and not opts["quick"]
            if wanted(part.NAME) and (not explicit or part.NAME in only):
                self.log(f"--- {part.NAME}")
                for name, value in part.run(self.log, opts).items():
                    print(f"{name}: {value}")
                sys.stdout.flush()

    def gate(self, opts: dict[str, Any]) -> None:
        vendor = connection.vendor
        # Two compounds of the same size: one with ~4,000 passages, one with the full log,
        # so that the statement count is measured at both sizes on every run.
        small_compound, user = self.build_base(BENCH_SMALL, opts["households"], opts["rebuild"])
        compound, user = self.build_base(BENCH_COMPOUND, opts["households"], opts["rebuild"])
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        small_opening = small_compound.openings.get(name="南门")
        existing = Passage.objects.filter(compound=small_compound).count()
        if existing < 4000:
            self.build_passages(small_compound, small_opening, user, 4000 - existing, opts["days"])
        small_rows = Passage.objects.filter(compound=small_compound).count()
        small = self.count_statements(client, small_opening, self.cards(small_compound))

        opening = compound.openings.get(name="南门")
        cards = self.cards(compound)
        if Passage.objects.filter(compound=compound).count() < opts["rows"]:
            self.build_passages(
                compound,
                opening,
                user,
                opts["rows"] - Passage.objects.filter(compound=compound).count(),
                opts["days"],
            )
        rows = Passage.objects.filter(compound=compound).count()
        large = self.count_statements(client, opening, cards)
        self.log(
            f"statements per check-in: {small} at {small_rows:,} rows, {large} at {rows:,} rows"
        )

        django_ms = self.time_django(client, opening, cards, opts["samples"])
        floor_ms = self.time_floor(user, opening, compound, cards, opts["samples"])
        med, p99 = statistics.median(django_ms), percentile(django_ms, 99)
        floor_med = statistics.median(floor_ms)
        print(f"gate_passages_rows: {rows}")
        print(f"gate_queries_per_checkin: {large}")
        print(f"gate_queries_per_checkin_at_4k_rows: {small}")
        print(f"gate_median_ms: {med:.2f}")
        print(f"gate_p99_ms: {p99:.2f}")
        print(f"gate_floor_median_ms: {floor_med:.2f}")
        print(f"gate_over_floor: {med / floor_med:.2f}")
        sys.stdout.flush()
        if vendor == "postgresql":
            rates = self.load(
                user,
                opening,
                cards,
                opts["clients"],
                opts["seconds"],
                opts["workers"],
                max(1, opts["load_runs"]),
            )
            # A shared 2-core machine makes one run noisy: the median of several, and
            # their spread so that a reader can judge the noise.
            print(f"gate_checkins_per_s: {statistics.median(rates):.0f}")
            print(f"gate_checkins_per_s_runs: {' '.join(f'{r:.0f}' for r in rates)}")
            print(f"gate_checkins_per_s_spread: {max(rates) - min(rates):.0f}")
        else:
            self.log(
                "gate_checkins_per_s: skipped, needs PostgreSQL (set DATABASE_URL=postgres://…)"
            )

    # --- data -------------------------------------------------------------------------

    def cards(self, compound: Compound) -> list[str]:
        return list(
            PassCard.objects.filter(compound=compound, state="active").values_list(
                "number", flat=True
            )
        )

    def build_base(self, name: str, households: int, rebuild: bool) -> tuple[Compound, Any]:
        community, _ = Community.objects.get_or_create(name=BENCH_COMMUNITY)
        compound = Compound.objects.filter(community=community, name=name).first()
        if compound and (rebuild or compound.households.count() != households):
            self.log("dropping the previous bench compound …")
            # Passages first: they point at the alerts.
            Passage.objects.filter(compound=compound)._raw_delete(connection.alias)
            FeverAlert.objects.filter(compound=compound).delete()
            PassCard.objects.filter(compound=compound)._raw_delete(connection.alias)
            Household.objects.filter(compound=compound).delete()
            compound.delete()
            compound = None
        user = get_user_model().objects.filter(username=BENCH_USER).first()
        if user is None:
            user = get_user_model().objects.create_user(BENCH_USER, password=uuid.uuid4().hex)
        if compound is not None:
            return compound, user
        self.log(f"building {households:,} households with residents and cards …")
        with transaction.atomic():
            # The same builder as the demo's large compound, so the bench measures the
            # compound our users run: buildings, residents, one active card per household.
            compound = build_compound(
                community,
                name,
                households,
                round(households * 3.46),
                random.Random(2020),
                progress=self.log,
            )
            Role.objects.create(user=user, kind="volunteer", compound=compound)
        return compound, user

    def build_passages(
        self, compound: Compound, opening: Opening, user: Any, count: int, days: int
    ) -> None:
        """History at the gate: outings every other day, entries, work-pass trips, denied scans."""
        rng = random.Random(2020)
        households = list(Household.objects.filter(compound=compound).values_list("pk", flat=True))
        now = timezone.now() - timedelta(days=3)
        start = now - timedelta(days=days)
        batch: list[Passage] = []
        made = 0
        self.log(f"building {count:,} passages over {days} days …")
        t0 = time.perf_counter()
        while made < count:
            h = rng.choice(households)
            at = start + timedelta(seconds=rng.randrange(days * 86400))
            kind = rng.random()
            if kind < 0.35:
                direction, verdict, reason, quota = "out", "allowed", "", True
            elif kind < 0.7:
                direction, verdict, reason, quota = "in", "allowed", "", False
            elif kind < 0.8:
                direction, verdict, reason, quota = "out", "allowed", "", False  # work pass
            else:
                direction, verdict, reason, quota = "out", "denied", "quota_used", False
            batch.append(
                Passage(
                    compound=compound,
                    opening=opening,
                    household_id=h,
                    direction=direction,
                    temperature=Decimal("36.5"),
                    occurred_at=at,
                    received_at=at,
                    volunteer=user,
                    verdict=verdict,
                    reason=reason,
                    counts_quota=quota,
                    client_id=uuid.uuid4(),
                )
            )
            made += 1
            if len(batch) == 5000 or made == count:
                Passage.objects.bulk_create(batch)
                batch = []
                if made % 50_000 == 0 or made == count:
                    self.log(f"  {made:,}/{count:,} passages ({time.perf_counter() - t0:.0f} s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE checkpoints_passage")

    # --- measurements -----------------------------------------------------------------

    def body(self, opening: Opening, cards: list[str], rng: random.Random) -> str:
        return json.dumps(
            {
                "gate": opening.pk,
                "card": rng.choice(cards),
                "direction": rng.choice(["out", "out", "in"]),
                "temperature": rng.choice([36.2, 36.5, 36.8, 37.0]),
                "client_id": str(uuid.uuid4()),
            }
        )

    def count_statements(self, client: Client, opening: Opening, cards: list[str]) -> int:
        """Statements sent for one check-in, plus BEGIN and COMMIT for each transaction."""
        rng = random.Random(1)
        self.post(client, self.body(opening, cards, rng))  # warm caches
        commits = 0
        real_commit = connection.commit

        def counting_commit() -> None:
            nonlocal commits
            commits += 1
            real_commit()

        connection.commit = counting_commit  # type: ignore[method-assign]
        try:
            with CaptureQueriesContext(connection) as captured:
                self.post(client, self.body(opening, cards, rng))
        finally:
            connection.commit = real_commit  # type: ignore[method-assign]
        statements = [q["sql"] for q in captured.captured_queries]
        if "COMMIT" in statements:  # the backend logs its transaction control itself
            return len(statements)
        return len(statements) + 2 * commits

    def post(self, client: Client, body: str) -> None:
        response = client.post("/api/v1/passages/", body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(
                f"check-in failed: {response.status_code} {response.content[:200]!r}"
            )

    def time_django(
        self, client: Client, opening: Opening, cards: list[str], samples: int
    ) -> list[float]:
        rng = random.Random(2)
        bodies = [self.body(opening, cards, rng) for _ in range(samples + 50)]
        out = []
        for i, body in enumerate(bodies):
            t = time.perf_counter()
            self.post(client, body)
            if i >= 50:  # the first requests warm up caches and connections
                out.append((time.perf_counter() - t) * 1000)
            if i % 250 == 0:
                self.log(f"  django: {i}/{len(bodies)}")
        return out

    def time_floor(
        self, user: Any, opening: Opening, compound: Compound, cards: list[str], samples: int
    ) -> list[float]:
        """The check-in's reads and writes as hand-written SQL on one connection."""
        from django.contrib.sessions.models import Session

        rng = random.Random(3)
        session = Session.objects.order_by("-expire_date").first()
        if session is None:
            raise CommandError("No session: the Django run logs in first.")
        pg = connection.vendor == "postgresql"
        lock = " FOR UPDATE OF h" if pg else ""
        ph = "%s"
        connection.ensure_connection()
        raw = connection.connection

        def q(sql: str) -> str:
            return sql if pg else sql.replace(ph, "?")

        out = []
        for i in range(samples + 50):
            card = rng.choice(cards)
            now = timezone.now()
            t = time.perf_counter()
            cur = raw.cursor()
            cur.execute(
                q(
                    f"SELECT session_data FROM django_session WHERE session_key = {ph} AND expire_date > {ph}"
                ),
                (session.session_key, now),
            )
            cur.fetchone()
            cur.execute(q(f"SELECT id, is_active FROM auth_user WHERE id = {ph}"), (user.pk,))
            cur.fetchone()
            cur.execute(
                q(
                    "SELECT o.id, o.state, o.vehicle_rule, c.id, hr.fever_line, r.quota_mode, r.quota_days "
                    "FROM compounds_opening o JOIN compounds_compound c ON c.id = o.compound_id "
                    "LEFT JOIN checkpoints_compoundrules r ON r.compound_id = c.id "
                    "LEFT JOIN residents_healthrules hr ON hr.compound_id = c.id "
                    f"WHERE o.id = {ph} AND o.compound_id IN (SELECT compound_id FROM compounds_role WHERE user_id = {ph})"
                ),
                (opening.pk, user.pk),
            )
            cur.fetchone()
            if pg:
                cur.execute("BEGIN")
            else:
                cur.execute("BEGIN IMMEDIATE")
            cur.execute(
                q(
                    "SELECT p.id, p.state, p.compound_id, h.id, h.quarantine_until, b.sealed "
                    "FROM checkpoints_passcard p JOIN residents_household h ON h.id = p.household_id "
                    f"JOIN compounds_building b ON b.id = h.building_id WHERE p.number = {ph}{lock}"
                ),
                (card,),
            )
            row = cur.fetchone()
            cur.execute(
                q(
                    "SELECT occurred_at FROM checkpoints_passage WHERE household_id = "
                    f"{ph} AND {gate_sql.quota_exit_condition()} AND occurred_at >= {ph}"
                ),
                (row[3], now - timedelta(days=2)),
            )
            cur.fetchall()
            cur.execute(
                q(
                    "INSERT INTO checkpoints_passage (compound_id, opening_id, card_id, household_id, direction, temperature, "
                    "vehicle, occurred_at, received_at, volunteer_id, verdict, reason, counts_quota, fever, late, breach, client_id, request_hash) "
                    f"VALUES ({', '.join([ph] * 18)}) RETURNING id"
                ),
                (
                    compound.pk,
                    opening.pk,
                    row[0],
                    row[3],
                    "out",
                    "36.5",
                    False,
                    now,
                    now,
                    user.pk,
                    "allowed",
                    "",
                    False,
                    False,
                    False,
                    "",
                    str(uuid.uuid4()) if pg else uuid.uuid4().hex,
                    "0" * 64,
                ),
            )
            passage_id = cur.fetchone()[0]
            # The household's gate state, as the check-in writes it (gate_sql.gate_state_write).
            cur.execute(
                q(gate_sql._gate_state_sql(connection.vendor)),
                (row[3], compound.pk, now, passage_id, now, now),
            )
            cur.execute("COMMIT")
            cur.close()
            if i >= 50:
                out.append((time.perf_counter() - t) * 1000)
        return out

    def load(
        self,
        user: Any,
        opening: Opening,
        cards: list[str],
        clients: int,
        seconds: float,
        workers: int,
        runs: int,
    ) -> list[float]:
        token, _ = Token.objects.get_or_create(user=user)
        port = free_port()
        # One token for every client: the API's per-account throttle would measure itself.
        env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING", "API_THROTTLE": "0"}
        self.log(
            f"load: gunicorn with {workers} sync workers on 127.0.0.1:{port}, {clients} clients for {seconds:.0f} s"
        )
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bastion.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        cards_file = Path(tempfile.mkstemp(suffix=".txt")[1])
        cards_file.write_text("\n".join(cards), encoding="utf-8")
        try:
            wait_for_port(port)
            # A short run first, not counted: the workers import the app on first use.
            self.load_run(port, token.key, opening, cards_file, clients, min(2.0, seconds))
            rates = []
            for run in range(1, runs + 1):
                done, errors, elapsed = self.load_run(
                    port, token.key, opening, cards_file, clients, seconds
                )
                if errors:
                    self.log(f"load run {run}: {errors} failed requests")
                self.log(f"load run {run}/{runs}: {done:,} check-ins in {elapsed:.1f} s")
                rates.append(done / elapsed)
        finally:
            server.terminate()
            server.wait(timeout=20)
            cards_file.unlink(missing_ok=True)
        return rates

    def load_run(
        self,
        port: int,
        token: str,
        opening: Opening,
        cards_file: Path,
        clients: int,
        seconds: float,
    ) -> tuple[int, int, float]:
        out = subprocess.run(  # noqa: S603
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "scripts" / "loadgen.py"),
                "--port",
                str(port),
                "--token",
                token,
                "--gate",
                str(opening.pk),
                "--cards",
                str(cards_file),
                "--clients",
                str(clients),
                "--seconds",
                str(seconds),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 120,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        return int(result["done"]), int(result["errors"]), float(result["seconds"])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")
