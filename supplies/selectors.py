"""Reads of runs and orders: the 接龙 preview, the morning list, the run's orders.

The morning list of a run is a fixed number of queries however many orders it carries
(the run, its orders with their households, their lines, the households' residents, the
payers): ``bastion/benches/supplies.py`` measures it with 400 orders of 6 lines.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.masking import mask_name
from compounds.models import Building, Compound
from residents.models import Household, Resident, address_order
from residents.selectors import households_at
from supplies import jielong
from supplies.errors import Code
from supplies.models import Order, OrderLine, RecurringOrder, Run

UNREAD_MESSAGES = {
    Code.ROOM_UNKNOWN: lambda: _("No household of this compound lives at this room; pick one."),
    Code.ROOM_AMBIGUOUS: lambda: _("Several households live at this room; pick the unit."),
    Code.NO_ITEMS: lambda: _("A room but nothing to buy: add the items or leave the line out."),
    Code.CHATTER: lambda: _("No room and no order here: a remark, most likely."),
}


def unread_message(code: str, *, room_read: bool = True) -> str:
    if code == Code.ROOM_UNKNOWN and not room_read:
        return _("No room could be read on this line: type it.")
    return UNREAD_MESSAGES[code]()


def _item_row(item: jielong.Item) -> dict[str, Any]:
    quantity = None if item.quantity is None else format(item.quantity.normalize(), "f")
    return {"name": item.name, "quantity": quantity, "unit": item.unit, "note": item.note}


@dataclass
class Preview:
    """A paste read and its rooms resolved; every line in exactly one of three lists."""

    resolved: list[tuple[jielong.Entry, Household]] = field(default_factory=list)
    unread: list[jielong.Unread] = field(default_factory=list)
    skipped: list[jielong.Skipped] = field(default_factory=list)

    @property
    def entries(self) -> list[jielong.Entry]:
        return [entry for entry, _household in self.resolved]

    def order_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line_no": e.line_no,
                "entry_no": e.entry_no,
                "household": h.pk,
                "address": h.address,
                "items": [_item_row(i) for i in e.items],
            }
            for e, h in self.resolved
        ]

    def unread_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line_no": u.line_no,
                "text": u.text,
                "code": u.code,
                "message": unread_message(u.code, room_read=u.room_read),
                "items": [_item_row(i) for i in u.items],
            }
            for u in sorted(self.unread, key=lambda u: u.line_no)
        ]

    def skipped_rows(self) -> list[dict[str, Any]]:
        return [{"line_no": s.line_no, "text": s.text} for s in self.skipped]


def jielong_preview(*, compound: Compound, building: Building | None, text: str) -> Preview:
    """Read a paste and resolve all its rooms in one query. Writes nothing."""
    parsed = jielong.parse(text, building=building.number if building is not None else None)
    found = households_at(compound=compound, addresses={e.address for e in parsed.entries})
    preview = Preview(unread=list(parsed.unread), skipped=parsed.skipped)
    for entry in parsed.entries:
        where = found.get(entry.address)
        if where is not None and where.household is not None:
            preview.resolved.append((entry, where.household))
            continue
        code = Code.ROOM_AMBIGUOUS if where is not None and where.ambiguous else Code.ROOM_UNKNOWN
        preview.unread.append(
            jielong.Unread(entry.line_no, entry.text, code, entry.entry_no, entry.items)
        )
    return preview


# --- runs --------------------------------------------------------------------------------


def runs_of(*, compound: Compound) -> QuerySet[Run]:
    return (
        Run.objects.filter(compound=compound)
        .select_related("building")
        .prefetch_related("volunteers")
        .order_by("-date", "-id")
    )


def recurring_orders_of(*, compound: Compound) -> QuerySet[RecurringOrder]:
    return (
        RecurringOrder.objects.filter(household__compound=compound, active=True)
        .select_related("household__building", "household__unit")
        .order_by("next_on", "pk")
    )


def open_runs_for(*, household: Household) -> QuerySet[Run]:
    """Runs taking orders now that would carry this household's bag, soonest first."""
    return Run.objects.filter(
        Q(building__isnull=True) | Q(building_id=household.building_id),
        compound_id=household.compound_id,
        cutoff_at__gt=timezone.now(),
    ).order_by("cutoff_at", "pk")


