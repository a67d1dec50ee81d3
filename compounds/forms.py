"""Forms of the kernel's pages: the branch's people. They validate; the services write."""

from django import forms

from compounds.models import BranchMember


class MemberForm(forms.ModelForm):
    """Validation only (the model's text rules); ``compounds.people`` saves."""

    class Meta:
        model = BranchMember
        fields = ["name", "phone", "work_unit", "position", "party_member"]
