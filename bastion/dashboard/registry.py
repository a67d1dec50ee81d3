"""The registry of dashboard areas and the one function that computes their figures."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise


@dataclass(frozen=True)
class Moment:
    """What the figures are for: a day (Asia/Shanghai), ``now``, and the database alias
    to read (``bastion.replica.read_alias`` for the heavy pages)."""

    day: date
    now: datetime
    using: str = "default"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, datetime.min.time()))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.day + timedelta(days=1), datetime.min.time())
        )

    @classmethod
    def today(cls, *, using: str = "default") -> "Moment":
        return cls(day=timezone.localdate(), now=timezone.now(), using=using)


# A link to the list behind a figure: (compound_id, moment, extra) -> URL.
Link = Callable[[int, Moment, str], str]


@dataclass(frozen=True)
class Figure:
    key: str  # "<area>.<name>", unique
    label: str | Promise
    link: Link | None = None
    alert: bool = False  # worth a colour when above zero
    # Shown as a column of the overview (some figures are for the compound page only).
    column: bool = True
    # A share in per cent of two other figures (numerator, denominator): never summed,
    # computed again from the summed parts for totals and the daily report.
    ratio: tuple[str, str] | None = None
    # The kinds of compound whose page shows it (``Compound.Kind`` values); None: all.
    kinds: frozenset[str] | None = None

    @property
    def unit(self) -> str:
        return "%" if self.ratio else ""


@dataclass(frozen=True)
class ReportLine:
    """A line of the daily report: a label and the figure keys it sums over compounds."""

    label: str | Promise
    keys: tuple[str, ...]


Values = dict[str, Any]  # figure key -> int; "<key>:<detail>" -> int for breakdowns
Compute = Callable[[Sequence[int], Moment], dict[int, Values]]


@dataclass(frozen=True)
class Area:
    key: str
    label: str | Promise
    figures: tuple[Figure, ...]
    compute: Compute
    report: tuple[ReportLine, ...] = ()
    order: int = 100
    # The feature of ``compounds.kinds`` the area needs: a site (no households) has no
    # register, gate, rounds or supplies, so its page leaves those areas out.
    feature: str | None = None
    # Labels of the "<key>:<detail>" breakdowns this area returns, by detail code.
    details: dict[str, dict[str, str | Promise]] = field(default_factory=dict)


_areas: dict[str, Area] = {}


def register_area(area: Area) -> None:
    _areas[area.key] = area  # registering again replaces


def areas() -> list[Area]:
    return sorted(_areas.values(), key=lambda a: (a.order, a.key))


def figures() -> list[Figure]:
    return [figure for area in areas() for figure in area.figures]


def compute_all(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """Every area's figures for every compound: a fixed number of queries per area."""
    result: dict[int, Values] = {pk: {} for pk in compound_ids}
    if not compound_ids:
        return result
    # No transaction around the areas: under PostgreSQL's READ COMMITTED each statement
    # reads its own snapshot anyway, and on SQLite (BEGIN IMMEDIATE) a transaction would
    # hold the write lock, and the gates, for as long as the page reads.
    for area in areas():
        for pk, values in area.compute(compound_ids, moment).items():
            result[pk].update(values)
    for values in result.values():
        for figure in figures():
            values.setdefault(figure.key, 0)
        _ratios(values)
    return result


def percent(part: int, whole: int) -> int:
    """A share in whole per cent, rounded down: 99.9 % is not "100 %" (not all done)."""
    return part * 100 // whole if whole else 0


def _ratios(values: Values) -> None:
    for figure in figures():
        if figure.ratio:
            part, whole = figure.ratio
            values[figure.key] = percent(int(values.get(part, 0)), int(values.get(whole, 0)))


def totals(rows: dict[int, Values]) -> Values:
    """The sum of every figure (and breakdown) over the rows; shares from the sums."""
    total: Values = {}
    for values in rows.values():
        for key, value in values.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    _ratios(total)
    return total
