"""Quarantine forms: they check the input; the services decide and write."""

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import BranchMember, Compound
from residents.forms import DateInput
from residents.models import Resident
from residents.quarantine.models import DEFAULT_DAYS, CloseContact, Quarantine, QuarantineCheck


class StartForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Quarantine.Reason.choices)
    kind = forms.ChoiceField(
        label=_("Where"), choices=Quarantine.Kind.choices, widget=forms.RadioSelect
    )
    site = forms.ModelChoiceField(
        label=_("Central site"), queryset=Compound.objects.none(), required=False
    )
    site_name = forms.CharField(label=_("Or its name"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Planned end"), widget=DateInput(), help_text=_("14 days by default.")
    )
    confines_household = forms.BooleanField(
        label=_("The whole household stays in (home quarantine)"), required=False, initial=True
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = cast(forms.ModelChoiceField, self.fields["site"])
        site.queryset = Compound.objects.filter(kind=Compound.Kind.SITE).order_by("name")
        today = timezone.localdate()
        self.initial.setdefault("starts_on", today)
        self.initial.setdefault("ends_on", today + timedelta(days=DEFAULT_DAYS))
        self.initial.setdefault("kind", Quarantine.Kind.HOME)


class EndChangeForm(forms.Form):
    ends_on = forms.DateField(label=_("New planned end"), widget=DateInput())
    reason = forms.CharField(label=_("Why"), max_length=200)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends now"), max_length=200)


class CheckForm(forms.Form):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.BooleanField(label=_("Symptoms"), required=False)
    method = forms.ChoiceField(
        label=_("How"), choices=QuarantineCheck.Method.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resident) -> str:
        return f"{obj.household.address} {obj.name}"


class CloseContactForm(forms.Form):
    contact = ResidentChoiceField(
        label=_("Registered resident"), queryset=Resident.objects.none(), required=False
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    last_contact_on = forms.DateField(label=_("Last contact on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = cast(forms.ModelChoiceField, self.fields["contact"])
        contact.queryset = Resident.objects.filter(
            household__compound=compound, erased_at=None, moved_out_on=None
        ).select_related("household__building", "household__unit")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("contact") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose a registered resident or enter a name."))
        return data


class ContactStateForm(forms.Form):
    state = forms.ChoiceField(label=_("Tracing state"), choices=CloseContact.State.choices)


class NamedContactForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Branch member"), queryset=BranchMember.objects.none(), required=False
    )

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = cast(forms.ModelChoiceField, self.fields["member"])
        member.queryset = BranchMember.objects.filter(branch__compound=compound)
