"""The 14-day chart of the compound page, drawn here as SVG: no script, no library, and
it scales to the width of a 390-px phone (a viewBox, the text sized for that width).

Series are registered like areas: each counts one thing per day for some compounds in
one grouped query (exits and entries share theirs): exits, entries, fevers raised and
quarantines begun.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from checkpoints.models import Passage
from residents.models import FeverAlert
from residents.quarantine.models import Quarantine

CHART_DAYS = 14


@dataclass(frozen=True)
class Series:
    key: str
    label: str | Promise
    colour: str
    # (compound_ids, first day, last day, alias, memo) -> {day: count}; ``memo`` lets
    # series that come from one query (exits and entries) share it within a chart.
    count: Callable[[Sequence[int], date, date, str, dict[str, Any]], dict[date, int]]
    order: int = 100


_series: dict[str, Series] = {}


def register_series(series: Series) -> None:
    _series[series.key] = series


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    return start, end


def _per_day(qs: QuerySet[Any], field: str) -> dict[date, int]:
    rows = (
        qs.annotate(d=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("d")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["d"]: row["n"] for row in rows}


def _passages(direction: str) -> Callable[..., dict[date, int]]:
    def count(
        compound_ids: Sequence[int], first: date, last: date, using: str, memo: dict[str, Any]
    ) -> dict[date, int]:
        if "passages" not in memo:
            start, end = _bounds(first, last)
            rows = (
                Passage.objects.using(using)
                .filter(
                    compound_id__in=compound_ids,
                    occurred_at__gte=start,
                    occurred_at__lt=end,
                    verdict=Passage.Verdict.ALLOWED,
                )
                .annotate(d=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
                .values("d", "direction")
                .annotate(n=Count("pk"))
                .order_by()
            )
            memo["passages"] = {(row["d"], row["direction"]): row["n"] for row in rows}
        per_day: dict[tuple[date, str], int] = memo["passages"]
        return {d: n for (d, way), n in per_day.items() if way == direction}

    return count


def _fevers(
    compound_ids: Sequence[int], first: date, last: date, using: str, memo: dict[str, Any]
) -> dict[date, int]:
    start, end = _bounds(first, last)
    qs = FeverAlert.objects.using(using).filter(
        compound_id__in=compound_ids, created_at__gte=start, created_at__lt=end
    )
    return _per_day(qs, "created_at")


def _quarantines(
    compound_ids: Sequence[int], first: date, last: date, using: str, memo: dict[str, Any]
) -> dict[date, int]:
    """Quarantines begun each day (home and central), by their first day."""
    rows = (
        Quarantine.objects.using(using)
        .filter(compound_id__in=compound_ids, starts_on__gte=first, starts_on__lte=last)
        .values("starts_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["starts_on"]: row["n"] for row in rows}


def register_all() -> None:
    for series in (
        Series("exits", _("exits"), "#1f6feb", _passages(Passage.Direction.OUT), 10),
        Series("entries", _("entries"), "#2da44e", _passages(Passage.Direction.IN), 20),
        Series("fevers", _("fevers"), "#cf222e", _fevers, 30),
        Series("quarantines", _("new quarantines"), "#8250df", _quarantines, 40),
    ):
        register_series(series)


@dataclass(frozen=True)
class Drawn:
    key: str
    label: str | Promise
    colour: str
    values: list[int]
    points: str  # the polyline's points
    total: int


W, H = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 26


def nice_max(value: int) -> int:
    """The top of the y axis: 1, 2, 5, 10, 20, 50 … at or above ``value``."""
    base = 1
    while True:
        for step in (1, 2, 5):
            if base * step >= value:
                return base * step
        base *= 10


def chart(compound_ids: Sequence[int], *, last: date, using: str = "default") -> dict[str, Any]:
    """The chart's context: one query per series, then pure geometry."""
    first = last - timedelta(days=CHART_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(CHART_DAYS)]
    memo: dict[str, Any] = {}
    counted = [
        (s, s.count(compound_ids, first, last, using, memo))
        for s in sorted(_series.values(), key=lambda s: s.order)
    ]
    top = nice_max(max([1, *(n for _s, c in counted for n in c.values())]))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * i / (CHART_DAYS - 1)

    def y(n: int) -> float:
        return TOP + plot_h * (1 - n / top)

    drawn = []
    for series, per_day in counted:
        values = [per_day.get(d, 0) for d in days]
        points = " ".join(f"{x(i):.1f},{y(n):.1f}" for i, n in enumerate(values))
        drawn.append(Drawn(series.key, series.label, series.colour, values, points, sum(values)))
    marks = (0, top // 2, top) if top > 1 else (0, 1)
    ticks = [{"y": f"{y(v):.1f}", "label": v} for v in marks]
    labels = [
        {
            "x": f"{x(i):.1f}",
            "label": d.strftime("%m-%d"),
            "anchor": "end" if i == CHART_DAYS - 1 else "middle",
        }
        for i, d in enumerate(days)
        if i % 3 == 1 or i == CHART_DAYS - 1
    ]
    return {
        "width": W,
        "height": H,
        "plot": {"left": LEFT, "right": W - RIGHT, "top": TOP, "bottom": H - BOTTOM},
        "series": drawn,
        "ticks": ticks,
        "labels": labels,
        "first": first,
        "last": last,
        "days": days,
    }
