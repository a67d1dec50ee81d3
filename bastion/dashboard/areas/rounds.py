"""Door-to-door screening (``residents.rounds``): each compound's latest round (the
highest number) and its coverage, households visited on the day, rounds under way.

Coverage is households visited (everyone or some home, or refused to open: the rounds'
``DONE_RESULTS``) over the households of the round; "nobody home" is due a revisit and
"pending" is not walked yet, so neither counts as visited.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from residents.rounds.models import DONE_RESULTS, Round, Visit


def rounds_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """Two queries: the rounds begun (a few per compound), then the visits of the latest
    ones and those made on the day, grouped."""
    result: dict[int, Values] = defaultdict(dict)
    latest: dict[int, tuple[int, int]] = {}  # compound -> (number, round id)
    rounds = (
        Round.objects.using(moment.using)
        .filter(compound_id__in=compound_ids, starts_on__lte=moment.day)
        .values_list("compound_id", "number", "pk", "ends_on", "closed_at")
        .order_by()
    )
    for compound_id, number, pk, ends_on, closed_at in rounds:
        values = result[compound_id]
        if ends_on >= moment.day and closed_at is None:
            values["rounds.under_way"] = values.get("rounds.under_way", 0) + 1
        if number > latest.get(compound_id, (0, 0))[0]:
            latest[compound_id] = (number, pk)
    today = Q(visited_at__gte=moment.start, visited_at__lt=moment.end, result__in=DONE_RESULTS)
    in_latest = Q(round_id__in=[pk for _number, pk in latest.values()])
    visits = (
        Visit.objects.using(moment.using)
        .filter(in_latest | (Q(compound_id__in=compound_ids) & today))
        .values("compound_id")
        .annotate(
            total=Count("pk", filter=in_latest),
            visited=Count("pk", filter=in_latest & Q(result__in=DONE_RESULTS)),
            nobody=Count("pk", filter=in_latest & Q(result=Visit.Result.NOBODY)),
            today=Count("pk", filter=today),
        )
        .order_by()
    )
    for row in visits:
        result[row["compound_id"]].update(
            {
                "rounds.households": row["total"],
                "rounds.visited": row["visited"],
                "rounds.nobody_home": row["nobody"],
                "rounds.visited_today": row["today"],
            }
        )
    return result


LATEST = page("residents:round-latest")

ROUNDS = Area(
    key="rounds",
    compute=rounds_compute,
    label=_("Screening rounds"),
    order=40,
    feature="registry",
    figures=(
        Figure(
            "rounds.coverage",
            _("latest round's coverage"),
            LATEST,
            ratio=("rounds.visited", "rounds.households"),
        ),
        Figure("rounds.visited", _("households visited (latest round)"), LATEST, column=False),
        Figure("rounds.households", _("households in the latest round"), LATEST, column=False),
        Figure("rounds.nobody_home", _("nobody home, to visit again"), LATEST),
        Figure("rounds.visited_today", _("households visited today"), LATEST, column=False),
        Figure("rounds.under_way", _("rounds under way"), page("residents:rounds"), column=False),
    ),
    report=(
        ReportLine(_("Screening rounds under way"), ("rounds.under_way",)),
        ReportLine(_("Households visited that day"), ("rounds.visited_today",)),
        ReportLine(_("Households in the latest rounds"), ("rounds.households",)),
        ReportLine(_("Households visited in the latest rounds"), ("rounds.visited",)),
        ReportLine(_("Latest rounds' coverage (%)"), ("rounds.coverage",)),
    ),
)
