"""Serializers of the registry API: households and residents, masked for volunteers."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compounds.models import Building, Unit
from compounds.serializers import MASKED_HELP, MaskedPersonalDataMixin, ScopedPrimaryKeyRelatedField
from residents.flags import NEEDS_AND_STATUS, RETURN_FLAGS
from residents.models import Household, Resident
from residents.validators import mask_id_number, mask_phone


class HouseholdSerializer(MaskedPersonalDataMixin, serializers.ModelSerializer):
    masked_fields = {"contact_phone": mask_phone}

    building = ScopedPrimaryKeyRelatedField(model=Building)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, required=False, allow_null=True)
    address = serializers.CharField(read_only=True, help_text=_("For example 20-1702."))
    resident_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "compound",
            "building",
            "unit",
            "room",
            "address",
            "contact_phone",
            "note",
            "quarantine_until",
            "resident_count",
            "created_at",
            "updated_at",
        ]
        # The gate's flag: written by the quarantine service only.
        read_only_fields = ["compound", "quarantine_until", "created_at", "updated_at"]
        extra_kwargs = {"contact_phone": {"help_text": MASKED_HELP}}
        # The address rules (unique flat, unit in its building) are the service's.
        validators: list[Any] = []


class ResidentSerializer(MaskedPersonalDataMixin, serializers.ModelSerializer):
    masked_fields = {"phone": mask_phone, "id_number": mask_id_number}

    household: serializers.PrimaryKeyRelatedField[Household] = ScopedPrimaryKeyRelatedField(
        model=Household
    )
    compound = serializers.IntegerField(source="household.compound_id", read_only=True)
    address = serializers.CharField(source="household.address", read_only=True)
    vulnerable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "compound",
            "address",
            "name",
            "sex",
            "birth_year",
            "relation",
            "phone",
            "id_number",
            *NEEDS_AND_STATUS,
            "vulnerable",
            *RETURN_FLAGS,
            "returned_from",
            "returned_on",
            "return_transport",
            "quarantine_until",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["quarantine_until", "created_at", "updated_at"]
        extra_kwargs = {
            "phone": {"help_text": MASKED_HELP},
            "id_number": {"help_text": MASKED_HELP},
        }
        # One name per household, one household per ID number: the service checks both.
        validators: list[Any] = []

    def compound_id_of(self, instance: Resident) -> int:
        return instance.household.compound_id


class ResidentUpdateSerializer(ResidentSerializer):
    """A resident stays in their household; moving is a new registration."""

    household: serializers.PrimaryKeyRelatedField[Household] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
