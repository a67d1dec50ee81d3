"""Rounds and quarantine: opening a round over the 1,300-household compound, its coverage
grid half done, and today's quarantine checks of 500 people.

- round_open_ms: ``round_open`` over every household (one pending visit each, in bulk);
  a service call per row would show here at once
- round_coverage_ms, round_coverage_queries: the coverage page (GET, a secretary's
  session, the whole Django stack) of that round with half the doors visited; the
  queries must not grow with the households
- round_coverage_grid_ms: the grid's selector alone
- quarantine_today_ms: the checks due today for 500 people in quarantine (the selector,
  rows loaded), and quarantine_board_ms: the page that shows them with the missed ones
"""

import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bastion.benches import Figures
from bastion.demo import build_compound
from checkpoints.models import PassCard
from compounds.models import Community, Compound, Role
from residents.models import FeverAlert, Household, Resident
from residents.quarantine import selectors as quarantine_selectors
from residents.quarantine.models import Quarantine, QuarantineCheck
from residents.rounds import selectors
from residents.rounds.models import Round, Visit
from residents.rounds.services import round_open

NAME = "rounds"
COMMUNITY = "基准测试社区"
COMPOUND = "绿景水岸（排查基准）"
USER = "bench-secretary-rounds"


def _median_ms(fn: Callable[[], Any], trials: int) -> float:
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def _drop(compound: Compound) -> None:
    Visit.objects.filter(compound=compound).delete()
    Round.objects.filter(compound=compound).delete()
    QuarantineCheck.objects.filter(compound=compound).delete()
    Quarantine.objects.filter(compound=compound).delete()
    FeverAlert.objects.filter(compound=compound).delete()
    PassCard.objects.filter(compound=compound)._raw_delete(connection.alias)
    Household.objects.filter(compound=compound).delete()
    compound.delete()


def _build(households: int, log: Callable[[str], None]) -> tuple[Compound, Any]:
    community, _ = Community.objects.get_or_create(name=COMMUNITY)
    for old in Compound.objects.filter(community=community, name=COMPOUND):
        log("dropping the previous rounds bench compound …")
        _drop(old)
    user = get_user_model().objects.filter(username=USER).first()
    if user is None:
        user = get_user_model().objects.create_user(USER, password=uuid.uuid4().hex)
    log(f"building {households:,} households for the rounds bench …")
    with transaction.atomic():
        compound = build_compound(
            community, COMPOUND, households, round(households * 3.46), random.Random(2020)
        )
        Role.objects.get_or_create(user=user, kind="secretary", compound=compound)
    return compound, user


def _open(compound: Compound, user: Any, number: int) -> Round:
    today = timezone.localdate()
    round_, _created = round_open(
        compound=compound,
        actor=user,
        number=number,
        title=f"第{number}轮全面排查",
        starts_on=today,
        ends_on=today + timedelta(days=2),
    )
    return round_


def _half_done(round_: Round) -> None:
    visits = list(Visit.objects.filter(round=round_).order_by("pk"))
    results = [Visit.Result.EVERYONE, Visit.Result.SOME, Visit.Result.NOBODY, Visit.Result.REFUSED]
    now = timezone.now()
    for i, visit in enumerate(visits[: len(visits) // 2]):
        visit.result = results[i % len(results)]
        visit.colour = Visit.Colour.YELLOW if visit.result == Visit.Result.NOBODY else "red"
        visit.visited_at = now
    Visit.objects.bulk_update(visits, ["result", "colour", "visited_at"], batch_size=500)


def _quarantines(compound: Compound, people: int) -> None:
    """``people`` residents in quarantine since 5 days, each with 15 check rows (bench
    data written in bulk; the service's own cost is round_open's kind, not measured)."""
    today = timezone.localdate()
    residents = list(Resident.objects.filter(household__compound=compound).order_by("pk")[:people])
    rows = Quarantine.objects.bulk_create(
        [
            Quarantine(
                compound=compound,
                household_id=r.household_id,
                resident=r,
                reason=Quarantine.Reason.RETURNEE,
                starts_on=today - timedelta(days=5),
                ends_on=today + timedelta(days=9),
            )
            for r in residents
        ],
        batch_size=500,
    )
    if any(q.pk is None for q in rows):  # a database that returns no keys on bulk insert
        rows = list(Quarantine.objects.filter(compound=compound))
    QuarantineCheck.objects.bulk_create(
        [
            QuarantineCheck(quarantine=q, compound=compound, day=q.starts_on + timedelta(days=d))
            for q in rows
            for d in range(15)
        ],
        batch_size=1000,
    )


def run(log: Callable[[str], None], opts: dict[str, Any]) -> Figures:
    quick = bool(opts.get("quick"))
    households = 30 if quick else 1300
    trials = 2 if quick else 20
    compound, user = _build(households, log)
    try:
        return _measure(compound, user, households, trials, quick, log)
    finally:
        _drop(compound)


def _measure(
    compound: Compound,
    user: Any,
    households: int,
    trials: int,
    quick: bool,
    log: Callable[[str], None],
) -> Figures:
    numbers = iter(range(100, 1000))
    opened: list[float] = []
    for _ in range(trials):
        number = next(numbers)
        start = time.perf_counter()
        round_ = _open(compound, user, number)
        opened.append((time.perf_counter() - start) * 1000)
        assert Visit.objects.filter(round=round_).count() == households
        round_.delete()
    round_ = _open(compound, user, 4)
    _half_done(round_)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/c/{compound.pk}/rounds/{round_.pk}/"
    client.get(url)  # warm: templates, the session
    statements: list[str] = []

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not the debug log: the request's start resets that log, and the
    # request's end may close the connection.
    with connection.execute_wrapper(counting):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    log("coverage page: measured")
    figures: Figures = {
        "round_open_ms": round(statistics.median(opened), 1),
        "round_open_households": households,
        "round_coverage_ms": _median_ms(lambda: client.get(url), trials),
        "round_coverage_queries": len(statements),
        "round_coverage_grid_ms": _median_ms(lambda: selectors.coverage(round_=round_), trials),
    }
    people = 20 if quick else 500
    _quarantines(compound, people)
    figures["quarantine_people"] = people
    figures["quarantine_today_ms"] = _median_ms(
        lambda: list(quarantine_selectors.checks_due(compound=compound)), trials
    )
    board = f"/c/{compound.pk}/quarantine/"
    client.get(board)
    figures["quarantine_board_ms"] = _median_ms(lambda: client.get(board), trials)
    return figures
