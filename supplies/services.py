"""Runs and orders: the only writers (the ledger: ``ledger_services``; help: ``help_services``).

Every write runs in one transaction and refuses what the rules forbid with a
``SupplyError`` before it writes anything. Orders are upserted, one per household and
run: a channel's lines (a phone call, a pasted chain, the household's page) replace that
channel's earlier lines and keep the others, and a line bought already stays bought when
it comes back unchanged. So a chain pasted again, or pasted later with more entries,
updates the orders and doubles nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.access import Level, level_for
from compounds.models import Building, Compound
from compounds.services import audit_record
from compounds.text import check_text_fields
from residents.models import Household
from supplies import audit
from supplies.errors import Code, SupplyError
from supplies.jielong import Item
from supplies.models import Order, OrderLine, RecurringOrder, Run
from supplies.models.runs import QUANTITY_MAX

MAX_LINES_PER_ORDER = 60
OPEN_STATES = (Order.State.OPEN, Order.State.PACKED, Order.State.NOT_REACHED)


@dataclass(frozen=True)
class LineInput:
    name: str
    quantity: Decimal | None = None
    unit: str = ""
    note: str = ""
    medicine: bool = False
    prescription_note: str = ""

    @classmethod
    def of(cls, item: Item) -> "LineInput":
        return cls(item.name, item.quantity, item.unit, item.note)

    @property
    def key(self) -> tuple[str, Decimal | None, str]:
        return (self.name, self.quantity, self.unit)


def quantity_from(value: Any, *, line_no: int | None = None) -> Decimal | None:
    """A line's quantity: empty, or a decimal above 0 and at most 999."""
    if value in (None, ""):
        return None
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        quantity = Decimal(-1)
    if not quantity.is_finite() or quantity <= 0 or quantity > QUANTITY_MAX:
        raise SupplyError(
            _("A quantity is a number above 0 and at most %(max)s: “%(value)s” is not.")
            % {"max": QUANTITY_MAX, "value": value},
            Code.QUANTITY_INVALID,
            line_no=line_no,
        )
    return quantity.quantize(Decimal("0.01"))


def _check_lines(lines: Sequence[LineInput], *, line_no: int | None = None) -> list[OrderLine]:
    if len(lines) > MAX_LINES_PER_ORDER:
        raise SupplyError(
            _("An order has at most %(max)d lines.") % {"max": MAX_LINES_PER_ORDER},
            Code.TOO_MANY_LINES,
            line_no=line_no,
        )
    rows = []
    for position, line in enumerate(lines):
        if not line.name.strip():
            raise SupplyError(
                _("Each line needs an item."), Code.ITEM_NAME_REQUIRED, line_no=line_no
            )
        row = OrderLine(
            position=position,
            name=line.name.strip()[:50],
            quantity=quantity_from(line.quantity, line_no=line_no),
            unit=line.unit.strip()[:10],
            note=line.note.strip()[:100],
            medicine=line.medicine,
            prescription_note=line.prescription_note.strip()[:200],
        )
        check_text_fields(row, error=SupplyError)
        rows.append(row)
    return rows


def _check_open(run: Run) -> None:
    if timezone.now() >= run.cutoff_at:
        raise SupplyError(
            _("Orders for this run closed at %(at)s.")
            % {"at": timezone.localtime(run.cutoff_at).strftime("%m-%d %H:%M")},
            Code.AFTER_CUTOFF,
        )


def _check_household(run: Run, household: Household, *, line_no: int | None = None) -> None:
    if household.compound_id != run.compound_id:
        raise SupplyError(
            _("This household is not of the run's compound."),
            Code.HOUSEHOLD_OTHER_COMPOUND,
            line_no=line_no,
        )
    if run.building_id and household.building_id != run.building_id:
        raise SupplyError(
            _("%(address)s is not in this run's building.") % {"address": household.address},
            Code.HOUSEHOLD_OUTSIDE_RUN,
            line_no=line_no,
        )


# --- runs ----------------------------------------------------------------------------------


@transaction.atomic
def run_create(
    *,
    compound: Compound,
    date: date,
    cutoff_at: datetime,
    actor: Any,
    building: Building | None = None,
    volunteers: Iterable[Any] = (),
    note: str = "",
) -> Run:
    """A new run; the orders earlier runs did not deliver, and the recurring orders now
    due, join it."""
    if building is not None and building.compound_id != compound.pk:
        raise SupplyError(_("This building is not of this compound."), Code.BUILDING_OTHER_COMPOUND)
    volunteers = list(volunteers)
    if any(level_for(v, compound) < Level.VOLUNTEER for v in volunteers):
        raise SupplyError(
            _("Only people of this compound can go on its runs."), Code.VOLUNTEER_OTHER_COMPOUND
        )
    run = Run(compound=compound, building=building, date=date, cutoff_at=cutoff_at, note=note)
    run.created_by = actor
    check_text_fields(run, error=SupplyError)
    run.save()
    run.volunteers.set(volunteers)
    carried = _carry_over(run)
    recurring = _recurring_due(run, actor)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.RUN_CREATE,
        obj=run,
        changes={"date": str(date), "carried": carried, "recurring": recurring},
    )
    return run


def _in_run(run: Run) -> Q:
    where = Q(household__compound_id=run.compound_id)
    if run.building_id:
        where &= Q(household__building_id=run.building_id)
    return where


