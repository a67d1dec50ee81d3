"""The roster's API: my shifts, signing in and out (a phone's queued press included), and
the gaps of every compound the user sees. Refusals are ``RosterError``s: a code and a
message (``compounds.api_errors``)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from checkpoints.rosters import selectors, services
from checkpoints.rosters.common import device_time
from checkpoints.rosters.models import Assignment
from checkpoints.rosters.serializers import (
    GapSerializer,
    MyAssignmentSerializer,
    SignedSerializer,
    SignSerializer,
)
from compounds import access


class MyAssignmentsView(APIView):
    @extend_schema(
        operation_id="roster_my_assignments",
        responses={200: MyAssignmentSerializer(many=True)},
        summary="My shifts not yet over (and those of the last 12 hours), in every compound",
    )
    def get(self, request: Request) -> Response:
        rows = selectors.my_assignments(user=request.user)
        return Response(MyAssignmentSerializer(rows, many=True).data)


class AssignmentSignView(APIView):
    throttle_scope = "gate"

    @extend_schema(
        operation_id="roster_assignment_sign",
        request=SignSerializer,
        responses={200: SignedSerializer},
        summary="Sign in or out of a shift: the person on it, or the branch's managers",
    )
    def post(self, request: Request, pk: int) -> Response:
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = access.get_scoped_or_404(
            request.user, Assignment.objects.select_related("shift__post", "member"), pk=pk
        )
        write = (
            services.sign_in if body.validated_data["action"] == "sign_in" else services.sign_out
        )
        at = device_time(body.validated_data.get("at"))
        done = write(assignment=assignment, actor=request.user, **({"now": at} if at else {}))
        return Response(SignedSerializer(done).data)


class GapsView(APIView):
    @extend_schema(
        operation_id="roster_gaps",
        responses={200: GapSerializer(many=True)},
        summary="Posts short of people now and shifts short in the next 24 hours",
    )
    def get(self, request: Request) -> Response:
        found = selectors.gaps(compound_ids=access.visible_compound_ids(request.user))
        return Response(GapSerializer(found, many=True).data)


urls = [
    path("roster/my-assignments/", MyAssignmentsView.as_view(), name="roster-my-assignments"),
    path(
        "roster/assignments/<int:pk>/sign/",
        AssignmentSignView.as_view(),
        name="roster-assignment-sign",
    ),
    path("roster/gaps/", GapsView.as_view(), name="roster-gaps"),
]
