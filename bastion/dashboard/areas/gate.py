"""The gate: out now and out too long from ``HouseholdGateState`` (written by the
check-in), exits, entries and refusals by reason from the passage log of the day."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import gate_log, page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from checkpoints.errors import REASON_LABELS
from checkpoints.models import CompoundRules, HouseholdGateState, Passage

DEFAULT_MAX_MINUTES_OUT = CompoundRules._meta.get_field("max_minutes_out").get_default()


def gate_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    using = moment.using
    result: dict[int, Values] = defaultdict(dict)
    # Out too long is per compound's rules: one condition per distinct limit (a handful).
    limits: dict[int, list[int]] = defaultdict(list)
    custom = dict(
        CompoundRules.objects.using(using)
        .filter(compound_id__in=compound_ids)
        .values_list("compound_id", "max_minutes_out")
    )
    for pk in compound_ids:
        limits[custom.get(pk, DEFAULT_MAX_MINUTES_OUT)].append(pk)
    overdue = Q(pk__in=[])
    for minutes, pks in limits.items():
        cutoff = moment.now - CompoundRules(max_minutes_out=minutes).max_time_out
        overdue |= Q(compound_id__in=pks, out_since__lt=cutoff)
    out = (
        HouseholdGateState.objects.using(using)
        .filter(compound_id__in=compound_ids, out_since__isnull=False)
        .values("compound_id")
        .annotate(out=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by()
    )
    for row in out:
        result[row["compound_id"]].update(
            {"gate.out_now": row["out"], "gate.overdue": row["overdue"]}
        )
    day = (
        Passage.objects.using(using)
        .filter(
            compound_id__in=compound_ids,
            occurred_at__gte=moment.start,
            occurred_at__lt=moment.end,
        )
        .values("compound_id", "direction", "verdict", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in day:
        values = result[row["compound_id"]]
        if row["verdict"] == Passage.Verdict.DENIED:
            values["gate.refused"] = values.get("gate.refused", 0) + row["n"]
            key = f"gate.refused:{row['reason']}"
            values[key] = values.get(key, 0) + row["n"]
        else:
            key = "gate.exits" if row["direction"] == Passage.Direction.OUT else "gate.entries"
            values[key] = values.get(key, 0) + row["n"]
    return result


GATE = Area(
    key="gate",
    compute=gate_compute,
    label=_("Gate"),
    order=10,
    feature="gate",
    figures=(
        Figure("gate.out_now", _("out now"), page("checkpoints:out-now")),
        Figure("gate.overdue", _("out too long"), page("checkpoints:out-now"), alert=True),
        Figure("gate.exits", _("exits"), gate_log(direction="out", verdict="allowed")),
        Figure("gate.entries", _("entries"), gate_log(direction="in", verdict="allowed")),
        Figure("gate.refused", _("refused"), gate_log(verdict="denied"), alert=True),
    ),
    report=(
        ReportLine(_("Exits through the gates"), ("gate.exits",)),
        ReportLine(_("Entries through the gates"), ("gate.entries",)),
        ReportLine(_("Refused at the gates"), ("gate.refused",)),
    ),
    details={"gate.refused": dict(REASON_LABELS)},
)