def _carry_over(run: Run) -> int:
    """Orders of earlier runs that never reached their household: open again here."""
    carried_on = Order.objects.filter(carried_from=OuterRef("pk"))
    left = (
        Order.objects.filter(_in_run(run), run__date__lt=run.date, state__in=OPEN_STATES)
        .exclude(Exists(carried_on))
        .exclude(household__in=Order.objects.filter(run=run).values("household"))
        .prefetch_related("lines")
    )
    count = 0
    for old in left:
        order = Order.objects.create(
            run=run, household_id=old.household_id, channel=Order.Channel.CARRIED, carried_from=old
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                position=line.position,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                note=line.note,
                medicine=line.medicine,
                prescription_note=line.prescription_note,
                channel=Order.Channel.CARRIED,
            )
            for line in old.lines.all()
            if line.status != OrderLine.Status.BOUGHT or old.state == Order.State.NOT_REACHED
        )
        count += 1
    return count


def _recurring_due(run: Run, actor: Any) -> int:
    due = RecurringOrder.objects.select_for_update().filter(
        _in_run(run), active=True, next_on__lte=run.date
    )
    count = 0
    for recurring in due:
        lines = [LineInput(**line) for line in recurring.lines]
        _upsert(run, recurring.household, lines, channel=Order.Channel.RECURRING)
        while recurring.next_on <= run.date:
            recurring.next_on += timedelta(days=recurring.every_days)
        recurring.save(update_fields=["next_on"])
        count += 1
    return count


@transaction.atomic
def recurring_order_create(
    *,
    household: Household,
    lines: Sequence[LineInput],
    every_days: int,
    next_on: date,
    actor: Any,
) -> RecurringOrder:
    """Weekly medicine and the like: comes back on the first run on or after ``next_on``."""
    if not 1 <= every_days <= 90:
        raise SupplyError(_("Repeat every 1 to 90 days."), Code.PERIOD_INVALID)
    rows = _check_lines(lines)
    if not rows:
        raise SupplyError(_("Each line needs an item."), Code.ITEM_NAME_REQUIRED)
    stored = [
        {
            "name": r.name,
            "quantity": format(r.quantity.normalize(), "f") if r.quantity is not None else None,
            "unit": r.unit,
            "note": r.note,
            "medicine": r.medicine,
            "prescription_note": r.prescription_note,
        }
        for r in rows
    ]
    recurring = RecurringOrder.objects.create(
        household=household, every_days=every_days, next_on=next_on, lines=stored, created_by=actor
    )
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action=audit.RECURRING_CREATE,
        obj=recurring,
        changes={"every_days": every_days, "lines": len(stored)},
    )
    return recurring


@transaction.atomic
def recurring_order_stop(*, recurring: RecurringOrder, actor: Any) -> RecurringOrder:
    recurring = RecurringOrder.objects.select_for_update().get(pk=recurring.pk)
    if recurring.active:
        recurring.active = False
        recurring.save(update_fields=["active"])
        audit_record(
            compound=recurring.household.compound_id,
            actor=actor,
            action=audit.RECURRING_STOP,
            obj=recurring,
        )
    return recurring


# --- orders ---------------------------------------------------------------------------------


def _upsert(
    run: Run,
    household: Household,
    lines: Sequence[LineInput],
    *,
    channel: str,
    note: str | None = None,
    existing: Order | None = None,
    existing_lines: list[OrderLine] | None = None,
) -> tuple[Order, bool]:
    """One household's order in ``run``, its ``channel`` lines replaced by ``lines``."""
    rows = _check_lines(lines)
    order = existing
    if order is None:
        order = Order.objects.filter(run=run, household=household).first()
    created = order is None
    if order is None:
        order = Order.objects.create(run=run, household=household, channel=channel, note=note or "")
        old: list[OrderLine] = []
    else:
        old = (
            existing_lines
            if existing_lines is not None
            else list(OrderLine.objects.filter(order=order))
        )
        if note is not None and note != order.note:
            order.note = note
            check_text_fields(order, error=SupplyError)
            order.save(update_fields=["note", "updated_at"])
    replaced = [line for line in old if line.channel == channel]
    kept = len(old) - len(replaced)
    status_of = {(line.name, line.quantity, line.unit): line.status for line in replaced}
    for position, row in enumerate(rows):
        row.order = order
        row.channel = channel
        row.position = kept + position
        row.status = status_of.get((row.name, row.quantity, row.unit), OrderLine.Status.WANTED)
    if replaced:
        OrderLine.objects.filter(pk__in=[line.pk for line in replaced]).delete()
    OrderLine.objects.bulk_create(rows)
    return order, created


@transaction.atomic
def order_save(
    *,
    run: Run,
    household: Household,
    lines: Sequence[LineInput],
    actor: Any,
    channel: str = Order.Channel.PHONE,
    note: str | None = None,
) -> Order:
    """Take a household's order (a phone call, the household's page): upserted."""
    run = Run.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    _check_household(run, household)
    if not [line for line in lines if line.name.strip()]:
        raise SupplyError(_("Each line needs an item."), Code.ITEM_NAME_REQUIRED)
    order, created = _upsert(run, household, lines, channel=channel, note=note)
    audit_record(
        compound=run.compound_id,
        actor=actor,
        action=audit.ORDER_SAVE,
        obj=order,
        changes={
            "channel": [None, channel],
            "lines": [None, len(lines)],
            "created": [None, created],
        },
    )
    return order


def can_work_on(user: Any, run: Run) -> bool:
    """The run's volunteers and the compound's managers tick, pay, deliver and paste."""
    if level_for(user, run.compound_id) >= Level.MANAGE:
        return True
    user_id = getattr(user, "pk", None)
    return user_id is not None and run.volunteers.filter(pk=user_id).exists()
