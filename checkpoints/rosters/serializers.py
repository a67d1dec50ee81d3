"""The roster's API bodies: my shifts, a sign-in or sign-out, the gaps."""

from rest_framework import serializers

from checkpoints.rosters.models import Assignment, Shift


class ShiftBriefSerializer(serializers.ModelSerializer):
    post = serializers.CharField(source="post.name")
    post_kind = serializers.CharField(source="post.kind")
    compound = serializers.IntegerField(source="post.compound_id")
    compound_name = serializers.CharField(source="post.compound.name")

    class Meta:
        model = Shift
        fields = ["id", "post", "post_kind", "compound", "compound_name", "day"]
        fields += ["starts_at", "ends_at", "needed"]


class MyAssignmentSerializer(serializers.ModelSerializer):
    shift = ShiftBriefSerializer()
    others = serializers.ListField(child=serializers.CharField(), help_text="Who else is on it")
    late_minutes = serializers.IntegerField()
    early_minutes = serializers.IntegerField()

    class Meta:
        model = Assignment
        fields = ["id", "shift", "signed_in_at", "signed_out_at", "sign_out_forgotten"]
        fields += ["others", "late_minutes", "early_minutes"]


class SignSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["sign_in", "sign_out"])
    at = serializers.DateTimeField(
        required=False,
        help_text="When the button was pressed, for a press queued offline: taken if it is "
        "no later than now and at most 12 hours old, else the server's time is used.",
    )


class SignedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "signed_in_at", "signed_out_at", "sign_out_forgotten"]


class GapSerializer(serializers.Serializer):
    compound = serializers.IntegerField(source="post.compound_id")
    compound_name = serializers.CharField(source="post.compound.name")
    post = serializers.IntegerField(source="post.pk")
    post_name = serializers.CharField(source="post.name")
    shift = serializers.IntegerField(source="shift.pk", allow_null=True, default=None)
    starts_at = serializers.DateTimeField(source="shift.starts_at", allow_null=True, default=None)
    ends_at = serializers.DateTimeField(source="shift.ends_at", allow_null=True, default=None)
    have = serializers.IntegerField()
    needed = serializers.IntegerField()
    now = serializers.BooleanField()
