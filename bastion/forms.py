"""Forms of the top layer's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ArchiveForm(forms.Form):
    confirm_name = forms.CharField(
        label=_("The compound's name"),
        max_length=100,
        help_text=_("Type it exactly, to confirm which compound you archive."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have understood: the names, ID numbers, phones and notes of every resident are "
            "gone for good once the file is made, and the compound can no longer be changed."
        ),
    )
