"""Reads of the compounds app."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from compounds.access import visible_compound_ids
from compounds.models import AuditEntry, Branch, Compound, Role


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


def audit_entries_visible(user: Any) -> QuerySet[AuditEntry]:
    """The audit entries ``user`` may read.

    - the entries of every compound they see (``access.visible_compound_ids``);
    - an officer's: their communities' own entries (roles given and removed), and the
      entries that belong to no compound nor community (logins, device tokens) made by,
      or about, somebody who holds a role there.
    """
    entries = AuditEntry.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return entries.none()
    if user.is_superuser:
        return entries
    communities = Role.objects.filter(user=user, kind=Role.Kind.OFFICER).values("community_id")
    people = Role.objects.filter(
        Q(community__in=communities) | Q(compound__community__in=communities)
    ).values("user_id")
    personal = Q(compound__isnull=True, community__isnull=True) & (
        Q(actor__in=people) | Q(object_type=get_user_model()._meta.model_name, object_id__in=people)
    )
    return entries.filter(
        Q(compound__in=visible_compound_ids(user)) | Q(community__in=communities) | personal
    )
