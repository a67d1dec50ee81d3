"""Forms of the gate office pages: log filters, rules, card actions, work passes."""

from datetime import date
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkpoints.errors import REASON_LABELS
from checkpoints.models import CompoundRules, Passage, WorkPass
from compounds.models import Building, Compound, Opening
from residents.models import HealthRules

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The gate log holds no passage outside these days; beyond them date arithmetic overflows.
FIRST_LOG_DAY = date(2000, 1, 1)
LAST_LOG_DAY = date(2999, 12, 31)


class LogFilterForm(forms.Form):
    """The filters of the gate log and of its Excel export (read from the query string)."""

    # Bounded: the day's end is computed from it, and 9999-12-31 plus a day overflowed.
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=DATE_INPUT,
        validators=[MinValueValidator(FIRST_LOG_DAY), MaxValueValidator(LAST_LOG_DAY)],
    )
    opening = forms.ModelChoiceField(
        label=_("Opening"), queryset=Opening.objects.none(), required=False, empty_label=_("all")
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("all")), *Passage.Direction.choices],
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=[("", _("all")), *Passage.Verdict.choices]
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=())

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        opening = cast(forms.ModelChoiceField, self.fields["opening"])
        opening.queryset = Opening.objects.filter(compound=compound)
        reason = cast(forms.ChoiceField, self.fields["reason"])
        reason.choices = [("", _("all")), *REASON_LABELS.items()]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.passages_for_log``; a filter with a bad
        value is dropped (its error is shown) and the day defaults to today."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        opening = data.get("opening")
        return {
            "day": data.get("day") or timezone.localdate(),
            "opening_id": opening.pk if opening else None,
            "direction": data.get("direction") or "",
            "verdict": data.get("verdict") or "",
            "reason": data.get("reason") or "",
        }


class BuildingFilterForm(forms.Form):
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False, empty_label=_("all")
    )

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building = cast(forms.ModelChoiceField, self.fields["building"])
        building.queryset = Building.objects.filter(compound=compound)

    def building_id(self) -> int | None:
        if not self.is_bound:
            return None
        self.is_valid()
        building = self.cleaned_data.get("building")
        return building.pk if building else None


class CardPrintFilterForm(BuildingFilterForm):
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new = forms.BooleanField(label=_("Only cards not printed yet"), required=False)

    def new_only(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("new"))

    def household_id(self) -> int | None:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("household")


class CardActionForm(forms.Form):
    class Action:
        ISSUE = "issue"
        REISSUE = "reissue"
        REVOKE_LOST = "revoke_lost"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (Action.ISSUE, _("Issue a card")),
            (Action.REISSUE, _("Reissue (the old card stops working)")),
            (Action.REVOKE_LOST, _("Revoke as lost")),
        ],
    )


class RulesForm(forms.ModelForm):
    # A health rule (residents.HealthRules), set on this page with the gate's own rules;
    # the field is the model's, with its range.
    fever_line = HealthRules._meta.get_field("fever_line").formfield(
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"})
    )

    class Meta:
        model = CompoundRules
        fields = [
            "quota_mode",
            "quota_exits",
            "quota_days",
            "quota_hours",
            "fever_line",
            "max_minutes_out",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("fever_line", self.instance.fever_line)

    def clean_fever_line(self) -> Any:
        # Not a field of this form's model: its range is checked here, as the model would.
        value = self.cleaned_data["fever_line"]
        HealthRules._meta.get_field("fever_line").run_validators(value)
        return value


class BuildingSealForm(forms.Form):
    building = forms.IntegerField(widget=forms.HiddenInput)
    sealed = forms.TypedChoiceField(
        choices=[("1", _("seal")), ("0", _("unseal"))], coerce=lambda v: v == "1"
    )


class OpeningStateForm(forms.Form):
    """One opening's state and vehicle rule, or (``opening`` empty) the vehicle rule of all."""

    opening = forms.IntegerField(required=False, widget=forms.HiddenInput)
    state = forms.ChoiceField(choices=[("", "—"), *Opening.State.choices], required=False)
    vehicle_rule = forms.ChoiceField(
        choices=[("", "—"), *Opening.VehicleRule.choices], required=False
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("state") and not data.get("vehicle_rule"):
            raise forms.ValidationError(_("Choose a state or a vehicle rule."))
        if data.get("opening") is None and data.get("state"):
            raise forms.ValidationError(_("A state is set one opening at a time."))
        return data


class WorkPassForm(forms.ModelForm):
    class Meta:
        model = WorkPass
        fields = ["work_unit", "certificate", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE_INPUT, "valid_to": DATE_INPUT}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("valid_from")
        end: date | None = data.get("valid_to")
        if start and end and end < start:
            # Reported on the field so that the model's own range constraint (with its
            # untranslated message) is not checked a second time.
            self.add_error("valid_to", _("The pass must end on or after its first day."))
        return data
