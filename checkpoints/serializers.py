import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from checkpoints import codes
from checkpoints.errors import REASON_LABELS
from checkpoints.models import Passage, VisitorReason
from residents.models import FeverAlert
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN, mask_name, mask_phone


class ClientIdField(serializers.UUIDField):
    """A UUID as text only: DRF would also take an integer (or true) as a UUID, and a
    device counting 1, 2, 3 would then clash with every other device."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class DeviceTimeField(serializers.DateTimeField):
    """The phone's clock, whatever it says: a time beyond what Python can convert (year 1
    in a time zone east of UTC, year 9999 west of it) stands for "long ago" or "far
    ahead", so that the gate refuses it with its code instead of failing."""

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            aware = value if timezone.is_aware(value) else timezone.make_aware(value)
            aware.astimezone(UTC)
        except OverflowError:
            if value.year > 5000:
                return datetime.max.replace(tzinfo=UTC)
            return datetime.min.replace(tzinfo=UTC)
        return super().enforce_timezone(value)


class VisitorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=VisitorReason.choices)


class PassageCreateSerializer(serializers.Serializer):
    gate = serializers.IntegerField(
        help_text=_("Id of the opening (gate) where the scan happened.")
    )
    card = serializers.CharField(
        max_length=200,
        required=False,
        help_text=_("The QR secret or the printed card number (or send visitor)."),
    )
    visitor = VisitorSerializer(
        required=False,
        help_text=_(
            "A person without a card (staff, medics, police, deliveries): the fever rule "
            "applies, the quota does not."
        ),
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
    client_id = ClientIdField(
        help_text=_(
            "A UUID made by the device for this record: sent again with the same record, "
            "it is written once; sent with another record, the answer is 409 "
            "client_id_conflict."
        )
    )
    recorded_at = DeviceTimeField(
        required=False,
        allow_null=True,
        help_text=_(
            "When it happened on the device (ISO 8601). Older than the gate keeps offline "
            "records (7 days by default): 400 recorded_too_old; more than 5 minutes ahead "
            "of the server: 400 recorded_in_future."
        ),
    )
    vehicle = serializers.BooleanField(required=False, default=False)
    decided_on = serializers.ChoiceField(
        choices=Passage.DecidedOn.choices,
        required=False,
        default=Passage.DecidedOn.SERVER,
        help_text=_(
            '"device": the phone decided (offline, or the server did not answer in time) '
            "and the person acted on it; send device_verdict and, when denied, "
            "device_reason. Stored as what happened; the server's own verdict is kept "
            "beside it and a difference is flagged as a breach."
        ),
    )
    device_verdict = serializers.ChoiceField(
        choices=Passage.Verdict.choices, required=False, allow_null=True
    )
    device_reason = serializers.ChoiceField(
        choices=list(REASON_LABELS.items()), required=False, allow_null=True, allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("card" in attrs) == ("visitor" in attrs):
            raise serializers.ValidationError(
                {"card": _("Send either the card or the visitor, not both.")}
            )
        if attrs.get("decided_on") != Passage.DecidedOn.DEVICE:
            attrs["device_verdict"], attrs["device_reason"] = "", ""
            return attrs
        verdict, reason = attrs.get("device_verdict"), attrs.get("device_reason") or ""
        if not verdict:
            raise serializers.ValidationError(
                {"device_verdict": _("Required when the phone decided.")}
            )
        if verdict == Passage.Verdict.DENIED and not reason:
            raise serializers.ValidationError(
                {"device_reason": _("Required when the phone refused.")}
            )
        attrs["device_reason"] = reason
        return attrs

    def validate_temperature(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal("0.1"))


class TripPersonSerializer(serializers.Serializer):
    card = serializers.CharField(max_length=200)
    temperature = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=TEMPERATURE_MIN,
        max_value=TEMPERATURE_MAX,
        coerce_to_string=False,
    )
    resident = serializers.IntegerField(required=False, allow_null=True)
    client_id = ClientIdField()


class VehicleTripCreateSerializer(serializers.Serializer):
    gate = serializers.IntegerField()
    plate = serializers.CharField(max_length=16)
    direction = serializers.ChoiceField(choices=Passage.Direction.choices)
    client_id = ClientIdField()
    recorded_at = DeviceTimeField(required=False, allow_null=True)
    people = serializers.ListField(child=TripPersonSerializer(), min_length=1, max_length=9)


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
    decided_on = serializers.ChoiceField(choices=Passage.DecidedOn.choices)


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
            "decided_on",
            "server_verdict",
            "server_reason",
            "client_id",
        ]

    def get_household(self, obj: Passage) -> str | None:
        return obj.household.address if obj.household else None


class OutNowSerializer(serializers.Serializer):
    resident = serializers.IntegerField(allow_null=True)
    name = serializers.SerializerMethodField()
    since = serializers.DateTimeField()

    def get_name(self, obj: dict) -> str:
        return mask_name(obj["name"])


class CardQuerySerializer(serializers.Serializer):
    compound = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The gate's compound: a card of any other compound is answered as unknown."),
    )
    gate = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_(
            "The opening where the card is shown: its state and vehicle rule count, and a "
            "card of another compound is answered as unknown."
        ),
    )
    resident = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_(
            "The household member passing: their quarantine and work pass count. Not of "
            "the card's household: 400 resident_not_in_household."
        ),
    )
    vehicle = serializers.BooleanField(required=False, default=False)


class CardStatusSerializer(serializers.Serializer):
    number = serializers.SerializerMethodField()
    state = serializers.CharField(source="card.state")
    compound = serializers.IntegerField(source="card.compound_id")
    household = serializers.SerializerMethodField()
    exit_allowed = serializers.BooleanField(
        help_text=_("What a check-in going out would decide now.")
    )
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    entry_allowed = serializers.BooleanField(
        help_text=_("What a check-in coming back in would decide now.")
    )
    entry_reason = serializers.CharField(allow_null=True)
    entry_message = serializers.CharField()
    last_exit_at = serializers.DateTimeField(allow_null=True)
    next_exit_at = serializers.DateTimeField(allow_null=True)
    out_now = OutNowSerializer(many=True)
    residents = serializers.SerializerMethodField()

    def get_number(self, obj: dict[str, Any]) -> str:
        return codes.display_number(obj["card"].number)

    def get_household(self, obj: dict[str, Any]) -> dict[str, Any]:
        h = obj["card"].household
        return {"id": h.pk, "address": h.address, "contact_phone": mask_phone(h.contact_phone)}

    def get_residents(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        # Masked to the surname, with what a volunteer can see (relation, sex, birth year):
        # enough to ask "which of you is going out?" and tell the family apart.
        today = timezone.localdate()
        return [
            {
                "id": r.pk,
                "name": mask_name(r.name),
                "relation": r.relation,
                "sex": r.sex,
                "born": r.birth_year,
                "quarantined": bool(r.quarantine_until and r.quarantine_until >= today),
            }
            for r in obj["card"].household.residents.all()
            if not r.erased and r.moved_out_on is None  # gone: no longer goes out from here
        ]


class FeverAlertSerializer(serializers.ModelSerializer):
    """An alert as the gate reported it (the contract since the first version); ``opening``
    and ``volunteer`` are null for an alert raised elsewhere than at a gate."""

    household = serializers.CharField(source="household.address", default=None)
    opening = serializers.CharField(source="passage.opening.name", default=None)
    volunteer = serializers.CharField(source="passage.volunteer.get_username", default=None)

    class Meta:
        model = FeverAlert
        fields = [
            "id",
            "temperature",
            "status",
            "created_at",
            "household",
            "opening",
            "volunteer",
            "source",
        ]
