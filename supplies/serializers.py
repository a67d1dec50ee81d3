"""The 接龙 contract's bodies and answers, and the read-only lists of runs and requests."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from supplies.help_selectors import state_of
from supplies.models import HelpRequest, Run

TEXT_MAX = 100_000  # a chain of 2,000 lines of 50 characters


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    quantity = serializers.CharField(
        allow_null=True, help_text=_('A decimal as text ("2", "0.5"), or null when none is given.')
    )
    unit = serializers.CharField(allow_blank=True, max_length=10)
    note = serializers.CharField(allow_blank=True, max_length=100)


class ItemInSerializer(ItemSerializer):
    quantity = serializers.CharField(allow_null=True, required=False, max_length=20)
    unit = serializers.CharField(allow_blank=True, max_length=10, required=False, default="")
    note = serializers.CharField(allow_blank=True, max_length=100, required=False, default="")


class PreviewRequestSerializer(serializers.Serializer):
    compound = serializers.IntegerField()
    building = serializers.IntegerField(
        allow_null=True,
        required=False,
        default=None,
        help_text=_("For a chain of one building, whose lines give only the room."),
    )
    text = serializers.CharField(max_length=TEXT_MAX, trim_whitespace=False)


class PreviewOrderSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    entry_no = serializers.IntegerField(allow_null=True)
    household = serializers.IntegerField()
    address = serializers.CharField()
    items = ItemSerializer(many=True)


class UnreadSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    text = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["room_unknown", "room_ambiguous", "no_items", "chatter"]
    )
    message = serializers.CharField()
    items = ItemSerializer(many=True, help_text=_("What could be read on the line, if anything."))


class SkippedSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    text = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    orders = PreviewOrderSerializer(many=True)
    unread = UnreadSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class FixSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1)
    household = serializers.IntegerField()
    items = ItemInSerializer(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Omitted: the items read on the line."),
    )


class CommitRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX, trim_whitespace=False)
    client_key = serializers.UUIDField(help_text=_("The same key again writes nothing twice."))
    fixes = FixSerializer(many=True, required=False, default=list)


class CommittedOrderSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    address = serializers.CharField()
    order = serializers.IntegerField()
    created = serializers.BooleanField()
    lines = serializers.IntegerField()


class CommitSerializer(serializers.Serializer):
    orders = CommittedOrderSerializer(many=True)
    unread = UnreadSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class RunSerializer(serializers.ModelSerializer):
    volunteers: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    orders = serializers.IntegerField(source="orders_count", read_only=True)

    class Meta:
        model = Run
        fields = ["id", "compound", "building", "date", "cutoff_at", "volunteers", "orders", "note"]


class HelpRequestSerializer(serializers.ModelSerializer):
    address = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = HelpRequest
        fields = [
            "id",
            "compound",
            "household",
            "address",
            "channel",
            "kind",
            "urgency",
            "state",
            "escalated_to",
            "fever_alert",
            "created_at",
            "resolved_at",
        ]

    def get_address(self, obj: HelpRequest) -> str | None:
        return obj.household.address if obj.household else None

    def get_state(self, obj: HelpRequest) -> str:
        """The alert's state while the request is linked to one."""
        return state_of(obj)[0]
