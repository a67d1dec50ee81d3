"""Registry forms. They check the input; the services decide and write."""

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, Compound, Unit
from compounds.ordering import NaturalKey
from residents.flags import NEEDS_AND_STATUS, RETURN_FLAGS, VULNERABLE_KINDS
from residents.models import FeverAction, FeverAlert, Household, Resident
from residents.services import RESIDENT_FIELDS
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN, normalize_id_number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return _("Building %(building)s, unit %(unit)s") % {
            "building": obj.building.number,
            "unit": obj.number,
        }


class ConstraintsAreTheServices(forms.ModelForm):
    """A model form that leaves the model's constraints (one household per address, one
    name per household) to the service, which refuses in its own words and with its code:
    Django's check would say "Constraint “household_unique_address_no_unit” is violated."
    The database still enforces them."""

    def _post_clean(self) -> None:
        self.instance.validate_constraints = _no_check
        try:
            super()._post_clean()  # type: ignore[misc]  # private to Django: not in its stubs
        finally:
            del self.instance.validate_constraints


def _no_check(exclude: Any = None) -> None:
    return None


class HouseholdForm(ConstraintsAreTheServices):
    unit = UnitChoiceField(queryset=Unit.objects.none(), required=False, label=_("unit"))

    class Meta:
        model = Household
        # quarantine_until is shown, not edited: the quarantine service is its one writer.
        fields = ["building", "unit", "room", "contact_phone", "note"]
        widgets = {
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "room": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this compound's buildings and units can be chosen: a forged id of another
        # compound's building is "not one of the available choices".
        building = cast(forms.ModelChoiceField, self.fields["building"])
        building.queryset = Building.objects.filter(compound=compound).order_by(
            NaturalKey("number")
        )
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = (
            Unit.objects.filter(building__compound=compound)
            .select_related("building")
            .order_by(NaturalKey("building__number", "number"))
        )


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = RESIDENT_FIELDS
        widgets = {
            "returned_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("returnee") and (
            cleaned.get("returned_from") or cleaned.get("returned_on")
        ):
            self.add_error(
                "returnee",
                _("Tick returnee when a place or date of return is given."),
            )
        return cleaned

    def flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in NEEDS_AND_STATUS]

    def return_flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in RETURN_FLAGS]

    def return_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("returned_from", "returned_on", "return_transport")]


# 15+ digits in a row is an ID card number (or most of one): a GET search would put it
# into the address bar, the browser history and the server's access log.
_LONG_NUMBER = re.compile(r"\d{15}")


class ResidentEraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: at the resident's own request, on 3 May."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the name, ID number, phone and notes are gone for good."),
    )


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("20-1702, room, name or last 4 phone digits"),
                "autocomplete": "off",
                # The browser refuses to send it in the first place.
                "pattern": r"(?!.*\d{15}).*",
                "title": _("Search by address, name or phone, not by ID card number."),
            }
        ),
    )

    def clean_q(self) -> str:
        value = self.cleaned_data.get("q", "")
        if _LONG_NUMBER.search(value):
            raise forms.ValidationError(
                _("Search by address, name or phone, not by ID card number."),
                code="id_in_search",
            )
        return value


class VulnerableFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("all kinds")), *VULNERABLE_KINDS.items()],
    )


class FeverStepForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What was done"),
        choices=[c for c in FeverAlert.Status.choices if c[0] != FeverAlert.Status.OPEN],
    )
    temperature = forms.DecimalField(
        label=_("New reading (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        min_value=TEMPERATURE_MIN,
        max_value=TEMPERATURE_MAX,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    # The model's field: its length and its text rule (compounds.text).
    note = FeverAction._meta.get_field("note").formfield(label=_("Note"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == FeverAlert.Status.REMEASURED and data.get("temperature") is None:
            self.add_error("temperature", _("Enter the new reading."))
        return data
