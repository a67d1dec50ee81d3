"""Reads of the compounds app."""

from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from compounds.models import Branch, Compound


def branches_for(*, compound: Compound) -> QuerySet[Branch]:
    return compound.branches.prefetch_related("members").all()


def subquery_count(model: type[Model], field: str, where: Q | None = None) -> Coalesce:
    """COUNT of ``model`` rows pointing at the outer row (and matching ``where``): one
    subquery, no join fan-out and no GROUP BY on the outer query."""
    counted = (
        model._default_manager.filter(where or Q(), **{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)
