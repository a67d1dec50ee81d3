"""Gate API: the contract the gate page and any scanner device use. Keep it stable."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from checkpoints import selectors, services, vehicles, visitors
from checkpoints.errors import REASON_LABELS, CheckpointError, Reason, reason_message
from checkpoints.models import Passage
from checkpoints.serializers import (
    CardQuerySerializer,
    CardStatusSerializer,
    FeverAlertSerializer,
    PassageCreateSerializer,
    PassageResultSerializer,
    PassageSerializer,
    VehicleTripCreateSerializer,
)
from checkpoints.snapshot import gate_snapshot
from compounds import access
from compounds.api import scoped_choices
from compounds.api_filters import StrictFilterSet
from compounds.models import Compound, Opening
from residents.models import FeverAlert, Household


def _iso(value: datetime | None) -> str | None:
    """As DRF renders a DateTimeField: ISO 8601 in the current time zone."""
    return timezone.localtime(value).isoformat() if value else None


def _no_such_card() -> Response:
    # One answer for a card that does not exist, one of a compound the user may not see,
    # and one of another compound than the gate's: byte for byte the same, so that card
    # numbers cannot be confirmed across the city.
    return Response(
        status=status.HTTP_404_NOT_FOUND,
        data={"code": Reason.CARD_UNKNOWN, "detail": reason_message(Reason.CARD_UNKNOWN)},
    )


class CardDetailView(APIView):
    throttle_scope = "gate"  # settings: DEFAULT_THROTTLE_RATES

    @extend_schema(
        operation_id="card_status",
        parameters=[CardQuerySerializer],
        responses={
            200: CardStatusSerializer,
            404: OpenApiResponse(
                description="card_unknown: no such card, or none the user may see here"
            ),
        },
        summary="Card state and whether its household may go out now",
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            services.refuse_capability_link(code)
        except CheckpointError as error:
            # Not a card at all: named, so that the volunteer asks for the pass card.
            return Response(
                status=status.HTTP_404_NOT_FOUND, data={"code": error.code, "detail": error.message}
            )
        query = CardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        compound_id, opening = params.get("compound"), None
        if params.get("gate") is not None:
            opening = services.opening_for_gate(user=request.user, opening_id=params["gate"])
            if opening is None:
                raise Http404
            if compound_id not in (None, opening.compound_id):
                return _no_such_card()
            compound_id = opening.compound_id
        card = selectors.visible_card(user=request.user, code=code, compound_id=compound_id)
        if card is None:
            return _no_such_card()
        result = selectors.card_status(
            card=card,
            resident_id=params.get("resident"),
            opening=opening,
            vehicle=params["vehicle"],
        )
        return Response(CardStatusSerializer(_card_answer(result)).data)


def _card_answer(result: selectors.CardStatus) -> dict[str, Any]:
    return {
        "card": result.card,
        "exit_allowed": result.exit_allowed,
        "reason": result.reason,
        "message": reason_message(
            result.reason, last_exit_at=result.last_exit_at, next_exit_at=result.next_exit_at
        ),
        "last_exit_at": result.last_exit_at,
        "next_exit_at": result.next_exit_at,
        "entry_allowed": result.entry_allowed,
        "entry_reason": result.entry_reason,
        "entry_message": reason_message(result.entry_reason),
        "out_now": result.out_now,
    }


class SnapshotQuerySerializer(serializers.Serializer):
    since = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=_("The gate_version the phone holds: only what changed after it."),
    )
    exits_after = serializers.DateTimeField(
        required=False,
        help_text=_("The server_time of the phone's last snapshot: exits received since."),
    )


# Compressed: 1,300 households are about 70 KB gzipped and several times that raw. The
# snapshot reflects nothing the request sent, so compression leaks no secret (BREACH).
@method_decorator(gzip_page, name="dispatch")
class GateSnapshotView(APIView):
    """What a gate phone keeps to decide offline (``checkpoints.snapshot``)."""

    throttle_scope = "gate"

    @extend_schema(
        operation_id="gate_snapshot",
        parameters=[SnapshotQuerySerializer],
        responses={200: OpenApiTypes.OBJECT},
        summary="The compound's gate snapshot, whole or as a delta since a gate_version",
    )
    def get(self, request: Request, compound_id: int) -> Response:
        query = SnapshotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        compound = access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id)
        since = query.validated_data.get("since")
        exits_after = query.validated_data.get("exits_after")
        if since is not None and exits_after is None:
            since = None  # a delta needs both: send it whole
        data = gate_snapshot(compound=compound, since=since, exits_after=exits_after)
        response = Response(data)
        response["Cache-Control"] = "no-store"
        return response


class PassageFilter(StrictFilterSet):
    # Choices from the user's compounds: another compound's opening or household is
    # refused exactly like one that does not exist.
    opening = filters.ModelChoiceFilter(queryset=scoped_choices(Opening))
    household = filters.ModelChoiceFilter(queryset=scoped_choices(Household))
    reason = filters.ChoiceFilter(choices=list(REASON_LABELS.items()))

    class Meta:
        model = Passage
        fields = ["opening", "direction", "verdict", "reason", "household", "late"]


class PassageViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PassageSerializer
    throttle_scope = "gate"
    filterset_class = PassageFilter
    ordering_fields = ["occurred_at"]

    def get_queryset(self) -> QuerySet[Passage]:
        return access.scoped(
            self.request.user,
            Passage.objects.select_related(
                "opening", "household__building", "household__unit", "volunteer"
            ),
        ).order_by("-occurred_at", "-id")

    @extend_schema(
        request=PassageCreateSerializer,
        responses={
            201: PassageResultSerializer,
            200: OpenApiResponse(
                PassageResultSerializer, description="Same client_id: the first answer"
            ),
            400: OpenApiResponse(
                description="Malformed input, or a device time out of bounds "
                "(recorded_too_old, recorded_in_future); nothing written"
            ),
            404: OpenApiResponse(description="Unknown gate, or one the user may not see"),
            409: OpenApiResponse(
                description="client_id_conflict: the client_id is already stored for "
                "another record; nothing written"
            ),
        },
        summary="Record one passage at a gate and get the verdict",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = PassageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        opening = services.opening_for_gate(user=request.user, opening_id=data["gate"])
        if opening is None:
            raise Http404
        if "visitor" in data:
            visitor = data["visitor"]
            decision = visitors.visitor_passage_record(
                opening=opening,
                name=visitor["name"],
                unit=visitor["unit"],
                reason=visitor["reason"],
                direction=data["direction"],
                temperature=data["temperature"],
                actor=request.user,
                client_id=data["client_id"],
                recorded_at=data.get("recorded_at"),
            )
            return self._answer(decision)
        decision = services.passage_record(
            opening=opening,
            code=data["card"],
            direction=data["direction"],
            temperature=data["temperature"],
            actor=request.user,
            client_id=data["client_id"],
            resident_id=data.get("resident"),
            recorded_at=data.get("recorded_at"),
            vehicle=data.get("vehicle", False),
            sent=request.data,
            device_verdict=data.get("device_verdict") or "",
            device_reason=data.get("device_reason") or "",
        )
        return self._answer(decision)

    def _answer(self, decision: services.Decision) -> Response:
        p = decision.passage
        # A plain dict, not PassageResultSerializer (which documents it in the schema):
        # building a serializer per check-in cost more than the decision's own queries.
        body = {
            "id": p.pk,
            "household": p.household.address if p.household else None,
            "verdict": p.verdict,
            "reason": p.reason or None,
            "message": decision.message,
            "next_exit_at": _iso(p.next_exit_at),
            "last_exit_at": _iso(p.last_exit_at),
            "fever": p.fever,
            "late": p.late,
            "breach": p.breach or None,
            "decided_on": p.decided_on,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if decision.created else status.HTTP_200_OK
        )


class VehicleTripView(APIView):
    throttle_scope = "gate"

    @extend_schema(
        operation_id="vehicle_trip_create",
        request=VehicleTripCreateSerializer,
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT},
        summary="Record a vehicle with its plate and one passage per person in it",
    )
    def post(self, request: Request) -> Response:
        form = VehicleTripCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        opening = services.opening_for_gate(user=request.user, opening_id=data["gate"])
        if opening is None:
            raise Http404
        decision = vehicles.vehicle_trip_record(
            opening=opening,
            plate=data["plate"],
            direction=data["direction"],
            people=[
                vehicles.TripPerson(
                    code=p["card"],
                    temperature=p["temperature"],
                    client_id=p["client_id"],
                    resident_id=p.get("resident"),
                )
                for p in data["people"]
            ],
            actor=request.user,
            client_id=data["client_id"],
            recorded_at=data.get("recorded_at"),
        )
        trip = decision.trip
        body = {
            "id": trip.pk,
            "plate": trip.plate,
            "verdict": trip.verdict,
            "reason": trip.reason or None,
            "people": [
                {
                    "id": p.pk,
                    "household": p.household.address if p.household else None,
                    "verdict": p.verdict,
                    "reason": p.reason or None,
                    "message": services.Decision(passage=p, created=False).message,
                }
                for p in decision.passages
            ],
        }
        return Response(body, status=201 if decision.created else 200)


class FeverAlertFilter(StrictFilterSet):
    compound = filters.ModelChoiceFilter(queryset=scoped_choices(Compound))

    class Meta:
        model = FeverAlert
        fields = ["status", "compound"]


class FeverAlertViewSet(viewsets.ReadOnlyModelViewSet):
    """The alerts are the residents' (``residents.FeverAlert``); this endpoint stays with the
    gate, whose passage gives each alert its opening and volunteer."""

    serializer_class = FeverAlertSerializer
    filterset_class = FeverAlertFilter

    def get_queryset(self) -> QuerySet[FeverAlert]:
        return access.scoped(
            self.request.user,
            FeverAlert.objects.select_related(
                "household__building",
                "household__unit",
                "passage__opening",
                "passage__volunteer",
            ),
        ).order_by("-created_at")


def register(router: BaseRouter) -> None:
    router.register("passages", PassageViewSet, basename="passage")
    router.register("fever-alerts", FeverAlertViewSet, basename="fever-alert")


extra_urls = [
    path("cards/<str:code>/", CardDetailView.as_view(), name="card-detail"),
    path("vehicle-trips/", VehicleTripView.as_view(), name="vehicle-trip"),
    path(
        "compounds/<int:compound_id>/gate-snapshot/",
        GateSnapshotView.as_view(),
        name="gate-snapshot",
    ),
]
