"""Duty rosters (``checkpoints.rosters``): posts short of people now and shifts short in
the next 24 hours (the roster's own ``gaps`` rule, two queries for all compounds), the
volunteers on duty now (signed in on a shift running now, not signed out), and those
who signed in for a shift of the day (the daily report's "volunteers on duty")."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from checkpoints.rosters import selectors as roster
from checkpoints.rosters.models import Assignment

# Not a figure: the gaps themselves, for the pages that list them beside the figures
# (one reading of the roster for both).
GAPS = "roster.gap_list"


def roster_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    result: dict[int, Values] = defaultdict(dict)
    for gap in roster.gaps(compound_ids=compound_ids, now=moment.now, using=moment.using):
        key = "roster.short_now" if gap.now else "roster.short_next"
        values = result[gap.post.compound_id]
        values[key] = values.get(key, 0) + 1
        values.setdefault(GAPS, []).append(gap)
    running = Q(shift__starts_at__lte=moment.now, shift__ends_at__gt=moment.now) & Q(
        signed_out_at__isnull=True
    )
    on_duty = (
        Assignment.objects.using(moment.using)
        .filter(
            Q(shift__day=moment.day) | running,
            shift__post__compound_id__in=compound_ids,
            shift__cancelled_at__isnull=True,
            cancelled_at__isnull=True,
            signed_in_at__isnull=False,
        )
        .values("shift__post__compound_id")
        .annotate(
            now=Count("member_id", filter=running, distinct=True),
            day=Count("member_id", filter=Q(shift__day=moment.day), distinct=True),
        )
        .order_by()
    )
    for row in on_duty:
        result[row["shift__post__compound_id"]].update(
            {"roster.on_duty_now": row["now"], "roster.on_duty_day": row["day"]}
        )
    return result


def _gaps(compound_id: int, moment: Moment, extra: str = "") -> str:
    return f"{reverse('rosters:gaps')}?compound={compound_id}"


WEEK = page("rosters:week")

ROSTER = Area(
    key="roster",
    compute=roster_compute,
    label=_("Duty roster"),
    order=50,
    figures=(
        Figure("roster.short_now", _("posts short of people now"), _gaps, alert=True),
        Figure("roster.short_next", _("shifts short in the next 24 hours"), _gaps, alert=True),
        Figure("roster.on_duty_now", _("volunteers on duty now"), WEEK),
        Figure("roster.on_duty_day", _("volunteers signed in today"), WEEK, column=False),
    ),
    report=(ReportLine(_("Volunteers on duty (signed in for a shift)"), ("roster.on_duty_day",)),),
)
