"""The 接龙 API (the paste page's contract: keep it stable), and read-only runs and
requests. Who may paste: the run's volunteers and the compound's managers; anyone else
gets 404, as everywhere."""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from compounds import access
from compounds.access import Level
from compounds.models import Building, Compound
from supplies import jielong_services, selectors, services
from supplies.models import HelpRequest, Run
from supplies.serializers import (
    CommitRequestSerializer,
    CommitSerializer,
    HelpRequestSerializer,
    PreviewRequestSerializer,
    PreviewSerializer,
    RunSerializer,
)


def run_for_work(user: Any, run_id: int) -> Run:
    """A run the user may paste into, tick and pay for; 404 for anyone else."""
    run = access.get_scoped_or_404(
        user, Run.objects.select_related("compound", "building"), pk=run_id
    )
    if not services.can_work_on(user, run):
        raise Http404
    return run


def _may_paste_in(user: Any, compound: Compound) -> bool:
    if access.level_for(user, compound) >= Level.MANAGE:
        return True
    return Run.objects.filter(compound=compound, volunteers=user).exists()


class JielongPreviewView(APIView):
    @extend_schema(
        operation_id="jielong_preview",
        request=PreviewRequestSerializer,
        responses={
            200: PreviewSerializer,
            404: OpenApiResponse(description="A compound or building the user may not paste into"),
        },
        summary="Read a pasted 接龙 chain into orders by room; writes nothing",
    )
    def post(self, request: Request) -> Response:
        body = PreviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        compound = access.get_scoped_or_404(
            request.user, Compound.objects.all(), pk=data["compound"]
        )
        if not _may_paste_in(request.user, compound):
            raise Http404
        building = None
        if data.get("building") is not None:
            building = Building.objects.filter(compound=compound, pk=data["building"]).first()
            if building is None:
                raise Http404
        preview = selectors.jielong_preview(compound=compound, building=building, text=data["text"])
        return Response(
            {
                "orders": preview.order_rows(),
                "unread": preview.unread_rows(),
                "skipped": preview.skipped_rows(),
            }
        )


class JielongCommitView(APIView):
    @extend_schema(
        operation_id="jielong_commit",
        request=CommitRequestSerializer,
        responses={
            201: CommitSerializer,
            200: OpenApiResponse(CommitSerializer, description="Same client_key: the first answer"),
            400: OpenApiResponse(
                description="after_cutoff, quantity_invalid (with line_no), "
                "household_other_compound, household_outside_run, no_items; nothing written"
            ),
            404: OpenApiResponse(description="A run the user is not on and does not manage"),
            409: OpenApiResponse(
                description="client_key_conflict: the key was used for another text"
            ),
        },
        summary="Write a pasted chain and its fixes into the run's orders (upsert)",
    )
    def post(self, request: Request, run: int) -> Response:
        found = run_for_work(request.user, run)
        body = CommitRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        fixes = [
            jielong_services.Fix(
                line_no=f["line_no"],
                household=f["household"],
                items=None
                if f.get("items") is None
                else [
                    services.LineInput(
                        name=i["name"],
                        quantity=i.get("quantity"),
                        unit=i.get("unit", ""),
                        note=i.get("note", ""),
                    )
                    for i in f["items"]
                ],
            )
            for f in data["fixes"]
        ]
        answer, written = jielong_services.jielong_commit(
            run=found,
            text=data["text"],
            fixes=fixes,
            client_key=data["client_key"],
            actor=request.user,
        )
        return Response(answer, status=status.HTTP_201_CREATED if written else status.HTTP_200_OK)


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RunSerializer

    def get_queryset(self) -> QuerySet[Run]:
        return (
            access.scoped(self.request.user, Run.objects.all())
            .prefetch_related("volunteers")
            .annotate(orders_count=Count("orders"))
            .order_by("-date", "-id")
        )


class HelpRequestViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HelpRequestSerializer

    def get_queryset(self) -> QuerySet[HelpRequest]:
        return (
            access.scoped(self.request.user, HelpRequest.objects.all())
            .select_related("household__building", "household__unit", "fever_alert")
            .order_by("-created_at", "-id")
        )


def register(router: BaseRouter) -> None:
    router.register("supplies/runs", RunViewSet, basename="supply-run")
    router.register("supplies/help-requests", HelpRequestViewSet, basename="help-request")


extra_urls = [
    path("supplies/jielong/preview/", JielongPreviewView.as_view(), name="jielong-preview"),
    path("supplies/runs/<int:run>/jielong/", JielongCommitView.as_view(), name="jielong-commit"),
]
