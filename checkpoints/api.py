"""Gate API: the contract the gate page and any scanner device use. Keep it stable."""

from datetime import datetime

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from checkpoints import gate_sql, selectors, services
from checkpoints.errors import reason_message
from checkpoints.models import FeverAlert, Passage, PassCard
from checkpoints.serializers import (
    CardStatusSerializer,
    FeverAlertSerializer,
    PassageCreateSerializer,
    PassageResultSerializer,
    PassageSerializer,
)
from compounds import access


def _iso(value: datetime | None) -> str | None:
    """As DRF renders a DateTimeField: ISO 8601 in the current time zone."""
    return timezone.localtime(value).isoformat() if value else None


class CardDetailView(APIView):
    throttle_scope = "gate"  # settings: DEFAULT_THROTTLE_RATES

    @extend_schema(
        operation_id="card_status",
        responses={200: CardStatusSerializer, 404: OpenApiResponse(description="No such card")},
        summary="Card state and whether its household may go out now",
    )
    def get(self, request: Request, code: str) -> Response:
        card = services.find_card(code)
        if card is None:
            return Response(status=status.HTTP_404_NOT_FOUND, data={"code": "card_unknown"})
        # A card of a compound the user may not see is answered exactly like no card.
        access.get_scoped_or_404(request.user, PassCard.objects.all(), pk=card.pk)
        result = selectors.card_status(card=card)
        data = CardStatusSerializer(
            {
                "card": card,
                "exit_allowed": result.exit_allowed,
                "reason": result.reason,
                "message": reason_message(
                    result.reason,
                    last_exit_at=result.last_exit_at,
                    next_exit_at=result.next_exit_at,
                ),
                "last_exit_at": result.last_exit_at,
                "next_exit_at": result.next_exit_at,
                "out_now": result.out_now,
            }
        ).data
        return Response(data)


class PassageViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PassageSerializer
    throttle_scope = "gate"
    filterset_fields = ["opening", "direction", "verdict", "reason", "household", "late"]
    ordering_fields = ["occurred_at"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
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
            400: OpenApiResponse(description="Malformed input; nothing written"),
            404: OpenApiResponse(description="Unknown gate, or one the user may not see"),
        },
        summary="Record one passage at a gate and get the verdict",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        form = PassageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # The scoping rule in its SQL form (compounds.access.visible_sql): the hot path.
        opening = gate_sql.opening_for_gate(user=request.user, opening_id=data["gate"])
        if opening is None:
            raise Http404
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
        )
        p = decision.passage
        # A plain dict, not PassageResultSerializer (which documents it in the schema):
        # building a serializer per check-in cost more than the decision's own queries.
        body = {
            "id": p.pk,
            "household": p.household.address if p.household_id else None,
            "verdict": p.verdict,
            "reason": p.reason or None,
            "message": decision.message,
            "next_exit_at": _iso(p.next_exit_at),
            "last_exit_at": _iso(p.last_exit_at),
            "fever": p.fever,
            "late": p.late,
            "breach": p.breach or None,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if decision.created else status.HTTP_200_OK
        )


class FeverAlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FeverAlertSerializer
    filterset_fields = ["status", "compound"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.scoped(
            self.request.user,
            FeverAlert.objects.select_related(
                "passage__household__building",
                "passage__household__unit",
                "passage__opening",
                "passage__volunteer",
            ),
        ).order_by("-created_at")


def register(router: BaseRouter) -> None:
    router.register("passages", PassageViewSet, basename="passage")
    router.register("fever-alerts", FeverAlertViewSet, basename="fever-alert")


extra_urls = [path("cards/<str:code>/", CardDetailView.as_view(), name="card-detail")]
