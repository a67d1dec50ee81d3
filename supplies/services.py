"""Runs and orders: the only writers (the ledger: ``ledger_services``; help: ``help_services``).

Every write runs in one transaction and refuses what the rules forbid with a
``SupplyError`` before it writes anything. Orders are upserted, one per household and
run: a channel's lines (a phone call, a pasted chain, the household's page) replace that
channel's earlier lines and keep the others, and a line bought already stays bought when
it comes back unchanged. So a chain pasted again, or pasted later with more entries,
updates the orders and doubles nothing.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.access import Level, level_for
from compounds.models import Building, Compound
from compounds.services import audit_record
from compounds.text import check_text_fields
from residents.models import Household
from supplies import audit, ledger_services
from supplies.errors import Code, SupplyConflict, SupplyError
from supplies.jielong import Item
from supplies.models import JielongPaste, Order, OrderLine, RecurringOrder, Run
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


# --- the 接龙 paste -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """What a person made of a line the reader could not: its household, and its items
    (None: the items the reader found on the line)."""

    line_no: int
    household: int
    items: Sequence[LineInput] | None = None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def jielong_commit(
    *, run: Run, text: str, fixes: Sequence[Fix], client_key: UUID, actor: Any
) -> tuple[dict[str, Any], bool]:
    """Write a pasted chain into ``run``: one order per household, upserted. The answer
    (and whether it was written now, False for a repeated client key)."""
    from supplies import selectors  # the preview is a read; the write builds on it

    with transaction.atomic():
        run = Run.objects.select_for_update().select_related("building").get(pk=run.pk)
        text_hash = _hash(text + repr(sorted((f.line_no, f.household) for f in fixes)))
        done = JielongPaste.objects.filter(run=run, client_key=client_key).first()
        if done is not None:
            if done.text_hash != text_hash:
                raise SupplyConflict(
                    _("This paste's key was already used for another text."),
                    Code.CLIENT_KEY_CONFLICT,
                )
            return done.answer, False
        _check_open(run)
        preview = selectors.jielong_preview(compound=run.compound, building=run.building, text=text)
        wanted = _wanted(run, preview, fixes)
        existing = {
            o.household_id: o
            for o in Order.objects.filter(run=run, household_id__in=list(wanted)).select_related(
                "household__building", "household__unit"
            )
        }
        lines_of: dict[int, list[OrderLine]] = {}
        for line in OrderLine.objects.filter(order__in=list(existing.values())):
            lines_of.setdefault(line.order_id, []).append(line)
        written = []
        for household, (first_line, lines) in wanted.items():
            order = existing.get(household.pk)
            try:
                order, created = _upsert(
                    run,
                    household,
                    lines,
                    channel=Order.Channel.JIELONG,
                    existing=order,
                    existing_lines=lines_of.get(order.pk, []) if order else [],
                )
            except SupplyError as refusal:
                if refusal.params.get("line_no") is None:
                    refusal.params["line_no"] = first_line
                raise
            written.append(
                {
                    "household": household.pk,
                    "address": household.address,
                    "order": order.pk,
                    "created": created,
                    "lines": len(lines),
                }
            )
        fixed = {f.line_no for f in fixes}
        answer = {
            "orders": written,
            "unread": [u for u in preview.unread_rows() if u["line_no"] not in fixed],
            "skipped": preview.skipped_rows(),
        }
        JielongPaste.objects.create(
            run=run, client_key=client_key, text_hash=text_hash, answer=answer, created_by=actor
        )
        audit_record(
            compound=run.compound_id,
            actor=actor,
            action=audit.ORDER_PASTE,
            obj=run,
            changes={"orders": len(written), "unread": len(answer["unread"])},
        )
    return answer, True


def _wanted(run: Run, preview: Any, fixes: Sequence[Fix]) -> dict[Household, tuple[int, list]]:
    """{household: (first line_no, merged lines)} of the paste and its fixes."""
    fix_households = {
        h.pk: h
        for h in Household.objects.filter(
            compound_id=run.compound_id, pk__in=[f.household for f in fixes]
        ).select_related("building", "unit")
    }
    items_by_line = {u.line_no: u.items for u in preview.unread}
    items_by_line.update({e.line_no: e.items for e in preview.entries})
    merged: dict[Household, tuple[int, list[LineInput]]] = {}

    def add(household: Household, line_no: int, lines: Sequence[LineInput]) -> None:
        _check_household(run, household, line_no=line_no)
        first, have = merged.setdefault(household, (line_no, []))
        for line in lines:
            if line.key not in {h.key for h in have}:
                have.append(line)

    fixed = {f.line_no for f in fixes}
    for entry, household in preview.resolved:
        if entry.line_no not in fixed:
            add(household, entry.line_no, [LineInput.of(i) for i in entry.items])
    for fix in fixes:
        household = fix_households.get(fix.household)
        if household is None:
            raise SupplyError(
                _("Line %(line)d: this household is not of the run's compound.")
                % {"line": fix.line_no},
                Code.HOUSEHOLD_OTHER_COMPOUND,
                line_no=fix.line_no,
            )
        lines = fix.items
        if lines is None:
            lines = [LineInput.of(i) for i in items_by_line.get(fix.line_no, [])]
        if not lines:
            raise SupplyError(
                _("Line %(line)d: say what to buy.") % {"line": fix.line_no},
                Code.NO_ITEMS,
                line_no=fix.line_no,
            )
        add(household, fix.line_no, lines)
    return merged


# --- the morning list and delivery ------------------------------------------------------


def can_work_on(user: Any, run: Run) -> bool:
    """The run's volunteers and the compound's managers tick, pay, deliver and paste."""
    if level_for(user, run.compound_id) >= Level.MANAGE:
        return True
    user_id = getattr(user, "pk", None)
    return user_id is not None and run.volunteers.filter(pk=user_id).exists()


@transaction.atomic
def order_line_mark(*, line: OrderLine, status: str, actor: Any) -> OrderLine:
    if status not in OrderLine.Status.values:
        raise SupplyError(_("Choose bought, out of stock or to buy."), Code.STATE_INVALID)
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    if line.status != status:
        line.status = status
        line.save(update_fields=["status"])
    return line


@transaction.atomic
def shopping_item_mark(*, run: Run, name: str, unit: str, status: str, actor: Any) -> int:
    """Tick one item of the shopping list in every bag at once (bought, or out of stock);
    how many lines changed."""
    if status not in OrderLine.Status.values:
        raise SupplyError(_("Choose bought, out of stock or to buy."), Code.STATE_INVALID)
    lines = OrderLine.objects.select_for_update().filter(order__run=run, name=name, unit=unit)
    return lines.exclude(status=status).update(status=status)


@transaction.atomic
def order_bag(
    *, order: Order, cost_fen: int, paid_by: Any, actor: Any, gift: bool = False
) -> Order:
    """Record what the bag cost and who paid (垫钱): a purchase (or a gift, borne by the
    branch) in the ledger. A new cost reverses the old purchase and posts the new one."""
    order = Order.objects.select_for_update().select_related("run", "household").get(pk=order.pk)
    ledger_services.check_amount(cost_fen)
    if paid_by is None or level_for(paid_by, order.run.compound_id) < Level.VOLUNTEER:
        raise SupplyError(_("Say which volunteer of this compound paid."), Code.PAYER_REQUIRED)
    before = {"cost_fen": order.cost_fen, "paid_by": order.paid_by_id, "gift": order.gift}
    if before == {"cost_fen": cost_fen, "paid_by": paid_by.pk, "gift": gift}:
        return order
    previous = order.transactions.filter(
        kind__in=["purchase", "gift"], reversed_by__isnull=True
    ).first()
    if previous is not None:
        ledger_services.transaction_reverse(
            transaction=previous, actor=actor, memo=_("bag cost corrected")
        )
    ledger_services.purchase_record(
        order=order, cost_fen=cost_fen, payer=paid_by, gift=gift, actor=actor
    )
    order.cost_fen, order.paid_by, order.gift = cost_fen, paid_by, gift
    if order.state == Order.State.OPEN:
        order.state = Order.State.PACKED
    order.save(update_fields=["cost_fen", "paid_by", "gift", "state", "updated_at"])
    audit_record(
        compound=order.run.compound_id,
        actor=actor,
        action=audit.ORDER_BAG,
        obj=order,
        changes={
            k: [v, getattr(order, "paid_by_id" if k == "paid_by" else k)] for k, v in before.items()
        },
    )
    return order


@transaction.atomic
def order_deliver(*, order: Order, state: str, actor: Any) -> Order:
    """Handed to the building or the door, confirmed by the household, or not reached
    (then the next run carries it)."""
    if state not in Order.State.values or state == Order.State.OPEN:
        raise SupplyError(_("Choose how the bag was handed over."), Code.STATE_INVALID)
    order = Order.objects.select_for_update().get(pk=order.pk)
    before = order.state
    if before != state:
        order.state = state
        order.save(update_fields=["state", "updated_at"])
        audit_record(
            compound=order.household.compound_id,
            actor=actor,
            action=audit.ORDER_DELIVER,
            obj=order,
            changes={"state": [before, state]},
        )
    return order
