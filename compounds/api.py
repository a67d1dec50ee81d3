"""Registry API, read side: compounds, buildings and openings the user may see.

Every queryset starts from ``access.scoped``; a row of a compound the user may not see is
a 404 like a row that does not exist. The scoped base view and the write permission
here are shared with ``residents.api``.
"""

from typing import Any

from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from rest_framework import permissions, viewsets
from rest_framework.request import Request
from rest_framework.routers import BaseRouter

from compounds import access, counts
from compounds.access import Level, visible_communities
from compounds.api_filters import StrictFilterSet
from compounds.models import Building, Community, Compound, Opening
from compounds.selectors import subquery_count
from compounds.serializers import BuildingSerializer, CompoundSerializer, OpeningSerializer


class ManagesSomeCompound(permissions.BasePermission):
    """Reads for anyone signed in with a role; writes only for a compound's managers.

    For a create this is the early answer (403 before the body is validated); the compound
    the new row goes into is checked again with ``access.require`` once it is known.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "action", None) != "create":
            # Reads, and writes to one object: ``get_object`` answers 404 for a compound
            # the user cannot see and 403 below MANAGE.
            return True
        return any(level >= Level.MANAGE for level in access.compound_levels(request.user).values())


def scoped_choices(model: type[Model]) -> Any:
    """A filter's choices: only rows of the user's compounds (others: "not a valid choice")."""

    def queryset(request: Request | None) -> QuerySet:
        if request is None:
            return model._default_manager.none()
        return access.scoped(request.user, model._default_manager.all())

    return queryset


class ScopedViewSet(viewsets.GenericViewSet):
    """Querysets from ``access.scoped``; single objects 404 outside, 403 below MANAGE to write.

    The path to the compound is the one the queryset's model declares (``compounds.scope``).
    """

    lookup_value_regex = r"\d+"
    permission_classes = [ManagesSomeCompound]

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return access.scoped(self.request.user, self.base_queryset())

    def get_object(self) -> Any:
        need = Level.VOLUNTEER if self.request.method in permissions.SAFE_METHODS else Level.MANAGE
        obj = access.get_scoped_or_404(
            self.request.user,
            self.base_queryset(),
            need=need,
            pk=self.kwargs[self.lookup_field],
        )
        self.check_object_permissions(self.request, obj)
        return obj


def _communities(request: Request | None) -> QuerySet[Community]:
    if request is None:
        return Community.objects.none()
    return visible_communities(request.user)


class CompoundFilter(StrictFilterSet):
    community = filters.ModelChoiceFilter(queryset=lambda request: _communities(request))

    class Meta:
        model = Compound
        fields = ["community", "kind", "three_without"]


class CompoundViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    serializer_class = CompoundSerializer
    filterset_class = CompoundFilter
    search_fields = ["name", "address", "grid"]
    ordering = ["name"]

    @property
    def ordering_fields(self) -> list[str]:
        return ["name", *counts.names(Compound)]

    def base_queryset(self) -> QuerySet:
        return counts.annotate(
            Compound.objects.select_related("community").annotate(
                building_count=subquery_count(Building, "compound")
            )
        )


class BuildingFilter(StrictFilterSet):
    compound = filters.ModelChoiceFilter(queryset=scoped_choices(Compound))

    class Meta:
        model = Building
        fields = ["compound", "sealed"]


class BuildingViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter
    search_fields = ["number", "note"]
    ordering = ["compound__name", "number"]
    natural_fields = ("number",)

    @property
    def ordering_fields(self) -> list[str]:
        return ["number", *counts.names(Building)]

    def base_queryset(self) -> QuerySet:
        return counts.annotate(Building.objects.select_related("compound"))


class OpeningFilter(StrictFilterSet):
    compound = filters.ModelChoiceFilter(queryset=scoped_choices(Compound))

    class Meta:
        model = Opening
        fields = ["compound", "state", "vehicle_rule"]


class OpeningViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    serializer_class = OpeningSerializer
    filterset_class = OpeningFilter
    search_fields = ["name"]
    ordering_fields = ["name", "state"]
    ordering = ["compound__name", "name"]

    def base_queryset(self) -> QuerySet:
        return Opening.objects.all()


def register(router: BaseRouter) -> None:
    router.register("compounds", CompoundViewSet, basename="compound")
    router.register("buildings", BuildingViewSet, basename="building")
    router.register("openings", OpeningViewSet, basename="opening")
