"""The one tenant-scoping helper: every lookup of a compound's data goes through here.

A user's standing in a compound is a ``Level``. Querysets start from what the user may
see (``scoped``); single objects are loaded with ``get_scoped_or_404``, which answers
404 for a compound the user may not see and 403 for one they may see but not change.
Both follow the path to the compound that each model declares (``compounds.scope``).
"""

from enum import IntEnum
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Field, Model, Q, QuerySet
from django.http import Http404

from compounds.kinds import refuse_unless_applies
from compounds.models import Community, Compound, Role
from compounds.scope import required_scope_path

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_bastion_levels"


class Level(IntEnum):
    NONE = 0
    VOLUNTEER = 1  # gate and door duties; masked personal data; reads the registry
    MANAGE = 2  # branch secretary or deputy: changes the compound's data
    OFFICER = 3  # community officer: every compound of the community


_KIND_LEVEL: dict[str, Level] = {
    Role.Kind.VOLUNTEER: Level.VOLUNTEER,
    Role.Kind.DEPUTY: Level.MANAGE,
    Role.Kind.SECRETARY: Level.MANAGE,
}


def compound_levels(user: Any) -> dict[int, Level]:
    """{compound_id: level} for every compound the user may see; cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached: dict[int, Level] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    levels: dict[int, Level] = {}
    if user.is_superuser:
        levels = {pk: Level.OFFICER for pk in Compound.objects.values_list("pk", flat=True)}
    else:
        roles = Role.objects.filter(user=user).values_list("kind", "community_id", "compound_id")
        officer_communities = [c for kind, c, _ in roles if kind == Role.Kind.OFFICER]
        for kind, _community, compound_id in roles:
            if compound_id is not None:
                levels[compound_id] = max(levels.get(compound_id, Level.NONE), _KIND_LEVEL[kind])
        if officer_communities:
            for pk in Compound.objects.filter(community__in=officer_communities).values_list(
                "pk", flat=True
            ):
                levels[pk] = Level.OFFICER
    setattr(user, _CACHE_ATTR, levels)
    return levels


def visible_compound_ids(user: Any) -> QuerySet[Compound, Any] | list[int]:
    """A subquery of the compounds the user may see, for ``__in`` filters in one SQL query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return Compound.objects.values("pk")
    return Compound.objects.filter(
        Q(pk__in=Role.objects.filter(user=user, compound__isnull=False).values("compound_id"))
        | Q(community_id__in=Role.objects.filter(user=user, kind="officer").values("community_id"))
    ).values("pk")


def level_for(user: Any, compound: Compound | int) -> Level:
    compound_id = compound if isinstance(compound, int) else compound.pk
    return compound_levels(user).get(compound_id, Level.NONE)


def visible_compounds(user: Any) -> QuerySet[Compound]:
    return Compound.objects.filter(pk__in=list(compound_levels(user))).select_related("community")


def scoped(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The part of ``queryset`` the user may see, through the model's declared scope path.

    The user's compounds go in as a subquery, so a scoped lookup is still one SQL query.
    """
    path = required_scope_path(queryset.model)
    return queryset.filter(**{f"{path}__in": visible_compound_ids(user)})


def get_scoped_or_404(
    user: Any,
    queryset: QuerySet[M],
    *,
    need: Level = Level.VOLUNTEER,
    **lookup: Any,
) -> M:
    """Load one object the user may see (404 otherwise) and may act on at ``need`` (403)."""
    path = required_scope_path(queryset.model)
    # No ordering: a single-row lookup needs none, and model orderings add joins.
    rows: list[M] = list(
        scoped(user, queryset).annotate(_scope_compound_id=F(path)).filter(**lookup).order_by()[:1]
    )
    obj = rows[0] if rows else None
    if obj is None:
        raise Http404
    if isinstance(obj, Compound):
        # A route of a feature this kind of compound lacks (a site's registry): 404.
        refuse_unless_applies(obj)
    # Anyone who can see a compound stands at least at VOLUNTEER in it: only a higher
    # need costs the query for the user's roles.
    compound_id: int = obj._scope_compound_id  # type: ignore[attr-defined]  # the annotate() above
    if need > Level.VOLUNTEER and level_for(user, compound_id) < need:
        raise PermissionDenied
    return obj


def require(user: Any, compound: Compound | int, need: Level) -> None:
    """403 unless the user stands at ``need`` in a compound they can already see."""
    level = level_for(user, compound)
    if level == Level.NONE:
        raise Http404
    if level < need:
        raise PermissionDenied


def sees_personal_data(user: Any, compound: Compound | int) -> bool:
    """Full ID-card and phone numbers are for the branch's managers and the office only."""
    return level_for(user, compound) >= Level.MANAGE


def masked_compound_ids(user: Any) -> list[int]:
    """The compounds the user sees with masked ID and phone numbers (below MANAGE)."""
    return [c for c, level in compound_levels(user).items() if level < Level.MANAGE]


def visible_communities(user: Any) -> QuerySet[Community]:
    if user.is_superuser:
        return Community.objects.all()
    compounds = Compound.objects.filter(pk__in=visible_compound_ids(user))
    return Community.objects.filter(pk__in=compounds.values("community"))


def visible_sql(*, compound_column: str, community_column: str) -> str:
    """The same rule as ``visible_compound_ids``, as an SQL condition for hand-written
    hot-path queries (the gate's check-in). Its parameters are ``visible_sql_params(user)``.
    tests/compounds/test_access.py checks that both forms agree for the whole cast.
    """
    qn = connection.ops.quote_name
    return (
        f"(%s AND (%s OR EXISTS (SELECT 1 FROM {qn(Role._meta.db_table)} vr "
        f"WHERE vr.{column(Role, 'user')} = %s AND "
        f"(vr.{column(Role, 'compound')} = {compound_column} OR "
        f"(vr.{column(Role, 'kind')} = %s "
        f"AND vr.{column(Role, 'community')} = {community_column})))))"
    )


def column(model: type[Model], name: str) -> str:
    """The quoted column of a model's concrete field, for hand-written SQL."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model._meta.label}.{name} has no column")
    return connection.ops.quote_name(field.column)


def visible_sql_params(user: Any) -> list[Any]:
    """The parameters of ``visible_sql``: an anonymous or inactive user sees nothing."""
    active = bool(getattr(user, "is_authenticated", False) and user.is_active)
    return [active, active and bool(user.is_superuser), user.pk, Role.Kind.OFFICER.value]
