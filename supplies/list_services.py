"""The morning list's writes: ticks, the bag's cost and payer (a ledger purchase), the
delivery. Who may make them: ``services.can_work_on``."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from compounds.access import Level, level_for
from compounds.services import audit_record
from supplies import audit, ledger_services
from supplies.errors import Code, SupplyError
from supplies.models import Order, OrderLine, Run


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
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("run", "household")
        .get(pk=order.pk)
    )
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
