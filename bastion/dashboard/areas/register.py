"""The register: households, residents (not erased), returnees and those returned on the
day, the vulnerable and party members (the compound page only)."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, IntegerField, Q, Value
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from residents.models import Household, Resident
from residents.selectors import vulnerable_q


def register_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """One statement, two grouped scans joined by UNION ALL: the households per compound,
    and their people per compound (each part fills its own columns, the other's are 0).
    One scan of households joined to their people would need COUNT(DISTINCT household),
    which sorted 300,000 rows on disk for a city (~350 ms); the two scans take ~250 ms."""
    zero = Value(0, output_field=IntegerField())
    households = (
        Household.objects.using(moment.using)
        .filter(compound_id__in=compound_ids)
        .values("compound_id")
        .annotate(
            households=Count("pk"),
            total=zero,
            returnees=zero,
            new=zero,
            vulnerable_n=zero,
            party=zero,
        )
        .order_by()
    )
    people = (
        Resident.objects.using(moment.using)
        .filter(household__compound_id__in=compound_ids, erased_at__isnull=True)
        .values("household__compound_id")
        .annotate(
            households=zero,
            total=Count("pk"),
            returnees=Count("pk", filter=Q(returnee=True)),
            new=Count("pk", filter=Q(returnee=True, returned_on=moment.day)),
            vulnerable_n=Count("pk", filter=vulnerable_q()),
            party=Count("pk", filter=Q(party_member=True)),
        )
        .order_by()
    )
    names = {
        "households": "register.households",
        "total": "register.residents",
        "returnees": "register.returnees",
        "new": "register.returnees_new",
        "vulnerable_n": "register.vulnerable",
        "party": "register.party_members",
    }
    result: dict[int, Values] = defaultdict(dict)
    for row in households.union(people, all=True):
        values = result[row["compound_id"]]
        for column, key in names.items():
            values[key] = values.get(key, 0) + row[column]
    return result


REGISTER = Area(
    key="register",
    compute=register_compute,
    label=_("Register"),
    order=5,
    feature="registry",
    figures=(
        Figure("register.households", _("households"), page("residents:households")),
        Figure("register.residents", _("residents"), page("residents:households")),
        Figure("register.returnees", _("returnees"), page("residents:returnees")),
        Figure("register.returnees_new", _("returned today"), page("residents:returnees")),
        Figure(
            "register.vulnerable",
            _("vulnerable residents"),
            page("residents:vulnerable"),
            column=False,
        ),
        Figure(
            "register.party_members",
            _("party members"),
            page("residents:households"),
            column=False,
        ),
    ),
    report=(
        ReportLine(_("Households under management"), ("register.households",)),
        ReportLine(_("Residents under management"), ("register.residents",)),
        ReportLine(_("Returnees"), ("register.returnees",)),
        ReportLine(_("Returnees arrived that day"), ("register.returnees_new",)),
    ),
)
