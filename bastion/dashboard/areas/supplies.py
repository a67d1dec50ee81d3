"""Supplies and help (``supplies``): urgent help requests not resolved, requests received
and resolved on the day, and the day's runs: their orders and how many reached the
household (handed to the building or the door, or confirmed).

A request linked to a fever alert takes the alert's state, as on the help list
(``supplies.help_selectors.state_of``): it is resolved when the alert is, and then its
day of resolution is the alert's last change.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from residents.models import FeverAlert
from supplies.models import HelpRequest, Order
from supplies.models.help import URGENT_UP_TO

RESOLVED = Q(fever_alert__isnull=True, state=HelpRequest.State.RESOLVED) | Q(
    fever_alert__status=FeverAlert.Status.RESOLVED
)


def _within(field: str, moment: Moment) -> Q:
    return Q(**{f"{field}__gte": moment.start, f"{field}__lt": moment.end})


def supplies_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """Two grouped queries: the help requests touching the day, the day's orders."""
    result: dict[int, Values] = defaultdict(dict)
    opened = _within("created_at", moment)
    resolved = (Q(fever_alert__isnull=True) & _within("resolved_at", moment)) | (
        Q(fever_alert__status=FeverAlert.Status.RESOLVED)
        & _within("fever_alert__updated_at", moment)
    )
    urgent = Q(urgency__lte=URGENT_UP_TO) & ~RESOLVED
    requests = (
        HelpRequest.objects.using(moment.using)
        .filter(Q(compound_id__in=compound_ids) & (urgent | opened | resolved))
        .values("compound_id")
        .annotate(
            urgent=Count("pk", filter=urgent),
            opened=Count("pk", filter=opened),
            resolved=Count("pk", filter=resolved),
        )
        .order_by()
    )
    for row in requests:
        result[row["compound_id"]].update(
            {
                "help.urgent_open": row["urgent"],
                "help.opened": row["opened"],
                "help.resolved": row["resolved"],
            }
        )
    orders = (
        Order.objects.using(moment.using)
        .filter(run__compound_id__in=compound_ids, run__date=moment.day)
        .values("run__compound_id")
        .annotate(n=Count("pk"), handed=Count("pk", filter=Q(state__in=Order.DELIVERED)))
        .order_by()
    )
    for row in orders:
        result[row["run__compound_id"]].update(
            {"supplies.orders": row["n"], "supplies.delivered": row["handed"]}
        )
    return result


HELP = page("supplies:help")
HELP_ALL = page("supplies:help", all="1")  # resolved ones too
RUNS = page("supplies:runs")

SUPPLIES = Area(
    key="supplies",
    compute=supplies_compute,
    label=_("Supplies and help"),
    order=60,
    feature="registry",
    figures=(
        Figure("help.urgent_open", _("urgent help requests open"), HELP, alert=True),
        Figure("help.opened", _("help requests received today"), HELP_ALL, column=False),
        Figure("help.resolved", _("help requests resolved today"), HELP_ALL, column=False),
        Figure("supplies.orders", _("orders in today's runs"), RUNS),
        Figure("supplies.delivered", _("of them delivered"), RUNS),
    ),
    report=(
        ReportLine(_("Help requests received"), ("help.opened",)),
        ReportLine(_("Help requests resolved"), ("help.resolved",)),
        ReportLine(_("Urgent help requests still open"), ("help.urgent_open",)),
        ReportLine(_("Grocery orders in the day's runs"), ("supplies.orders",)),
        ReportLine(_("Grocery orders delivered"), ("supplies.delivered",)),
    ),
)
