"""Supplies' forms. They check the input; the services decide and write."""

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, Compound, Role
from compounds.text import normalise_newlines, validate_text
from residents.addresses import normalize
from residents.models import Household
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN
from supplies import jielong
from supplies.errors import SupplyError
from supplies.ledger_services import fen_from_yuan
from supplies.models import FollowUp, HelpRequest, Order, OrderLine, Transaction
from supplies.services import LineInput


class SingleLineFormField(forms.CharField):
    """Text under the house rule (``compounds.text``): one line, no control character."""

    multiline = False

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return normalise_newlines(text) if self.multiline else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        validate_text(value, multiline=self.multiline, label=self.label or "")


class MultiLineFormField(SingleLineFormField):
    multiline = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def compound_people(compound: Compound) -> Any:
    """The people holding a role in the compound: who can go on a run and pay."""
    holders = Role.objects.filter(compound=compound).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("username")


def lines_from_text(text: str) -> list[LineInput]:
    """ "白菜2斤 鸡蛋1盒" per line, as the 接龙 reader reads an entry."""
    lines: list[LineInput] = []
    for row in (text or "").splitlines():
        lines.extend(LineInput.of(item) for item in jielong.read_items(normalize(row)))
    return lines


class RunForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    cutoff = forms.TimeField(
        label=_("Orders close at"),
        initial=time(20, 0),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    cutoff_day_before = forms.BooleanField(
        label=_("the evening before"), required=False, initial=True
    )
    building = forms.ModelChoiceField(
        label=_("Sealed building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("the whole compound"),
    )
    volunteers = UsersChoice(
        label=_("Volunteers"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = MultiLineFormField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["building"]).queryset = Building.objects.filter(compound=compound)
        cast(Any, self.fields["volunteers"]).queryset = compound_people(compound)
        self.initial.setdefault("date", timezone.localdate() + timedelta(days=1))

    def cutoff_at(self) -> datetime:
        data = self.cleaned_data
        day = data["date"] - timedelta(days=1) if data.get("cutoff_day_before") else data["date"]
        return timezone.make_aware(datetime.combine(day, data["cutoff"]))


class OrderForm(forms.Form):
    """An order typed from a phone call."""

    address = SingleLineFormField(
        label=_("Room"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "20-1702", "autocomplete": "off"}),
    )
    lines = MultiLineFormField(
        label=_("Items"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "白菜2斤 鸡蛋1盒"}),
    )
    medicine = SingleLineFormField(label=_("Medicine"), required=False, max_length=50)
    prescription_note = SingleLineFormField(
        label=_("Prescription note"), required=False, max_length=200
    )
    recurring_days = forms.IntegerField(
        label=_("Repeat every (days)"), required=False, min_value=1, max_value=90
    )

    def line_inputs(self) -> list[LineInput]:
        data = self.cleaned_data
        lines = lines_from_text(data.get("lines", ""))
        if data.get("medicine"):
            read = jielong.read_items(normalize(data["medicine"]))
            item = read[0] if read else None
            lines.append(
                LineInput(
                    name=item.name if item else data["medicine"],
                    quantity=item.quantity if item else None,
                    unit=item.unit if item else "",
                    medicine=True,
                    prescription_note=data.get("prescription_note", ""),
                )
            )
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.line_inputs():
            raise forms.ValidationError(_("Each line needs an item."))
        return data


class BagForm(forms.Form):
    order = forms.IntegerField(widget=forms.HiddenInput)
    cost = forms.CharField(
        label=_("Cost (yuan)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    paid_by = UserChoice(label=_("Paid by"), queryset=get_user_model().objects.none())
    gift = forms.BooleanField(label=_("given free"), required=False)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["paid_by"]).queryset = compound_people(compound)

    def clean_cost(self) -> int:
        try:
            return fen_from_yuan(self.cleaned_data["cost"])
        except SupplyError as refusal:
            raise forms.ValidationError(str(refusal.message), code=refusal.code) from None


class LineMarkForm(forms.Form):
    """One button per line and status on the bag's form: ``tick`` is "<line>:<status>"."""

    tick = forms.RegexField(regex=r"^\d{1,18}:[a-z_]{1,20}$")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "tick" in data:
            line, status = data["tick"].split(":")
            if status not in OrderLine.Status.values:
                raise forms.ValidationError(_("Choose bought, out of stock or to buy."))
            data["line"], data["status"] = int(line), status
        return data


class ItemMarkForm(forms.Form):
    name = forms.CharField(max_length=50)
    unit = forms.CharField(max_length=10, required=False)
    status = forms.ChoiceField(choices=OrderLine.Status.choices)


class DeliverForm(forms.Form):
    order = forms.IntegerField()
    state = forms.ChoiceField(
        choices=[c for c in Order.State.choices if c[0] not in (Order.State.OPEN,)]
    )


class RepaymentForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=12)
    method = forms.ChoiceField(label=_("Paid with"), choices=Transaction.Method.choices)
    to_volunteer = UserChoice(
        label=_("Paid to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("the branch"),
    )

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["household"]).queryset = Household.objects.filter(
            compound=compound
        ).select_related("building", "unit")
        cast(Any, self.fields["to_volunteer"]).queryset = compound_people(compound)

    def clean_amount(self) -> int:
        try:
            return fen_from_yuan(self.cleaned_data["amount"])
        except SupplyError as refusal:
            raise forms.ValidationError(str(refusal.message), code=refusal.code) from None


class ReimbursementForm(forms.Form):
    volunteer = UserChoice(label=_("Volunteer"), queryset=get_user_model().objects.none())
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=12)
    method = forms.ChoiceField(label=_("Paid with"), choices=Transaction.Method.choices)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["volunteer"]).queryset = compound_people(compound)

    clean_amount = RepaymentForm.clean_amount


