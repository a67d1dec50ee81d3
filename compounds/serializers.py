"""Serializers of the registry API: compounds, buildings, openings; masking of personal data."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compounds import access, counts
from compounds.models import Building, Compound, Opening

MASKED_HELP = _("Masked (for example 138****5678) unless you manage this compound.")


class MaskedPersonalDataMixin:
    """Full ID and phone numbers only for those who manage the compound; others get masks."""

    masked_fields: dict[str, Callable[[str], str]] = {}

    def compound_id_of(self, instance: Any) -> int:
        return instance.compound_id

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if not access.sees_personal_data(user, self.compound_id_of(instance)):
            for name, mask in self.masked_fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at rows of compounds they can see.

    A row of another compound is answered exactly like a row that does not exist. The
    path to the compound is the one ``model`` declares (``compounds.scope``).
    """

    def __init__(self, *, model: type[Model], **kwargs: Any) -> None:
        self.model = model
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        if request is None:
            return self.model._default_manager.none()
        return access.scoped(request.user, self.model._default_manager.all())


class RegisteredCountsMixin:
    """A read-only integer field for each count other apps registered (``compounds.counts``)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        for count in counts.counts_for(self.Meta.model):  # type: ignore[attr-defined]
            fields[count.name] = serializers.IntegerField(read_only=True)
        return fields


class CompoundSerializer(RegisteredCountsMixin, serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    building_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "community",
            "community_name",
            "address",
            "kind",
            "three_without",
            "grid",
            "supplies_hotline",
            "gas_hotline",
            "hardship_hotline",
            "building_count",
        ]
        read_only_fields = fields


class BuildingSerializer(RegisteredCountsMixin, serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "compound",
            "compound_name",
            "number",
            "sealed",
            "sealed_since",
            "note",
        ]
        read_only_fields = fields


class OpeningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Opening
        fields = ["id", "compound", "name", "state", "vehicle_rule"]
        read_only_fields = fields
