"""The resident flags (party member, the five vulnerable kinds, returnee): the one list.

The model's labels, the page form, the import and export columns, the API's filter and
serializer, the admin, the vulnerable list and the badges all read ``FLAGS``: a new flag
is one line here, its column in ``Resident`` (``flag_field``) and a migration.
``tests/residents/test_flags.py`` fails when a place writes a list of its own.

The model still names each flag as a class attribute: the migrations, the type checker
and a reader looking for ``Resident.pregnant`` need a field they can see.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(StrEnum):
    STATUS = "status"  # shown with the needs, not one of them
    VULNERABLE = "vulnerable"  # a need the branch looks after
    RETURN = "return"  # goes with the place and date of return


@dataclass(frozen=True)
class Flag:
    name: str
    label: Promise  # the field's verbose name, the badge, the filter's choice
    # The spreadsheet header. Headers have a context of their own ("Name" as a column
    # is 姓名, not 名称); makemessages reads only literal strings, so each is written out.
    column: Promise
    aliases: tuple[str, ...]  # other headers branches type
    kind: Kind
    badge: str = ""  # the badge's colour class

    @property
    def vulnerable(self) -> bool:
        return self.kind is Kind.VULNERABLE


FLAGS: tuple[Flag, ...] = (
    Flag(
        "party_member",
        _("party member"),
        pgettext_lazy("spreadsheet column", "Party member"),
        ("党员", "是否党员"),
        Kind.STATUS,
    ),
    Flag(
        "elderly_alone",
        _("elderly living alone"),
        pgettext_lazy("spreadsheet column", "Elderly living alone"),
        ("独居老人", "是否独居老人"),
        Kind.VULNERABLE,
        "amber",
    ),
    Flag(
        "chronic_illness",
        _("chronic illness"),
        pgettext_lazy("spreadsheet column", "Chronic illness"),
        ("慢性病", "是否慢性病"),
        Kind.VULNERABLE,
        "amber",
    ),
    Flag(
        "disability",
        _("disability"),
        pgettext_lazy("spreadsheet column", "Disability"),
        ("残疾", "是否残疾", "残障"),
        Kind.VULNERABLE,
        "amber",
    ),
    Flag(
        "pregnant",
        _("pregnant"),
        pgettext_lazy("spreadsheet column", "Pregnant"),
        ("孕妇", "是否孕妇", "孕产妇"),
        Kind.VULNERABLE,
        "amber",
    ),
    Flag(
        "infant",
        _("infant"),
        pgettext_lazy("spreadsheet column", "Infant"),
        ("婴幼儿", "是否婴幼儿"),
        Kind.VULNERABLE,
        "amber",
    ),
    Flag(
        "returnee",
        _("returnee"),
        pgettext_lazy("spreadsheet column", "Returnee"),
        ("返乡人员", "是否返乡", "返乡"),
        Kind.RETURN,
        "red",
    ),
)
FLAG_BY_NAME = {flag.name: flag for flag in FLAGS}
FLAG_NAMES = tuple(flag.name for flag in FLAGS)
# Party member and the needs: the page form's "Needs and status", the admin's "Needs".
NEEDS_AND_STATUS = tuple(flag.name for flag in FLAGS if flag.kind is not Kind.RETURN)
RETURN_FLAGS = tuple(flag.name for flag in FLAGS if flag.kind is Kind.RETURN)
VULNERABLE_KINDS: dict[str, Promise] = {flag.name: flag.label for flag in FLAGS if flag.vulnerable}


def flag_field(name: str) -> models.BooleanField:
    """The model column of flag ``name`` (a KeyError for a name not in ``FLAGS``)."""
    return models.BooleanField(FLAG_BY_NAME[name].label, default=False)
