"""Forms of the roster pages. They parse and validate; the services decide and write."""

import re
from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkpoints.rosters.common import MAX_ROLLOUT_DAYS, NEEDED_MESSAGE
from checkpoints.rosters.models import DutyLogEntry, Post, ShiftTemplate
from compounds.models import BranchMember, Building, Compound, Opening

_SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*(\+1)?\s*$")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["name", "kind", "needed", "opening", "building", "active"]

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opening"].queryset = Opening.objects.filter(compound=compound)  # type: ignore[attr-defined]
        self.fields["building"].queryset = Building.objects.filter(compound=compound)  # type: ignore[attr-defined]
        # Zero or less gets the roster's own message (clean_needed), not the generic one.
        self.fields["needed"].validators = []

    def clean_needed(self) -> int:
        needed = self.cleaned_data["needed"]
        if needed is None or needed < 1:
            raise forms.ValidationError(NEEDED_MESSAGE, code="needed_invalid")
        return int(needed)


def parse_slots(text: str) -> list[tuple[time, time, bool]]:
    """Lines like ``08:00-16:00``; ``24:00`` is midnight; ``+1`` ends the next day."""
    slots = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SLOT.match(line)
        if match is None:
            raise forms.ValidationError(
                _("Line %(n)d: write a shift as 08:00-16:00 (add +1 if it ends the next day)."),
                params={"n": number},
                code="slot_format",
            )
        h1, m1, h2, m2, next_day = match.groups()
        if (
            int(h1) > 23
            or int(m1) > 59
            or int(h2) > 24
            or int(m2) > 59
            or (int(h2) == 24 and int(m2))
        ):
            raise forms.ValidationError(
                _("Line %(n)d: that is not a time of day."), params={"n": number}, code="slot_time"
            )
        end = time(0) if int(h2) == 24 else time(int(h2), int(m2))
        slots.append((time(int(h1), int(m1)), end, bool(next_day)))
    return slots


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slots = forms.CharField(
        label=_("Shifts, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "For example 08:00-16:00. 24:00 is midnight; add +1 for a shift that ends the next day (22:00-06:00+1)."
        ),
    )

    def clean_slots(self) -> list[tuple[time, time, bool]]:
        return parse_slots(self.cleaned_data["slots"])


def slots_text(template: ShiftTemplate) -> str:
    lines = []
    for slot in template.slots.all():
        start_minutes = slot.start.hour * 60 + slot.start.minute
        end_minutes = start_minutes + slot.minutes
        h, m = divmod(end_minutes % (24 * 60), 60)
        if end_minutes == 24 * 60:
            end, plus = "24:00", ""
        else:
            end, plus = f"{h:02d}:{m:02d}", "+1" if end_minutes > 24 * 60 else ""
        lines.append(f"{slot.start:%H:%M}-{end}{plus}")
    return "\n".join(lines)


class RolloutForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=ShiftTemplate.objects.none())
    posts = forms.ModelMultipleChoiceField(
        label=_("Posts"), queryset=Post.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    first = forms.DateField(label=_("First day"), widget=DATE)
    last = forms.DateField(label=_("Last day"), widget=DATE)

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ShiftTemplate.objects.filter(compound=compound)  # type: ignore[attr-defined]
        self.fields["posts"].queryset = Post.objects.filter(compound=compound, active=True)  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["first"].initial = today
        self.fields["last"].initial = today + timedelta(days=6)
        self.fields["last"].help_text = _("At most %(days)d days at a time.") % {
            "days": MAX_ROLLOUT_DAYS
        }


def team_choices(compound: Compound) -> Any:
    return BranchMember.objects.filter(branch__compound=compound, active=True).order_by("name")


class MemberChoiceForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Person"), queryset=BranchMember.objects.none())

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = team_choices(compound)  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.name} · {m.work_unit}" if m.work_unit else m.name  # type: ignore[attr-defined]


class LogForm(forms.ModelForm):
    class Meta:
        model = DutyLogEntry
        fields = ["kind", "post", "happened_at", "place", "people", "what_happened", "done"]
        widgets = {
            "happened_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }
        help_texts = {
            "people": _(
                "Residents' names, separated by commas: names found in the registry are linked."
            )
        }

    def __init__(self, *args: Any, compound: Compound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(compound=compound)  # type: ignore[attr-defined]
        self.fields["happened_at"].required = False
        self.fields["happened_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("First day"), widget=DATE)
    last = forms.DateField(label=_("Last day"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, date) and isinstance(last, date):
            if last < first:
                raise forms.ValidationError(
                    _("The range ends before it starts."), code="end_before_start"
                )
            if (last - first).days > 366:
                raise forms.ValidationError(_("Choose at most a year."), code="range_too_long")
        return data
