"""Supplies: the morning list of a big run, and reading a long 接龙 paste.

- run_list_ms: ``supplies.selectors.morning_list`` for a run of 400 orders of 6 lines
  (the shopping list summed by item and the bag per household), median of the trials;
- run_list_page_ms: the same list as the page, through the whole Django stack;
- run_list_queries: SQL statements of one morning list (must not grow with the orders:
  measured at 40 and at 400 orders, ``run_list_queries_at_40`` beside it);
- jielong_parse_ms: ``supplies.jielong.parse`` of a 400-line paste;
- jielong_preview_ms: the API's preview of it, rooms resolved in the registry (one query).

The data lives in a compound of its own (``bench supplies``), rebuilt on every run.
"""

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compounds.models import Building, Community, Compound, Role
from residents.models import Household, Resident
from supplies import jielong, selectors
from supplies.models import Order, OrderLine, Run

NAME = "supplies"
COMPOUND = "bench supplies"
ITEMS = [
    ("白菜", "斤"),
    ("鸡蛋", "盒"),
    ("土豆", "斤"),
    ("番茄", "斤"),
    ("大米", "袋"),
    ("酱油", "瓶"),
    ("面条", "把"),
    ("牛奶", "箱"),
    ("猪肉", "斤"),
    ("葱", "把"),
]


def _median_ms(fn: Callable[[], Any], trials: int) -> float:
    times = []
    for _ in range(trials):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def _drop() -> None:
    """The bench's compound, in the order its protected keys want."""
    for compound in Compound.objects.filter(name=COMPOUND):
        OrderLine.objects.filter(order__run__compound=compound).delete()
        Order.objects.filter(run__compound=compound).delete()
        Run.objects.filter(compound=compound).delete()
        Household.objects.filter(compound=compound).delete()
        Building.objects.filter(compound=compound).delete()
        compound.delete()


def _build(orders: int) -> tuple[Compound, Run, Run, str]:
    _drop()
    community = Community.objects.get_or_create(name="bench community")[0]
    compound = Compound.objects.create(community=community, name=COMPOUND, address="bench")
    buildings = [Building.objects.create(compound=compound, number=str(20 + b)) for b in range(10)]
    per_building = -(-orders // len(buildings))
    households = Household.objects.bulk_create(
        Household(compound=compound, building=b, room=f"{1 + i // 4}0{1 + i % 4}")
        for b in buildings
        for i in range(per_building)
    )[:orders]
    Resident.objects.bulk_create(
        Resident(household=h, name=f"居民{h.pk}", relation="head") for h in households
    )
    user = get_user_model().objects.get_or_create(username="bench-supplies")[0]
    Role.objects.get_or_create(user=user, kind="secretary", compound=compound)
    cutoff = timezone.now() + timedelta(hours=12)
    runs = [
        Run.objects.create(
            compound=compound, date=timezone.localdate(), cutoff_at=cutoff, created_by=user
        )
        for _ in range(2)
    ]
    made = Order.objects.bulk_create(
        Order(run=run, household=h, channel="jielong")
        for run, count in ((runs[0], orders), (runs[1], max(1, orders // 10)))
        for h in households[:count]
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            position=p,
            name=ITEMS[(o.pk + p) % len(ITEMS)][0],
            quantity=Decimal(1 + p),
            unit=ITEMS[(o.pk + p) % len(ITEMS)][1],
            channel="jielong",
        )
        for o in made
        for p in range(6)
    )
    paste = ["【接龙】明天买菜", "例：20-101 白菜2斤"]
    for n, h in enumerate(households, start=1):
        paste.append(f"{n}. {h.building.number}栋{h.room} 白菜两斤 鸡蛋1盒 🍅番茄3斤（要新鲜的）")
    return compound, runs[0], runs[1], "\n".join(paste[:400])


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def run(log: Callable[[str], None], opts: dict[str, Any]) -> dict[str, float | int | str]:
    quick = bool(opts.get("quick"))
    orders, trials = (20, 2) if quick else (400, 25)
    log(f"building a run of {orders} orders of 6 lines …")
    compound, big, small, paste = _build(orders)
    try:
        listed = selectors.morning_list(run=big)
        assert len(listed.bags) == orders
        figures: dict[str, float | int | str] = {
            "run_list_ms": _median_ms(lambda: selectors.morning_list(run=big), trials),
            "run_list_queries": _queries(lambda: selectors.morning_list(run=big)),
            "run_list_queries_at_40": _queries(lambda: selectors.morning_list(run=small)),
        }
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username="bench-supplies"))
        url = reverse("supplies:run-list", args=[compound.pk, big.pk])

        def page() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        figures["run_list_page_ms"] = _median_ms(page, max(2, trials // 5))
        lines = len(paste.splitlines())
        figures["jielong_lines"] = lines
        figures["jielong_parse_ms"] = _median_ms(lambda: jielong.parse(paste), trials)
        figures["jielong_preview_ms"] = _median_ms(
            lambda: selectors.jielong_preview(compound=compound, building=None, text=paste), trials
        )
        return figures
    finally:
        _drop()
