"""Reads of the compounds app."""

from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from compounds.models import Branch, Compound


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
