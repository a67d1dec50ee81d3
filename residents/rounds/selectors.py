"""Rounds' reads: the coverage grid, a member's households, the comparison of two rounds.

The grid is one query over the round's visits (values, no model instances), grouped in
Python: its cost grows with the rows, its query count does not.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from compounds.ordering import natural_key
from residents.models import Household, Resident
from residents.rounds.models import DONE_RESULTS, Round, Visit
from residents.rounds.services import assigned_q

Result = Visit.Result


@dataclass
class Cell:
    visit_id: int
    household_id: int
    room: str
    result: str
    colour: str
    key: str

    @property
    def state(self) -> str:
        return self.result


@dataclass
class UnitRow:
    label: str
    cells: list[Cell] = field(default_factory=list)
    html: str = ""  # the page's rendering of the cells


@dataclass
class BuildingRow:
    building_id: int
    number: str
    units: dict[str, UnitRow] = field(default_factory=dict)
    total: int = 0
    done: int = 0
    nobody: int = 0
    pending: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def unit_rows(self) -> list[UnitRow]:
        return list(self.units.values())


@dataclass
class Coverage:
    buildings: list[BuildingRow]
    total: int
    done: int
    nobody: int
    pending: int
    refused: int
    missed: list[dict[str, Any]]
    revisit: list[dict[str, Any]]

    @property
    def share(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _address(row: dict[str, Any]) -> str:
    unit = row["household__unit__number"]
    b, room = row["household__building__number"], row["household__room"]
    return f"{b}-{unit}-{room}" if unit else f"{b}-{room}"


def coverage(*, round_: Round) -> Coverage:
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Visit.objects.filter(round=round_)
        .order_by()
        .values(
            "id",
            "result",
            "colour",
            "household_id",
            "household__room",
            "household__building_id",
            "household__building__number",
            "household__unit__number",
        )
    ]
    for row in rows:
        row["key"] = natural_key(
            row["household__building__number"],
            row["household__unit__number"],
            row["household__room"],
        )
    rows.sort(key=lambda r: r["key"])
    buildings: dict[int, BuildingRow] = {}
    missed, revisit = [], []
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        b = buildings.get(row["household__building_id"])
        if b is None:
            b = buildings[row["household__building_id"]] = BuildingRow(
                row["household__building_id"], row["household__building__number"]
            )
        unit_label = row["household__unit__number"] or ""
        unit = b.units.setdefault(unit_label, UnitRow(unit_label))
        result = row["result"]
        unit.cells.append(
            Cell(
                row["id"],
                row["household_id"],
                row["household__room"],
                result,
                row["colour"],
                row["key"],
            )
        )
        b.total += 1
        counts[result] += 1
        line = {
            "visit_id": row["id"],
            "household_id": row["household_id"],
            "address": _address(row),
        }
        if result in DONE_RESULTS:
            b.done += 1
        elif result == Result.NOBODY:
            b.nobody += 1
            revisit.append(line)
        else:
            b.pending += 1
            missed.append(line)
    ordered = sorted(buildings.values(), key=lambda b: natural_key(b.number))
    done = sum(counts[r] for r in DONE_RESULTS)
    return Coverage(
        buildings=ordered,
        total=len(rows),
        done=done,
        nobody=counts[Result.NOBODY],
        pending=counts[Result.PENDING],
        refused=counts[Result.REFUSED],
        missed=missed,
        revisit=revisit,
    )


def member_visits(*, round_: Round, user: Any, everything: bool = False) -> list[Visit]:
    """The visits of the households ``user`` answers for, in door order (every visit of
    the round for a manager who asks for ``everything``)."""
    visits = Visit.objects.filter(round=round_).select_related(
        "household__building", "household__unit"
    )
    if not everything:
        visits = visits.filter(assigned_q(round_, user))
    found = list(visits)
    found.sort(key=lambda v: v.household.address_key)
    return found


def previous_round(round_: Round) -> Round | None:
    return (
        Round.objects.filter(compound_id=round_.compound_id, number__lt=round_.number)
        .order_by("-number")
        .first()
    )


@dataclass
class Comparison:
    previous: Round | None
    new_returnees: list[Visit]
    new_people: list[Resident]
    gone: list[Resident]
    colour_changes: list[tuple[Visit, str]]


def compare(*, round_: Round) -> Comparison:
    """What changed since the round before: new returnees, people registered since it
    opened, people moved out since, and doors whose card changed colour."""
    previous = previous_round(round_)
    visits = {
        v.household_id: v
        for v in Visit.objects.filter(round=round_)
        .exclude(result=Result.PENDING)
        .select_related("household__building", "household__unit")
    }
    before: dict[int, Visit] = {}
    since = round_.opened_at
    if previous is not None:
        before = {v.household_id: v for v in Visit.objects.filter(round=previous)}
        since = previous.opened_at
    new_returnees = [
        v for h, v in visits.items() if v.returnee and not (h in before and before[h].returnee)
    ]
    colour_changes = [
        (v, before[h].colour)
        for h, v in visits.items()
        if h in before and before[h].colour and v.colour and before[h].colour != v.colour
    ]
    in_scope: QuerySet[Household] | Any = Household.objects.filter(
        pk__in=Visit.objects.filter(round=round_).values("household_id")
    )
    people = Resident.objects.filter(household__in=in_scope, erased_at=None).select_related(
        "household__building", "household__unit"
    )
    new_people = list(people.filter(created_at__gt=since)) if previous is not None else []
    gone = list(people.filter(Q(moved_out_on__gte=since.date())))
    key = lambda v: v.household.address_key  # noqa: E731
    return Comparison(
        previous=previous,
        new_returnees=sorted(new_returnees, key=key),
        new_people=sorted(new_people, key=lambda r: r.household.address_key),
        gone=sorted(gone, key=lambda r: r.household.address_key),
        colour_changes=sorted(colour_changes, key=lambda pair: pair[0].household.address_key),
    )


def people_of(visits: list[Visit]) -> dict[int, list[Resident]]:
    """The registered people (not moved out, not erased) of the visits' households, by
    household, in one query."""
    found: dict[int, list[Resident]] = defaultdict(list)
    for r in Resident.objects.filter(
        household_id__in=[v.household_id for v in visits], moved_out_on=None, erased_at=None
    ).order_by("household_id", "id"):
        found[r.household_id].append(r)
    return found


def latest_round(*, compound: Any, day: Any = None) -> Round | None:
    """The compound's latest round begun by ``day`` (today): the dashboard's coverage."""
    day = day or timezone.localdate()
    return Round.objects.filter(compound=compound, starts_on__lte=day).order_by("-number").first()
