"""One workbook of the compound's supplies: runs, orders, the ledger and requests."""

from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from compounds.models import Compound
from compounds.xlsx import active_sheet, write_sheet
from supplies import help_selectors, ledger_services, selectors
from supplies.models import Order, OrderLine
from supplies.selectors import masked_head


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def supplies_workbook(*, compound: Compound, personal: bool) -> Workbook:
    from django.utils.translation import gettext as _

    book = Workbook()
    runs = list(selectors.runs_of(compound=compound))
    sheet = active_sheet(book)
    sheet.title = _("Runs")
    write_sheet(
        sheet,
        [_("Date"), _("Building"), _("Orders close at"), _("Volunteers"), _("Orders")],
        (
            [
                r.date,
                r.building.number if r.building else "",
                _local(r.cutoff_at),
                "、".join(v.get_username() for v in r.volunteers.all()),
                r.orders.count(),
            ]
            for r in runs
        ),
    )
    lines = (
        OrderLine.objects.filter(order__run__compound=compound)
        .select_related("order__run", "order__household__building", "order__household__unit")
        .prefetch_related("order__household__residents")
        .order_by("-order__run__date", "order__household_id", "position")
    )
    write_sheet(
        book.create_sheet(_("Orders")),
        [
            _("Date"),
            _("Room"),
            _("Name"),
            _("Item"),
            _("Quantity"),
            _("Unit of measure"),
            _("Note"),
            _("Medicine"),
            _("Prescription note"),
            _("Status"),
            _("Delivery"),
            _("Cost (yuan)"),
        ],
        (
            [
                line.order.run.date,
                line.order.household.address,
                masked_head(line.order.household),
                line.name,
                line.quantity,
                line.unit,
                line.note,
                _("yes") if line.medicine else "",
                line.prescription_note if personal else ("***" if line.prescription_note else ""),
                line.get_status_display(),
                Order.State(line.order.state).label,
                ledger_services.yuan(line.order.cost_fen),
            ]
            for line in lines
        ),
    )
    write_sheet(
        book.create_sheet(_("Ledger")),
        [_("At"), _("#"), _("Kind"), _("Paid with"), _("Account"), _("Amount (yuan)"), _("Memo")],
        (
            [
                _local(t.created_at),
                t.pk,
                t.get_kind_display(),
                t.get_method_display() if t.method else "",
                str(e.account),
                ledger_services.yuan(e.amount_fen),
                t.memo,
            ]
            for t in ledger_services.transactions_of(compound=compound)
            for e in t.entries.all()
        ),
    )
    write_sheet(
        book.create_sheet(_("Help requests")),
        [
            _("Received at"),
            _("Room"),
            _("Channel"),
            _("Kind"),
            _("Urgency"),
            _("State"),
            _("What is needed"),
            _("Investigation"),
            _("Finding"),
            _("Resolved at"),
        ],
        (
            [
                _local(r.created_at),
                r.household.address if r.household else "",
                r.get_channel_display(),
                r.get_kind_display(),
                r.urgency,
                help_selectors.state_label(r),
                r.summary,
                r.investigation,
                r.finding,
                _local(r.resolved_at),
            ]
            for r in help_selectors.requests_of(compound=compound).order_by("-created_at")
        ),
    )
    return book
