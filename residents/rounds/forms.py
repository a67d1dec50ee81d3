"""Rounds' forms: they check the input; the services decide and write."""

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import BranchMember, Building, Compound, Unit
from compounds.ordering import NaturalKey
from residents.forms import DateInput
from residents.models import Resident
from residents.rounds.models import Round, Visit
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN

NEW_PEOPLE_ROWS = 2


class RoundForm(forms.Form):
    number = forms.IntegerField(label=_("Round number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Round.Scope.choices, widget=forms.RadioSelect
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["buildings"])
        field.queryset = Building.objects.filter(compound=compound).order_by(NaturalKey("number"))
        last = Round.objects.filter(compound=compound).order_by("-number").first()
        number = (last.number + 1) if last else 1
        today = timezone.localdate()
        self.initial.setdefault("number", number)
        self.initial.setdefault("title", _("Round %(n)s: full screening") % {"n": number})
        self.initial.setdefault("starts_on", today)
        self.initial.setdefault("ends_on", today + timedelta(days=2))
        self.initial.setdefault("scope", Round.Scope.WHOLE)


class AssignmentForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Branch member"), queryset=BranchMember.objects.none())
    place = forms.ChoiceField(label=_("Unit, or building without units"))

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = cast(forms.ModelChoiceField, self.fields["member"])
        member.queryset = BranchMember.objects.filter(branch__compound=compound)
        units = Unit.objects.filter(building__compound=compound).select_related("building")
        with_units = {u.building_id for u in units}
        choices = [
            (f"u{u.pk}", f"{u.building.number}-{u.number}")
            for u in sorted(units, key=lambda u: (u.building.number.zfill(6), u.number.zfill(6)))
        ]
        choices += [
            (f"b{b.pk}", str(b.number))
            for b in Building.objects.filter(compound=compound).order_by(NaturalKey("number"))
            if b.pk not in with_units
        ]
        cast(forms.ChoiceField, self.fields["place"]).choices = choices
        self.compound = compound

    def chosen_place(self) -> tuple[Building, Unit | None]:
        value = self.cleaned_data["place"]
        if value.startswith("u"):
            unit = Unit.objects.select_related("building").get(
                pk=int(value[1:]), building__compound=self.compound
            )
            return unit.building, unit
        return Building.objects.get(pk=int(value[1:]), compound=self.compound), None


class VisitForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[c for c in Visit.Result.choices if c[0] != Visit.Result.PENDING],
        widget=forms.RadioSelect,
    )
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    moved_out = forms.MultipleChoiceField(
        label=_("Moved out"), required=False, widget=forms.CheckboxSelectMultiple
    )
    returnee = forms.BooleanField(label=_("Someone returned recently"), required=False)
    returnee_resident = forms.TypedChoiceField(
        label=_("Who returned"), required=False, coerce=int, empty_value=None
    )
    returned_from = forms.CharField(label=_("From where"), max_length=100, required=False)
    returned_on = forms.DateField(label=_("On what date"), required=False, widget=DateInput())
    case_contact = forms.BooleanField(label=_("Contact with a case"), required=False)
    symptoms = forms.BooleanField(label=_("Fever, cough or other symptoms"), required=False)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    fever_resident = forms.TypedChoiceField(
        label=_("Whose temperature"), required=False, coerce=int, empty_value=None
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    colour = forms.ChoiceField(
        label=_("Door card"),
        required=False,
        choices=[("", _("as the answers give")), *Visit.Colour.choices],
    )
    colour_reason = forms.CharField(label=_("Why another colour"), max_length=200, required=False)

    def __init__(self, *args: Any, residents: list[Resident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(r.pk), r.name) for r in residents]
        cast(forms.MultipleChoiceField, self.fields["present"]).choices = people
        cast(forms.MultipleChoiceField, self.fields["moved_out"]).choices = people
        cast(forms.ChoiceField, self.fields["fever_resident"]).choices = [("", "—"), *people]
        cast(forms.ChoiceField, self.fields["returnee_resident"]).choices = [("", "—"), *people]
        for i in range(NEW_PEOPLE_ROWS):
            self.fields[f"new_name_{i}"] = forms.CharField(
                label=_("New person's name"), max_length=50, required=False
            )
            self.fields[f"new_sex_{i}"] = forms.ChoiceField(
                label=_("Sex"), required=False, choices=[("", "—"), *Resident.Sex.choices]
            )
            self.fields[f"new_birth_year_{i}"] = forms.IntegerField(
                label=_("Birth year"), required=False
            )

    def clean_temperature(self) -> Any:
        # The service refuses a reading out of range in the same words as everywhere.
        return self.cleaned_data.get("temperature")

    def new_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"new_name_{i}"], self[f"new_sex_{i}"], self[f"new_birth_year_{i}"])
            for i in range(NEW_PEOPLE_ROWS)
        ]

    def new_people(self) -> list[dict[str, Any]]:
        found = []
        for i in range(NEW_PEOPLE_ROWS):
            name = (self.cleaned_data.get(f"new_name_{i}") or "").strip()
            if name:
                found.append(
                    {
                        "name": name,
                        "sex": self.cleaned_data.get(f"new_sex_{i}") or "",
                        "birth_year": self.cleaned_data.get(f"new_birth_year_{i}"),
                    }
                )
        return found


TEMPERATURE_RANGE = (TEMPERATURE_MIN, TEMPERATURE_MAX)


class CloseForm(forms.Form):
    all_reason = forms.CharField(
        label=_("Reason for every household left blank"), max_length=200, required=False
    )
