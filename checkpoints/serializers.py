from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from checkpoints import codes
from checkpoints.models import TEMPERATURE_MAX, TEMPERATURE_MIN, FeverAlert, Passage
from residents.validators import mask_name, mask_phone


class PassageCreateSerializer(serializers.Serializer):
    gate = serializers.IntegerField(
        help_text=_("Id of the opening (gate) where the scan happened.")
    )
    card = serializers.CharField(
        max_length=64, help_text=_("The QR secret or the printed card number.")
    )
    direction = serializers.ChoiceField(choices=Passage.Direction.choices)
    temperature = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=TEMPERATURE_MIN,
        max_value=TEMPERATURE_MAX,
        coerce_to_string=False,
        help_text=_("°C, one decimal; 34.0–43.0."),
    )
    resident = serializers.IntegerField(required=False, allow_null=True)
    client_id = serializers.UUIDField(
        help_text=_("Made by the device; the same id is written once.")
    )
    recorded_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("When it happened on the device (ISO 8601).")
    )
    vehicle = serializers.BooleanField(required=False, default=False)

    def validate_temperature(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.1"))


class PassageResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.CharField(allow_null=True, help_text=_("The household's address."))
    verdict = serializers.ChoiceField(choices=Passage.Verdict.choices)
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    next_exit_at = serializers.DateTimeField(allow_null=True)
    last_exit_at = serializers.DateTimeField(allow_null=True)
    fever = serializers.BooleanField()
    late = serializers.BooleanField()
    breach = serializers.CharField(allow_null=True)


class PassageSerializer(serializers.ModelSerializer):
    household = serializers.SerializerMethodField()
    opening_name = serializers.CharField(source="opening.name", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.get_username", read_only=True)

    class Meta:
        model = Passage
        fields = [
            "id",
            "opening",
            "opening_name",
            "household",
            "resident",
            "direction",
            "temperature",
            "vehicle",
            "occurred_at",
            "received_at",
            "volunteer_name",
            "verdict",
            "reason",
            "fever",
            "late",
            "breach",
            "client_id",
        ]

    def get_household(self, obj: Passage) -> str | None:
        return obj.household.address if obj.household_id else None


class OutNowSerializer(serializers.Serializer):
    resident = serializers.IntegerField(allow_null=True)
    name = serializers.SerializerMethodField()
    since = serializers.DateTimeField()

    def get_name(self, obj: dict) -> str:
        return mask_name(obj["name"])


class CardStatusSerializer(serializers.Serializer):
    number = serializers.SerializerMethodField()
    state = serializers.CharField(source="card.state")
    compound = serializers.IntegerField(source="card.compound_id")
    household = serializers.SerializerMethodField()
    exit_allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    last_exit_at = serializers.DateTimeField(allow_null=True)
    next_exit_at = serializers.DateTimeField(allow_null=True)
    out_now = OutNowSerializer(many=True)
    residents = serializers.SerializerMethodField()

    def get_number(self, obj) -> str:  # type: ignore[no-untyped-def]
        return codes.display_number(obj["card"].number)

    def get_household(self, obj) -> dict:  # type: ignore[no-untyped-def]
        h = obj["card"].household
        return {"id": h.pk, "address": h.address, "contact_phone": mask_phone(h.contact_phone)}

    def get_residents(self, obj) -> list[dict]:  # type: ignore[no-untyped-def]
        # Names only, masked to the surname: enough to ask "which of you is going out?"
        return [
            {"id": r.pk, "name": mask_name(r.name)} for r in obj["card"].household.residents.all()
        ]


class FeverAlertSerializer(serializers.ModelSerializer):
    household = serializers.CharField(source="passage.household.address", default=None)
    opening = serializers.CharField(source="passage.opening.name")
    volunteer = serializers.CharField(source="passage.volunteer.get_username")

    class Meta:
        model = FeverAlert
        fields = ["id", "temperature", "status", "created_at", "household", "opening", "volunteer"]