def _heads() -> Prefetch:
    return Prefetch(
        "household__residents",
        queryset=Resident.objects.filter(erased_at=None)
        .order_by("id")
        .only("id", "household_id", "name", "relation"),
        to_attr="people",
    )


def run_orders(*, run: Run) -> QuerySet[Order]:
    """The run's orders in address order, with households, residents and payers."""
    return (
        Order.objects.filter(run=run)
        .select_related("household__building", "household__unit", "paid_by")
        .prefetch_related(_heads())
        .order_by(address_order("household__"), "pk")
    )


@dataclass(frozen=True)
class LineRow:
    """An order line as the list shows it: a row, not a model instance (2,400 of them
    for a big run, where building instances was most of the list's time)."""

    pk: int
    order_id: int
    name: str
    quantity: Decimal | None
    unit: str
    note: str
    medicine: bool
    prescription_note: str
    status: str


def run_lines(*, run: Run) -> dict[int, list[LineRow]]:
    """{order id: its lines in order}, in one query."""
    fields = [f for f in LineRow.__dataclass_fields__ if f != "pk"]
    rows = (
        OrderLine.objects.filter(order__run=run)
        .order_by("order_id", "position", "id")
        .values_list("pk", *fields)
    )
    by_order: dict[int, list[LineRow]] = defaultdict(list)
    for row in rows:
        line = LineRow(*row)
        by_order[line.order_id].append(line)
    return by_order


@dataclass
class ShoppingRow:
    name: str
    unit: str
    quantity: Decimal | None
    households: int
    bought: int
    out_of_stock: int
    unquantified: int = 0


@dataclass
class Bag:
    order: Order
    lines: list[LineRow]
    label_name: str
    items: int
    medicine: bool


@dataclass
class MorningList:
    run: Run
    shopping: list[ShoppingRow]
    bags: list[Bag]
    total_cost_fen: int
    delivered: int


def masked_head(household: Household) -> str:
    """The masked name of the household's head (or first resident): 张**."""
    people = getattr(household, "people", None)
    if people is None:
        people = list(household.residents.filter(erased_at=None).order_by("id"))
    if not people:
        return ""
    head = next((p for p in people if p.relation == Resident.Relation.HEAD), people[0])
    return mask_name(head.name)


def morning_list(*, run: Run) -> MorningList:
    """The shopping list summed by item across the run, and the bag per household."""
    orders = list(run_orders(run=run))
    lines_of = run_lines(run=run)
    rows: dict[tuple[str, str], ShoppingRow] = {}
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    bags = []
    for order in orders:
        lines = lines_of.get(order.pk, [])
        for line in lines:
            key = (line.name, line.unit)
            row = rows.get(key)
            if row is None:
                row = rows[key] = ShoppingRow(line.name, line.unit, None, 0, 0, 0)
            if line.quantity is None:
                row.unquantified += 1
            else:
                row.quantity = (row.quantity or Decimal(0)) + line.quantity
            seen[key].add(order.pk)
            row.bought += line.status == OrderLine.Status.BOUGHT
            row.out_of_stock += line.status == OrderLine.Status.OUT_OF_STOCK
        bags.append(
            Bag(
                order=order,
                lines=lines,
                label_name=masked_head(order.household),
                items=len(lines),
                medicine=any(line.medicine for line in lines),
            )
        )
    for key, row in rows.items():
        row.households = len(seen[key])
    shopping = sorted(rows.values(), key=lambda r: (-r.households, r.name, r.unit))
    return MorningList(
        run=run,
        shopping=shopping,
        bags=bags,
        total_cost_fen=sum(o.cost_fen or 0 for o in orders),
        delivered=sum(1 for o in orders if o.delivered),
    )
