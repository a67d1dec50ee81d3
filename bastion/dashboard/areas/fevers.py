"""Fevers: every ``FeverAlert`` not resolved, whatever its source (gate, door, phone,
quarantine check); those raised on the day and where they went (their status now)."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from residents.models import FeverAlert


def fevers_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    open_ = ~Q(status=FeverAlert.Status.RESOLVED)
    raised = Q(created_at__gte=moment.start, created_at__lt=moment.end)
    rows = (
        FeverAlert.objects.using(moment.using)
        .filter(Q(compound_id__in=compound_ids) & (open_ | raised))
        .values("compound_id", "status")
        .annotate(open=Count("pk", filter=open_), raised=Count("pk", filter=raised))
        .order_by()
    )
    result: dict[int, Values] = defaultdict(dict)
    for row in rows:
        values = result[row["compound_id"]]
        for key, n in (
            ("fevers.open", row["open"]),
            ("fevers.raised", row["raised"]),
            (f"fevers.raised:{row['status']}", row["raised"]),
        ):
            values[key] = values.get(key, 0) + n
    return result


FEVERS = Area(
    key="fevers",
    compute=fevers_compute,
    label=_("Fevers"),
    order=20,
    figures=(
        Figure("fevers.open", _("open fever alerts"), page("checkpoints:alerts"), alert=True),
        Figure("fevers.raised", _("fevers raised"), page("checkpoints:alerts")),
    ),
    report=(
        ReportLine(_("Fevers found"), ("fevers.raised",)),
        ReportLine(_("Fever alerts still open"), ("fevers.open",)),
    ),
    details={"fevers.raised": dict(FeverAlert.Status.choices)},
)
