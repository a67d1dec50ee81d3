"""The visits' upload: a phone that recorded visits in a stairwell without signal sends
them here when it can, each with its client id (written once, like the gate's passages).
Refusals answer 400 (409 for a client id used for another visit) with the service's code."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from compounds import access
from residents.errors import ResidentError
from residents.models import Resident
from residents.rounds import services
from residents.rounds.errors import Code
from residents.rounds.models import Round, Visit


def _rule(name: str, model: Any = Visit) -> list[Any]:
    """The model field's own validators (the text rule): refused in the same words."""
    return list(model._meta.get_field(name).validators)


class NewPersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, validators=_rule("name", Resident))
    sex = serializers.ChoiceField(choices=Resident.Sex.choices, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)


class VisitUploadSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    round = serializers.IntegerField()
    household = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Visit.Result.choices)
    present = serializers.ListField(child=serializers.IntegerField(), required=False)
    moved_out = serializers.ListField(child=serializers.IntegerField(), required=False)
    returnee = serializers.BooleanField(required=False, default=False)
    returned_from = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=_rule("returned_from")
    )
    returned_on = serializers.DateField(required=False, allow_null=True)
    case_contact = serializers.BooleanField(required=False, default=False)
    symptoms = serializers.BooleanField(required=False, default=False)
    temperature = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    fever_resident = serializers.IntegerField(required=False, allow_null=True)
    returnee_resident = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(
        max_length=300, required=False, allow_blank=True, validators=_rule("notes")
    )
    colour = serializers.ChoiceField(
        choices=[("", "")] + list(Visit.Colour.choices), required=False, allow_blank=True
    )
    colour_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, validators=_rule("colour_reason")
    )
    new_people = NewPersonSerializer(many=True, required=False)
    recorded_at = serializers.DateTimeField(required=False, allow_null=True)


class VisitSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address", read_only=True)
    # The same choices as ``colour``: one enum in the schema, not two names for it.
    colour_rule = serializers.CharField(read_only=True, help_text="red, pink or yellow")

    class Meta:
        model = Visit
        fields = [
            "id",
            "round",
            "household",
            "address",
            "result",
            "colour",
            "colour_rule",
            "temperature",
            "fever_alert",
            "visited_at",
        ]
        read_only_fields = fields


class VisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = VisitSerializer

    def get_serializer_class(self) -> Any:
        return VisitUploadSerializer if self.action == "create" else VisitSerializer

    def get_queryset(self) -> Any:
        return access.scoped(
            self.request.user,
            Visit.objects.exclude(result=Visit.Result.PENDING).select_related(
                "household__building", "household__unit"
            ),
        ).order_by("-visited_at", "-id")

    @extend_schema(
        request=VisitUploadSerializer,
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="Same client_id: the visit as is"),
            400: OpenApiResponse(description="Refused (the code says why); nothing written"),
            404: OpenApiResponse(description="Unknown round, or one the user may not see"),
            409: OpenApiResponse(description="client_id_conflict; nothing written"),
        },
        summary="Upload one door visit recorded on a phone",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = VisitUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        round_ = (
            access.scoped(request.user, Round.objects.all()).filter(pk=data.pop("round")).first()
        )
        if round_ is None:
            raise Http404
        try:
            visit = services.visit_for(round_=round_, household_id=data.pop("household"))
            recorded = services.visit_record(
                visit=visit,
                actor=request.user,
                new_people=[services.NewPerson(**p) for p in data.pop("new_people", [])],
                **data,
            )
        except ResidentError as error:
            if error.code == Code.CLIENT_ID_CONFLICT:
                error.status_code = 409
            field = error.params.get("field")
            if isinstance(field, str):
                # Beside its field, as a serializer's refusal, with the service's code.
                raise serializers.ValidationError(
                    {field: [str(error.message)], "code": error.code}
                ) from error
            raise
        body = VisitSerializer(recorded.visit).data
        return Response(
            body, status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK
        )


def register(router: BaseRouter) -> None:
    router.register("visits", VisitViewSet, basename="visit")
