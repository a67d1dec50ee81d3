"""Registry API: households and residents of the compounds the user may see.

Reads for every role (phones and ID numbers masked below MANAGE); writes need MANAGE in
the household's compound and go through ``residents.services``, which validate, audit
and refuse with a stable code.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.filters import SearchFilter
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer

from compounds import access, scope
from compounds.access import Level
from compounds.api import ScopedViewSet, scoped_choices
from compounds.api_filters import (
    NaturalOrderingFilter,
    StrictBooleanFilter,
    StrictFilterBackend,
    StrictFilterSet,
)
from compounds.models import Building, Compound, Unit
from compounds.selectors import subquery_count
from residents import services
from residents.errors import ResidentError
from residents.flags import FLAG_NAMES
from residents.models import Household, Resident, address_order
from residents.rounds import api as rounds_api
from residents.selectors import (
    household_phone_q,
    resident_phone_q,
    searches_phones,
    vulnerable_q,
)
from residents.serializers import (
    HouseholdSerializer,
    ResidentSerializer,
    ResidentUpdateSerializer,
)

WRITE_RESPONSES = {
    400: OpenApiResponse(description="Invalid input: field errors and a code; nothing saved"),
    403: OpenApiResponse(description="The user does not manage this compound"),
}


def _field_errors(error: ResidentError) -> serializers.ValidationError:
    """A refusal of the service as a 400 with field errors (like the serializer's) plus its code."""
    given = error.params.get("errors")
    errors: dict[str, Any] = (
        {key: list(messages) for key, messages in given.items()} if isinstance(given, dict) else {}
    )
    field = str(error.params.get("field") or "non_field_errors")
    errors.setdefault(field, [str(error.message)])
    errors["code"] = error.code
    return serializers.ValidationError(errors)


if TYPE_CHECKING:
    _ViewBase = GenericAPIView[Any]
else:
    _ViewBase = object


class WriteThroughServices(_ViewBase):
    """Create and update call the service; the answer is the row re-read through the scope."""

    def reread(self, pk: int) -> Any:
        return self.get_queryset().get(pk=pk)


class RegistrySearchFilter(SearchFilter):
    """``?search=`` over ``search_fields`` and, like the page's search box, phone tails.

    One term of digits also matches the end of a phone: any tail of 4+ digits in the
    compounds where the caller sees full numbers; exactly the last 4 where phones are
    masked, and those searches are counted and audited (``phone_search_check``).
    """

    # DRF's own default is a lazy translation too; its stubs say str.
    search_description = _(  # type: ignore[assignment]
        "A name or a room. Digits also match the end of a phone number: the last 4 where "
        "you see masked phones (limited an hour, audited), any 4 or more where you see "
        "full numbers."
    )

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        found = super().filter_queryset(request, queryset, view)
        terms = self.get_search_terms(request)
        if len(terms) != 1 or not searches_phones(terms[0], full_phones=True):
            return found
        tail, user, via = terms[0], request.user, scope.required_scope_path(queryset.model)
        masked = access.masked_compound_ids(user)
        phones = view.phone_q(tail)
        if searches_phones(tail, full_phones=False):
            services.phone_search_check(
                actor=user, compounds=Compound.objects.filter(pk__in=masked), query=tail
            )
        elif masked:
            phones &= ~Q(**{f"{via}__in": masked})
        return queryset.filter(Q(pk__in=found.values("pk")) | phones)


REGISTRY_FILTERS = (StrictFilterBackend, RegistrySearchFilter, NaturalOrderingFilter)


# --- households --------------------------------------------------------------------


class HouseholdFilter(StrictFilterSet):
    compound = filters.ModelChoiceFilter(queryset=scoped_choices(Compound))
    building = filters.ModelChoiceFilter(queryset=scoped_choices(Building))
    unit = filters.ModelChoiceFilter(queryset=scoped_choices(Unit))
    in_quarantine = StrictBooleanFilter(
        method="filter_in_quarantine", label=_("in home quarantine today")
    )

    class Meta:
        model = Household
        fields = ["compound", "building", "unit", "room"]

    def filter_in_quarantine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        current = Q(quarantine_until__gte=timezone.localdate())
        return queryset.filter(current) if value else queryset.exclude(current)


@extend_schema_view(
    create=extend_schema(responses={201: HouseholdSerializer, **WRITE_RESPONSES}),
    update=extend_schema(responses={200: HouseholdSerializer, **WRITE_RESPONSES}),
    partial_update=extend_schema(responses={200: HouseholdSerializer, **WRITE_RESPONSES}),
)
class HouseholdViewSet(
    WriteThroughServices,
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    filter_backends = REGISTRY_FILTERS
    search_fields = ["room", "residents__name"]
    phone_q: Callable[[str], Q] = staticmethod(household_phone_q)
    ordering_fields = ["room", "building__number", "quarantine_until", "resident_count"]
    natural_fields = ("room", "building__number")

    def base_queryset(self) -> QuerySet:
        return (
            Household.objects.select_related("building", "unit")
            .annotate(resident_count=subquery_count(Resident, "household"))
            .order_by("compound_id", address_order(), "pk")
        )

    def perform_create(self, serializer: BaseSerializer[Household]) -> None:
        data = dict(serializer.validated_data)
        building = data.pop("building")
        access.require(self.request.user, building.compound_id, Level.MANAGE)
        try:
            household = services.household_create(
                compound=building.compound,
                actor=self.request.user,
                building=building,
                unit=data.pop("unit", None),
                **data,
            )
        except ResidentError as error:
            raise _field_errors(error) from error
        serializer.instance = self.reread(household.pk)

    def perform_update(self, serializer: BaseSerializer[Household]) -> None:
        assert serializer.instance is not None  # an update's serializer holds the row
        try:
            household = services.household_update(
                household=serializer.instance,
                actor=self.request.user,
                **serializer.validated_data,
            )
        except ResidentError as error:
            raise _field_errors(error) from error
        serializer.instance = self.reread(household.pk)


# --- residents ---------------------------------------------------------------------


class ResidentFilter(StrictFilterSet):
    compound = filters.ModelChoiceFilter(
        field_name="household__compound", queryset=scoped_choices(Compound)
    )
    building = filters.ModelChoiceFilter(
        field_name="household__building", queryset=scoped_choices(Building)
    )
    household = filters.ModelChoiceFilter(queryset=scoped_choices(Household))
    vulnerable = StrictBooleanFilter(method="filter_vulnerable", label=_("vulnerable"))

    class Meta:
        model = Resident
        fields = [
            "compound",
            "building",
            "household",
            "sex",
            "relation",
            *FLAG_NAMES,
        ]

    def filter_vulnerable(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        any_need = vulnerable_q()
        return queryset.filter(any_need) if value else queryset.exclude(any_need)


@extend_schema_view(
    create=extend_schema(responses={201: ResidentSerializer, **WRITE_RESPONSES}),
    update=extend_schema(responses={200: ResidentSerializer, **WRITE_RESPONSES}),
    partial_update=extend_schema(responses={200: ResidentSerializer, **WRITE_RESPONSES}),
)
class ResidentViewSet(
    WriteThroughServices,
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    filterset_class = ResidentFilter
    filter_backends = REGISTRY_FILTERS
    search_fields = ["name", "household__room"]
    phone_q: Callable[[str], Q] = staticmethod(resident_phone_q)
    ordering_fields = ["name", "birth_year", "returned_on"]

    def get_serializer_class(self) -> type[ResidentSerializer]:
        if self.action in ("update", "partial_update"):
            return ResidentUpdateSerializer
        return ResidentSerializer

    def base_queryset(self) -> QuerySet:
        return Resident.objects.select_related("household__building", "household__unit")

    def perform_create(self, serializer: BaseSerializer[Resident]) -> None:
        data = dict(serializer.validated_data)
        household = data.pop("household")
        access.require(self.request.user, household.compound_id, Level.MANAGE)
        try:
            resident = services.resident_create(
                household=household, actor=self.request.user, **data
            )
        except ResidentError as error:
            raise _field_errors(error) from error
        serializer.instance = self.reread(resident.pk)

    def perform_update(self, serializer: BaseSerializer[Resident]) -> None:
        assert serializer.instance is not None  # an update's serializer holds the row
        try:
            resident = services.resident_update(
                resident=serializer.instance, actor=self.request.user, **serializer.validated_data
            )
        except ResidentError as error:
            raise _field_errors(error) from error
        serializer.instance = self.reread(resident.pk)


def register(router: BaseRouter) -> None:
    router.register("households", HouseholdViewSet, basename="household")
    router.register("residents", ResidentViewSet, basename="resident")
    rounds_api.register(router)
