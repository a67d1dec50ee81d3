"""Quarantine, from its records (``residents.quarantine``): people in home and in central
quarantine on the day, counted at their home compound (a central site's stays are the
home compounds' people: counting them at the site too would count them twice in the
totals), the households with someone at home in quarantine, today's checks not made
yet and the checks of earlier days that nobody made.

A quarantine is *in force* on day D when it began on or before D, is planned to end on
or after D and was not ended on or before D (``ended_on`` is the day it was ended early
or closed): ``in_force_on``. The same rule drives the named list and the chart.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from compounds.models import Compound
from residents.quarantine.models import Quarantine

HOME = Quarantine.Kind.HOME
SITES = frozenset({Compound.Kind.SITE})
WITH_HOUSEHOLDS = frozenset(Compound.Kind.values) - SITES


def in_force_on(day: date, prefix: str = "") -> Q:
    """Quarantines in force on ``day`` (``prefix`` to reach them through a relation)."""
    return Q(**{f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


def quarantine_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """One grouped query over the stays not ended by the day, of the compounds' people
    or at the compounds (a central site), joined to their checks not made (a stay has
    one per day): the people in force and the checks due count at the home compound;
    a central site counts the people staying at it."""
    day = moment.day
    in_force = Q(ends_on__gte=day)
    rows = (
        Quarantine.objects.using(moment.using)
        .filter(Q(compound_id__in=compound_ids) | Q(site_id__in=compound_ids))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), starts_on__lte=day)
        .filter(resident__erased_at__isnull=True)
        # Joined to its open checks only (in the join's condition): a stay has a check
        # row for each of its days, and joining them all made 112,000 rows on the city
        # for the 4,000 open ones.
        .alias(
            open_checks=FilteredRelation(
                "checks", condition=Q(checks__checked_at__isnull=True, checks__day__lte=day)
            )
        )
        .values("compound_id", "site_id")
        .annotate(
            people=Count("resident_id", filter=in_force, distinct=True),
            home=Count("resident_id", filter=in_force & Q(kind=HOME), distinct=True),
            households=Count("household_id", filter=in_force & Q(kind=HOME), distinct=True),
            today=Count("open_checks", filter=Q(open_checks__day=day)),
            earlier=Count("open_checks", filter=Q(open_checks__day__lt=day)),
        )
        .order_by()
    )
    wanted = set(compound_ids)
    result: dict[int, Values] = defaultdict(dict)

    def add(compound_id: int, key: str, n: int) -> None:
        result[compound_id][key] = result[compound_id].get(key, 0) + n

    for row in rows:
        if row["compound_id"] in wanted:  # home stays have no site: one group per compound
            home = row["compound_id"]
            add(home, "quarantine.home", row["home"])
            add(home, "quarantine.central", row["people"] - row["home"])
            add(home, "quarantine.people", row["people"])
            add(home, "quarantine.households", row["households"])
            add(home, "quarantine.checks_open", row["today"])
            add(home, "quarantine.checks_missed", row["earlier"])
        if row["site_id"] in wanted:
            add(row["site_id"], "quarantine.at_site", row["people"])
    return result


BOARD = page("residents:quarantine-board")

QUARANTINE = Area(
    key="quarantine",
    compute=quarantine_compute,
    label=_("Quarantine"),
    order=30,
    figures=(
        Figure("quarantine.home", _("people in home quarantine"), BOARD, kinds=WITH_HOUSEHOLDS),
        Figure(
            "quarantine.central", _("people in central quarantine"), BOARD, kinds=WITH_HOUSEHOLDS
        ),
        Figure(
            "quarantine.households",
            _("households in home quarantine"),
            BOARD,
            column=False,
            kinds=WITH_HOUSEHOLDS,
        ),
        Figure(
            "quarantine.checks_open",
            _("today's checks not made yet"),
            BOARD,
            alert=True,
            kinds=WITH_HOUSEHOLDS,
        ),
        Figure(
            "quarantine.checks_missed",
            _("checks missed on earlier days"),
            BOARD,
            alert=True,
            kinds=WITH_HOUSEHOLDS,
        ),
        Figure(
            "quarantine.people",
            _("people in quarantine"),
            BOARD,
            column=False,
            kinds=WITH_HOUSEHOLDS,
        ),
        Figure(
            "quarantine.at_site",
            _("people staying here (central site)"),
            BOARD,
            column=False,
            kinds=SITES,
        ),
    ),
    report=(
        ReportLine(_("People in home quarantine"), ("quarantine.home",)),
        ReportLine(_("People in central quarantine"), ("quarantine.central",)),
        ReportLine(_("Households in home quarantine"), ("quarantine.households",)),
        ReportLine(_("Quarantine checks not made that day"), ("quarantine.checks_open",)),
    ),
)
