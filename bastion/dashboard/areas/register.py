"""The register: households, residents (not erased), returnees and those returned on the
day, the vulnerable and party members (the compound page only)."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.areas.links import page
from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values
from residents.models import Household
from residents.selectors import vulnerable_q


def register_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """One grouped query: the households, each joined to its people (a household whose
    people all left still counts as a household)."""
    living = Q(residents__erased_at__isnull=True, residents__isnull=False)
    rows = (
        Household.objects.using(moment.using)
        .filter(compound_id__in=compound_ids)
        .values("compound_id")
        .annotate(
            households=Count("pk", distinct=True),
            total=Count("residents", filter=living),
            returnees=Count("residents", filter=living & Q(residents__returnee=True)),
            new=Count(
                "residents",
                filter=living & Q(residents__returnee=True, residents__returned_on=moment.day),
            ),
            vulnerable_n=Count("residents", filter=living & vulnerable_q("residents__")),
            party=Count("residents", filter=living & Q(residents__party_member=True)),
        )
        .order_by()
    )
    result: dict[int, Values] = defaultdict(dict)
    for row in rows:
        result[row["compound_id"]].update(
            {
                "register.households": row["households"],
                "register.residents": row["total"],
                "register.returnees": row["returnees"],
                "register.returnees_new": row["new"],
                "register.vulnerable": row["vulnerable_n"],
                "register.party_members": row["party"],
            }
        )
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
