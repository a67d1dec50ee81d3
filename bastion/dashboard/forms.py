from datetime import date

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_DAY = date(2000, 1, 1)


class DayForm(forms.Form):
    """The report's day, from the query string; a bad value is shown and today is used."""

    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(FIRST_DAY)],
    )

    def clean_day(self) -> date | None:
        day: date | None = self.cleaned_data.get("day")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(
                _("A report covers a day that is over or under way: today at the latest."),
                code="day_in_future",
            )
        return day

    def day_or_today(self) -> date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return timezone.localdate()