class HelpRequestForm(forms.Form):
    channel = forms.ChoiceField(label=_("Came in by"), choices=HelpRequest.Channel.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=HelpRequest.Kind.choices)
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        coerce=int,
        initial=3,
        choices=[
            (1, _("1 · life at risk")),
            (2, _("2 · today, soon")),
            (3, _("3 · today")),
            (4, _("4 · can wait")),
        ],
    )
    address = SingleLineFormField(label=_("Room"), required=False, max_length=30)
    contact = SingleLineFormField(label=_("Contact"), required=False, max_length=50)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        min_value=TEMPERATURE_MIN,
        max_value=TEMPERATURE_MAX,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    summary = MultiLineFormField(
        label=_("What is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveForm(forms.Form):
    handler = UserChoice(
        label=_("Handled by"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("me"),
    )
    state = forms.ChoiceField(
        label=_("Next state"),
        choices=[c for c in HelpRequest.State.choices if c[0] != HelpRequest.State.OPEN],
    )
    escalated_to = forms.ChoiceField(
        label=_("Escalated to"),
        required=False,
        choices=[("", "—"), *HelpRequest.EscalatedTo.choices],
    )
    note = MultiLineFormField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["handler"]).queryset = compound_people(compound)


class FollowUpForm(forms.Form):
    how = forms.ChoiceField(label=_("How"), choices=FollowUp.How.choices)
    outcome = MultiLineFormField(
        label=_("Outcome"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_at = forms.DateTimeField(label=_("Next follow-up"), required=False, widget=DateTimeInput())


class TipForm(forms.Form):
    investigation = MultiLineFormField(
        label=_("Investigation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    finding = MultiLineFormField(
        label=_("Finding"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OwnOrderForm(forms.Form):
    """The household's own page: what to buy on the next run."""

    lines = MultiLineFormField(
        label=_("What should we buy?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "白菜2斤 鸡蛋1盒"}),
    )

    def line_inputs(self) -> list[LineInput]:
        return lines_from_text(self.cleaned_data.get("lines", ""))


class OwnHelpForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in HelpRequest.Kind.choices if c[0] != HelpRequest.Kind.TIP],
    )
    summary = MultiLineFormField(
        label=_("What do you need?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
