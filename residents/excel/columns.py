"""The register's columns: their keys, headers in every language, and what each takes.

The flag columns (party member, the vulnerable kinds, returnee) come from
``residents.flags``; the others are written here.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from residents.flags import FLAG_NAMES, FLAGS
from residents.models import Household

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from residents.validators import id_checksum


@dataclass(frozen=True)
class Column:
    key: str
    label: "StrOrPromise"  # the header written in the active language
    # Other header texts branches type. The Chinese ones are accepted even before the
    # translations exist; the labels in every configured language are accepted too.
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be in the file
    resident: bool = True  # part of a resident's data (a row may leave these all empty)


# Headers have a context of their own: "Name" or "Phone" as a register's column may well
# be translated otherwise than the same word elsewhere (姓名, not 名称). The context is
# written out each time: makemessages only reads literal strings.
_PLACE_COLUMNS = [
    Column(
        "building",
        pgettext_lazy("spreadsheet column", "Building"),
        ("楼栋", "楼号", "栋", "楼栋号"),
        True,
        False,
    ),
    Column("unit", pgettext_lazy("spreadsheet column", "Unit"), ("单元", "单元号"), False, False),
    Column(
        "room",
        pgettext_lazy("spreadsheet column", "Room"),
        ("房号", "门牌号", "房间号", "室"),
        True,
        False,
    ),
    Column(
        "contact_phone",
        pgettext_lazy("spreadsheet column", "Household contact phone"),
        ("户联系电话", "家庭联系电话", "联系电话", "contact phone"),
        False,
        False,
    ),
]
_PERSON_COLUMNS = [
    Column("name", pgettext_lazy("spreadsheet column", "Name"), ("姓名", "居民姓名"), True),
    Column("sex", pgettext_lazy("spreadsheet column", "Sex"), ("性别", "gender")),
    Column(
        "birth_year",
        pgettext_lazy("spreadsheet column", "Birth year"),
        ("出生年份", "出生年", "year of birth"),
    ),
    Column(
        "phone",
        pgettext_lazy("spreadsheet column", "Phone"),
        ("手机号", "手机", "电话", "手机号码", "个人电话"),
    ),
    Column(
        "id_number",
        pgettext_lazy("spreadsheet column", "ID card number"),
        ("身份证号", "身份证号码", "身份证"),
    ),
    Column(
        "relation",
        pgettext_lazy("spreadsheet column", "Relation to head"),
        ("与户主关系", "关系", "relation", "relationship"),
    ),
]
_RETURN_COLUMNS = [
    Column(
        "returned_from",
        pgettext_lazy("spreadsheet column", "Returned from"),
        ("返回地", "从何地返回", "来源地"),
    ),
    Column(
        "returned_on",
        pgettext_lazy("spreadsheet column", "Return date"),
        ("返回日期", "返乡日期", "returned on"),
    ),
    Column(
        "return_transport",
        pgettext_lazy("spreadsheet column", "Transport"),
        ("交通方式", "返回方式"),
    ),
]
# The gate's flag, as the file carries it: the import starts, moves or ends the resident's
# quarantine through the quarantine service (its one writer), never the flag itself.
_QUARANTINE_COLUMNS = [
    Column(
        "quarantine_until",
        pgettext_lazy("spreadsheet column", "Quarantine until"),
        ("隔离至", "居家隔离至", "隔离截止日期", "quarantine until"),
    ),
]
COLUMNS: list[Column] = [
    *_PLACE_COLUMNS,
    *_PERSON_COLUMNS,
    *(Column(flag.name, flag.column, flag.aliases) for flag in FLAGS),
    *_RETURN_COLUMNS,
    *_QUARANTINE_COLUMNS,
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
FLAG_KEYS = FLAG_NAMES
RESIDENT_KEYS = [c.key for c in COLUMNS if c.resident]

HouseholdKey = tuple[str, str, str]  # building number, unit number ("" for none), room
ResidentKey = tuple[HouseholdKey, str]


def household_key(household: Household) -> HouseholdKey:
    return (
        household.building.number,
        household.unit.number if household.unit else "",
        household.room,
    )


def address_of(key: HouseholdKey) -> str:
    building, unit, room = key
    return f"{building}-{unit}-{room}" if unit else f"{building}-{room}"


def norm(text: Any) -> str:
    """Header or value text for matching: no spaces, no required-marks, case-folded."""
    value = re.sub(r"[\s*＊:：]", "", str(text)).casefold()
    return re.sub(r"[(（][^)）]*[)）]$", "", value)


def in_every_language(label: Promise | str) -> set[str]:
    texts = {norm(label)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(norm(str(label)))
    return texts


def header_lookup() -> dict[str, str]:
    """{normalised header text: column key} for every accepted header."""
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for text in {
            *in_every_language(column.label),
            norm(column.key),
            *map(norm, column.aliases),
        }:
            lookup.setdefault(text, column.key)
    return lookup


def column_help(key: str) -> str:
    texts = {
        "building": _("Building number, for example 20."),
        "unit": _("Unit number, for example 1; leave empty if the building has no units."),
        "room": _("Room number, for example 1702."),
        "contact_phone": _("The household's phone; once per household is enough."),
        "name": _(
            "Required when any resident column is filled; empty for a household with nobody registered."
        ),
        "sex": _("男 or 女 (or M or F)."),
        "birth_year": _("Four digits, for example 1980."),
        "phone": _("Digits only."),
        "id_number": _(
            "18 characters; the check digit is verified. Keep the cell formatted as text."
        ),
        "relation": _("户主, 配偶, 子女, 父母, 孙子女, 其他亲属, 租户 or 其他."),
        "returned_on": _("A date, or text as YYYY-MM-DD."),
        "return_transport": _("自驾, 火车, 大巴, 飞机 or 其他."),
        "returned_from": _("Where the resident came back from, for example 武汉."),
        "quarantine_until": _(
            "The last day of the resident's quarantine (YYYY-MM-DD); empty if none. The "
            "import starts, moves or ends the quarantine."
        ),
    }
    if key in FLAG_KEYS:
        return _("是 or 否 (yes/no, 1/0, Y/N); empty means no.")
    return texts.get(key, "")


def sample_id_number() -> str:
    """The template's example ID number (a valid one nobody holds)."""
    first17 = "36050219800101123"
    return first17 + id_checksum(first17)
