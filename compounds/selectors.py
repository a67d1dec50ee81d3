"""Reads of the compounds app."""

from typing import Any

from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from compounds.models import Branch, Compound


def compound_summary(*, compound: Compound) -> dict[str, Any]:
    from residents.models import Household, Resident
    from residents.selectors import vulnerable_q

    households = Household.objects.filter(compound=compound)
    residents = Resident.objects.filter(household__compound=compound)
    counts = residents.aggregate(
        total=Count("id"),
        party=Count("id", filter=Q(party_member=True)),
        returnees=Count("id", filter=Q(returnee=True)),
        vulnerable=Count("id", filter=vulnerable_q()),
    )
    return {
        "households": households.count(),
        "returnee_households": households.filter(residents__returnee=True).distinct().count(),
        "buildings": compound.buildings.count(),
        "sealed_buildings": list(compound.buildings.filter(sealed=True)),
        "openings": list(compound.openings.all()),
        **{f"residents_{k}": v for k, v in counts.items()},
    }


def branches_for(*, compound: Compound) -> QuerySet[Branch]:
    return compound.branches.prefetch_related("members").all()


def subquery_count(model: type[Model], field: str) -> Coalesce:
    """COUNT of ``model`` rows pointing at the outer row: one subquery, no join fan-out."""
    counted = (
        model._default_manager.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)
