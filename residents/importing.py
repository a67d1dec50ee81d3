"""Households and residents to and from Excel (.xlsx).

One row per resident; a household with nobody registered yet is one row with the resident
columns empty. Columns are found by their header text (Chinese or English, in any order;
unknown columns are ignored), so the branch's own registers can be imported as long as
the headers match.

The import validates every row before writing anything: if any row is wrong, the answer
is the list of (Excel row, column, message) and the database is untouched. Otherwise one
transaction creates the missing buildings and units, creates or updates the households
(matched by building + unit + room) and their residents (matched by household + name),
and leaves an audit row for each household and resident created or changed. Importing the
same file again changes nothing; residents that are not in the file are left alone.

Writes go in bulk, so that a large compound (1,300 households, 4,500 residents) imports
in seconds.
"""

from __future__ import annotations

import datetime
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from compounds.models import AuditEntry, Building, Compound, Unit
from compounds.services import audit_bulk, audit_entry, diff, snapshot
from compounds.text import validate_text
from compounds.xlsx import FORMULA_PREFIXES, write_sheet
from residents import audit as registry_audit
from residents.models import Household, Resident
from residents.validators import (
    id_checksum,
    normalize_id_number,
    validate_id_number,
    validate_phone,
)

# A file this long is not a compound's register; stop reading instead of filling memory
# (an .xlsx is compressed: a 5 MiB file can hold millions of rows).
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Titles such as "绿景水岸住户登记表" often sit above the header row.
HEADER_SEARCH_ROWS = 10
OLDEST_BIRTH_YEAR = 1900
BATCH_SIZE = 500

logger = logging.getLogger(__name__)


class ImportIssue(NamedTuple):
    """One refusal: the Excel row (None for the whole file), the column header, why."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    rows_read: int = 0
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(
            self.households_created
            or self.households_updated
            or self.residents_created
            or self.residents_updated
        )


# --- Columns ---------------------------------------------------------------------


class _Invalid(Exception):
    """A cell's value is wrong; the message is shown with the row and column."""


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise  # the header written in the active language
    # Other header texts branches type. The Chinese ones are accepted even before the
    # translations exist; the labels in every configured language are accepted too.
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be in the file
    resident: bool = True  # part of a resident's data (a row may leave these all empty)


# Headers have a context of their own: "Name" or "Phone" as a register's column may well
# be translated otherwise than the same word elsewhere (姓名, not 名称). The context is
# written out each time: makemessages only reads literal strings.
COLUMNS: list[Column] = [
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
    Column(
        "party_member", pgettext_lazy("spreadsheet column", "Party member"), ("党员", "是否党员")
    ),
    Column(
        "elderly_alone",
        pgettext_lazy("spreadsheet column", "Elderly living alone"),
        ("独居老人", "是否独居老人"),
    ),
    Column(
        "chronic_illness",
        pgettext_lazy("spreadsheet column", "Chronic illness"),
        ("慢性病", "是否慢性病"),
    ),
    Column(
        "disability",
        pgettext_lazy("spreadsheet column", "Disability"),
        ("残疾", "是否残疾", "残障"),
    ),
    Column(
        "pregnant", pgettext_lazy("spreadsheet column", "Pregnant"), ("孕妇", "是否孕妇", "孕产妇")
    ),
    Column("infant", pgettext_lazy("spreadsheet column", "Infant"), ("婴幼儿", "是否婴幼儿")),
    Column(
        "returnee",
        pgettext_lazy("spreadsheet column", "Returnee"),
        ("返乡人员", "是否返乡", "返乡"),
    ),
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
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
FLAG_KEYS = (
    "party_member",
    "elderly_alone",
    "chronic_illness",
    "disability",
    "pregnant",
    "infant",
    "returnee",
)
RESIDENT_KEYS = [c.key for c in COLUMNS if c.resident]
HOUSEHOLD_AUDIT_FIELDS = ["address", "contact_phone"]

# The value words people type, beside the codes and the labels in every language.
_SEX_WORDS = {"男": "M", "男性": "M", "女": "F", "女性": "F", "m": "M", "f": "F"}
_RELATION_WORDS = {
    "户主": "head",
    "本人": "head",
    "配偶": "spouse",
    "妻子": "spouse",
    "丈夫": "spouse",
    "妻": "spouse",
    "夫": "spouse",
    "子女": "child",
    "儿子": "child",
    "女儿": "child",
    "子": "child",
    "女": "child",
    "父母": "parent",
    "父亲": "parent",
    "母亲": "parent",
    "孙子女": "grandchild",
    "孙子": "grandchild",
    "孙女": "grandchild",
    "外孙": "grandchild",
    "外孙女": "grandchild",
    "其他亲属": "relative",
    "亲属": "relative",
    "租户": "tenant",
    "租客": "tenant",
    "其他": "other",
}
_TRANSPORT_WORDS = {
    "自驾": "car",
    "私家车": "car",
    "汽车": "car",
    "火车": "train",
    "高铁": "train",
    "动车": "train",
    "大巴": "bus",
    "客车": "bus",
    "长途汽车": "bus",
    "飞机": "plane",
    "其他": "other",
}
_YES = {"是", "有", "y", "yes", "1", "true", "√", "✓"}
_NO = {"否", "无", "不是", "n", "no", "0", "false", "×", "✗"}

_BUILDING_SUFFIX = re.compile(r"(号楼|栋|幢|#|号)$")
_UNIT_SUFFIX = re.compile(r"单元$")
_ROOM_SUFFIX = re.compile(r"(室|号)$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _norm(text: Any) -> str:
    """Header or value text for matching: no spaces, no required-marks, case-folded."""
    value = re.sub(r"[\s*＊:：]", "", str(text)).casefold()
    return re.sub(r"[(（][^)）]*[)）]$", "", value)


def _in_every_language(label: Promise | str) -> set[str]:
    texts = {_norm(label)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(_norm(str(label)))
    return texts


def _choice_words(choices: Any, words: dict[str, str]) -> dict[str, str]:
    """{normalised word: code} from the codes, the labels in every language and `words`."""
    lookup = {_norm(k): v for k, v in words.items()}
    for code, label in choices.choices:
        lookup[_norm(code)] = code
        for text in _in_every_language(label):
            lookup[text] = code
    return lookup


def _yes_no_words() -> tuple[set[str], set[str]]:
    yes, no = {_norm(w) for w in _YES}, {_norm(w) for w in _NO}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            yes.add(_norm(_("yes")))
            no.add(_norm(_("no")))
    return yes, no


def header_lookup() -> dict[str, str]:
    """{normalised header text: column key} for every accepted header."""
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for text in {
            *_in_every_language(column.label),
            _norm(column.key),
            *map(_norm, column.aliases),
        }:
            lookup.setdefault(text, column.key)
    return lookup


# --- Reading cells -----------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text: 1702.0 → "1702", and the apostrophe our export put in front of a
    formula-like text taken off again, so that an export imports back unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


class _Parsers:
    """The cell parsers, built once per import (they look up words in every language)."""

    def __init__(self) -> None:
        self.sex = _choice_words(Resident.Sex, _SEX_WORDS)
        self.relation = _choice_words(Resident.Relation, _RELATION_WORDS)
        self.transport = _choice_words(Resident.Transport, _TRANSPORT_WORDS)
        self.yes, self.no = _yes_no_words()
        self.today = timezone.localdate()
        self.by_key: dict[str, Callable[[Any], Any]] = {
            "building": lambda v: self._number(v, _BUILDING_SUFFIX, 20),
            "unit": lambda v: self._number(v, _UNIT_SUFFIX, 20),
            "room": lambda v: self._number(v, _ROOM_SUFFIX, 20),
            "contact_phone": self._phone,
            "name": lambda v: self._limited(v, 50),
            "sex": lambda v: self._choice(v, self.sex, gettext_lazy("Write 男 or 女 (or M or F).")),
            "birth_year": self._birth_year,
            "phone": self._phone,
            "id_number": self._id_number,
            "relation": lambda v: self._choice(
                v,
                self.relation,
                gettext_lazy("Unknown relation; write for example 户主, 配偶, 子女 or 父母."),
            ),
            "returned_from": lambda v: self._limited(v, 100),
            "returned_on": self._date,
            "return_transport": lambda v: self._choice(
                v,
                self.transport,
                gettext_lazy("Unknown transport; write for example 自驾, 火车, 大巴 or 飞机."),
            ),
        }
        for key in FLAG_KEYS:
            self.by_key[key] = self._flag

    def parse(self, key: str, value: Any) -> Any:
        # Every column is single-line text: the rule of the registry's own fields.
        try:
            validate_text(_text(value), multiline=False, label=COLUMN_BY_KEY[key].label)
        except ValidationError as error:
            raise _Invalid(error.messages[0]) from error
        return self.by_key[key](value)

    @staticmethod
    def _limited(value: Any, length: int) -> str:
        text = _text(value)
        if len(text) > length:
            raise _Invalid(_("At most %(length)s characters.") % {"length": length})
        return text

    def _number(self, value: Any, suffix: re.Pattern[str], length: int) -> str:
        return suffix.sub("", self._limited(value, length)).strip()

    @staticmethod
    def _phone(value: Any) -> str:
        text = _text(value)
        try:
            validate_phone(text)
        except ValidationError as error:
            raise _Invalid(error.messages[0]) from error
        return text

    def _choice(self, value: Any, words: dict[str, str], message: Promise) -> str:
        text = _text(value)
        if not text:
            return ""
        try:
            return words[_norm(text)]
        except KeyError:
            raise _Invalid(str(message)) from None

    def _flag(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = _norm(_text(value))
        if text in self.yes:
            return True
        if not text or text in self.no:
            return False
        raise _Invalid(_("Write 是 or 否 (or yes/no, 1/0, Y/N); empty means no."))

    def _birth_year(self, value: Any) -> int | None:
        text = _text(value)
        if not text:
            return None
        if isinstance(value, datetime.date):
            year = value.year
        elif text.isdigit():
            year = int(text)
        else:
            raise _Invalid(_("Write the birth year as four digits, for example 1980."))
        if not OLDEST_BIRTH_YEAR <= year <= self.today.year:
            raise _Invalid(
                _("The birth year must be between %(first)s and %(last)s.")
                % {"first": OLDEST_BIRTH_YEAR, "last": self.today.year}
            )
        return year

    @staticmethod
    def _id_number(value: Any) -> str:
        text = normalize_id_number(_text(value))
        try:
            validate_id_number(text)
        except ValidationError as error:
            message = error.messages[0]
            if isinstance(value, int | float):
                message += " " + _(
                    "Excel rounds long numbers: format the column as text and type the number again."
                )
            raise _Invalid(message) from error
        return text

    def _date(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A date typed into a cell without a date format is Excel's day number.
            try:
                day = from_excel(value).date()
            except (ValueError, OverflowError, AttributeError):
                raise _Invalid(_("Write the date as YYYY-MM-DD.")) from None
        else:
            text = _text(value)
            if not text:
                return None
            match = _DATE_TEXT.match(text)
            try:
                if match is None:
                    raise ValueError(text)
                day = datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise _Invalid(_("Write the date as YYYY-MM-DD.")) from None
        if day > self.today:
            raise _Invalid(_("The return date cannot be in the future."))
        return day


# --- The file ----------------------------------------------------------------------


HouseholdKey = tuple[str, str, str]  # building number, unit number ("" for none), room
ResidentKey = tuple[HouseholdKey, str]


@dataclass
class _Row:
    number: int
    household: HouseholdKey
    values: dict[str, Any]  # parsed values of the columns the file has
    has_resident: bool


def _address(key: HouseholdKey) -> str:
    building, unit, room = key
    return f"{building}-{unit}-{room}" if unit else f"{building}-{room}"


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(position)
    return int(size)


def _find_header(
    rows: Iterator[tuple[int, Any]], lookup: dict[str, str]
) -> tuple[int, dict[str, int], list[str]] | ImportIssue:
    """The header row: the first of the top rows naming the required columns. Returns its
    number, {key: column index} and the header texts, or the issue to report."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    for number, values in rows:
        headers = [_text(v) for v in values[:MAX_COLUMNS]]
        found: dict[str, int] = {}
        for index, text in enumerate(headers):
            key = lookup.get(_norm(text)) if text else None
            if key is None:
                continue  # a column we do not know is ignored
            if key in found:
                return ImportIssue(
                    number,
                    text,
                    _("The column %(column)s appears twice.") % {"column": text},
                )
            found[key] = index
        if best is None or len(found) > len(best[1]):
            best = (number, found, headers)
        if all(c.key in found for c in COLUMNS if c.required):
            return number, found, headers
        if number >= HEADER_SEARCH_ROWS:
            break
    missing = [
        str(c.label) for c in COLUMNS if c.required and (best is None or c.key not in best[1])
    ]
    return ImportIssue(
        best[0] if best else None,
        "",
        _("Required columns are missing: %(columns)s. Download the template to see the headers.")
        % {"columns": ", ".join(missing)},
    )


def _read_rows(
    sheet: Any, result: ImportResult, parsers: _Parsers
) -> tuple[list[_Row], dict[str, str]]:
    """The parsed rows, and {column key: its header as written in the file}."""
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    header = _find_header(rows, header_lookup())
    if isinstance(header, ImportIssue):
        result.errors.append(header)
        return [], {}
    _header_row, columns, headers = header
    issues = result.errors
    parsed: list[_Row] = []
    for number, values in rows:
        cells = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        result.rows_read += 1
        if result.rows_read > MAX_ROWS:
            issues.append(
                ImportIssue(
                    number,
                    "",
                    _("The file has more than %(count)s rows; split it into several files.")
                    % {"count": MAX_ROWS},
                )
            )
            break
        row_values: dict[str, Any] = {}
        for key, value in cells.items():
            try:
                row_values[key] = parsers.parse(key, value)
            except _Invalid as error:
                issues.append(ImportIssue(number, headers[columns[key]], str(error)))
        has_resident = any(
            not _blank(cells[k]) for k in RESIDENT_KEYS if k in cells and k not in FLAG_KEYS
        ) or any(row_values.get(k) for k in FLAG_KEYS)
        for key in ("building", "room") + (("name",) if has_resident else ()):
            if key in columns and key in row_values and not row_values[key]:
                issues.append(
                    ImportIssue(number, headers[columns[key]], _("This column must be filled."))
                )
        household = (
            row_values.get("building", ""),
            row_values.get("unit", ""),
            row_values.get("room", ""),
        )
        parsed.append(_Row(number, household, row_values, has_resident))
    return parsed, {key: headers[i] for key, i in columns.items()}


@dataclass
class _Plan:
    """What the file asks for, merged per household and per resident."""

    households: dict[HouseholdKey, dict[str, Any]] = field(default_factory=dict)
    residents: dict[ResidentKey, tuple[int, dict[str, Any]]] = field(default_factory=dict)


def _merge(rows: Iterable[_Row], headers: dict[str, str], issues: list[ImportIssue]) -> _Plan:
    plan = _Plan()
    contact_rows: dict[HouseholdKey, int] = {}
    for row in rows:
        household = plan.households.setdefault(row.household, {})
        if "contact_phone" in row.values:
            phone = row.values["contact_phone"]
            household.setdefault("contact_phone", "")
            if phone and not household["contact_phone"]:
                household["contact_phone"] = phone
                contact_rows[row.household] = row.number
            elif phone and phone != household["contact_phone"]:
                issues.append(
                    ImportIssue(
                        row.number,
                        headers["contact_phone"],
                        _("Household %(address)s has another contact phone in row %(row)s.")
                        % {"address": _address(row.household), "row": contact_rows[row.household]},
                    )
                )
        if not row.has_resident or not row.values.get("name"):
            continue  # a missing name is already reported
        key = (row.household, row.values["name"])
        if key in plan.residents:
            issues.append(
                ImportIssue(
                    row.number,
                    headers["name"],
                    _("%(name)s of %(address)s is already in row %(row)s.")
                    % {
                        "name": row.values["name"],
                        "address": _address(row.household),
                        "row": plan.residents[key][0],
                    },
                )
            )
            continue
        plan.residents[key] = (
            row.number,
            {k: v for k, v in row.values.items() if k in RESIDENT_KEYS},
        )
    return plan


# --- What is in the database -------------------------------------------------------


@dataclass
class _Existing:
    buildings: dict[str, Building]
    units: dict[tuple[str, str], Unit]
    households: dict[HouseholdKey, Household]
    residents: dict[ResidentKey, Resident]


def _household_key(household: Household) -> HouseholdKey:
    return (
        household.building.number,
        household.unit.number if household.unit_id else "",
        household.room,
    )


def _load(compound: Compound) -> _Existing:
    buildings = {b.number: b for b in Building.objects.filter(compound=compound)}
    units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(building__compound=compound).select_related("building")
    }
    households = {
        _household_key(h): h
        for h in Household.objects.filter(compound=compound).select_related("building", "unit")
    }
    by_pk = {h.pk: h for h in households.values()}
    residents: dict[ResidentKey, Resident] = {}
    for r in Resident.objects.filter(household__compound=compound).order_by("pk"):
        r.household = by_pk[r.household_id]
        residents[(_household_key(r.household), r.name)] = r
    return _Existing(buildings, units, households, residents)


def _check_id_numbers(
    plan: _Plan, existing: _Existing, header: str, issues: list[ImportIssue]
) -> None:
    """One person lives in one household: no ID number twice in the compound once the
    file is applied (the file's values replace those of the residents it matches)."""
    owner: dict[str, ResidentKey] = {}
    for key, resident in existing.residents.items():
        planned = plan.residents.get(key)
        if planned is None or "id_number" not in planned[1]:
            if resident.id_number:
                owner[resident.id_number] = key
    first_row: dict[str, int] = {}
    for key, (row, values) in plan.residents.items():
        number = values.get("id_number")
        if not number:
            continue
        if number in first_row:
            issues.append(
                ImportIssue(
                    row,
                    header,
                    _("This ID card number is already in row %(row)s.")
                    % {"row": first_row[number]},
                )
            )
        elif number in owner and owner[number] != key:
            other = owner[number]
            issues.append(
                ImportIssue(
                    row,
                    header,
                    _("This ID card number is already registered for %(name)s in %(address)s.")
                    % {"name": other[1], "address": _address(other[0])},
                )
            )
        first_row.setdefault(number, row)


# --- Writing -----------------------------------------------------------------------


_audit = audit_entry  # the rows audit_record writes, built for one bulk insert


def _created(obj: Any, fields: Iterable[str]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", False)}


def _ensure_places(compound: Compound, plan: _Plan, existing: _Existing) -> None:
    new_buildings = sorted({key[0] for key in plan.households} - set(existing.buildings))
    if new_buildings:
        Building.objects.bulk_create([Building(compound=compound, number=n) for n in new_buildings])
        existing.buildings = {b.number: b for b in Building.objects.filter(compound=compound)}
    new_units = sorted(
        {(key[0], key[1]) for key in plan.households if key[1]} - set(existing.units)
    )
    if new_units:
        Unit.objects.bulk_create(
            [Unit(building=existing.buildings[b], number=u) for b, u in new_units]
        )
        existing.units = {
            (u.building.number, u.number): u
            for u in Unit.objects.filter(building__compound=compound).select_related("building")
        }


def _apply(
    *, compound: Compound, actor: Any, plan: _Plan, existing: _Existing, result: ImportResult
) -> None:
    now = timezone.now()
    audit: list[AuditEntry | None] = []
    _ensure_places(compound, plan, existing)

    new_households: list[Household] = []
    changed_households: list[tuple[Household, dict[str, Any]]] = []
    for key, values in plan.households.items():
        household = existing.households.get(key)
        if household is None:
            building = existing.buildings[key[0]]
            unit = existing.units[(key[0], key[1])] if key[1] else None
            household = Household(
                compound=compound,
                building=building,
                unit=unit,
                room=key[2],
                contact_phone=values.get("contact_phone", ""),
            )
            new_households.append(household)
            existing.households[key] = household
        elif values.get("contact_phone", household.contact_phone) != household.contact_phone:
            before = snapshot(household, HOUSEHOLD_AUDIT_FIELDS)
            household.contact_phone = values["contact_phone"]
            household.updated_at = now
            changed_households.append(
                (household, diff(before, snapshot(household, HOUSEHOLD_AUDIT_FIELDS)))
            )
    Household.objects.bulk_create(new_households, batch_size=BATCH_SIZE)
    Household.objects.bulk_update(
        [h for h, _c in changed_households], ["contact_phone", "updated_at"], batch_size=BATCH_SIZE
    )
    audit += [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_CREATE,
            obj=h,
            changes=_created(h, HOUSEHOLD_AUDIT_FIELDS),
        )
        for h in new_households
    ]
    audit += [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_UPDATE,
            obj=h,
            changes=changes,
        )
        for h, changes in changed_households
    ]

    new_residents: list[Resident] = []
    changed_residents: list[tuple[Resident, dict[str, Any]]] = []
    changed_fields: set[str] = set()
    for key, (_row, values) in plan.residents.items():
        values = dict(values)
        if not values.get("relation"):
            values.pop("relation", None)  # the model's default (head) or what is registered
        resident = existing.residents.get(key)
        if resident is None:
            resident = Resident(household=existing.households[key[0]], **values)
            new_residents.append(resident)
            continue
        fields = list(values)
        before = snapshot(resident, fields)
        for name, value in values.items():
            setattr(resident, name, value)
        changes = diff(before, snapshot(resident, fields))
        if changes:
            resident.updated_at = now
            changed_fields.update(changes)
            changed_residents.append((resident, changes))
    Resident.objects.bulk_create(new_residents, batch_size=BATCH_SIZE)
    if changed_residents:
        Resident.objects.bulk_update(
            [r for r, _c in changed_residents],
            sorted(changed_fields | {"updated_at"}),
            batch_size=BATCH_SIZE,
        )
    resident_fields = ["name", *(k for k in RESIDENT_KEYS if k != "name")]
    audit += [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_CREATE,
            obj=r,
            changes=_created(r, resident_fields),
        )
        for r in new_residents
    ]
    audit += [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_UPDATE,
            obj=r,
            changes=changes,
        )
        for r, changes in changed_residents
    ]
    audit_bulk(audit, batch_size=BATCH_SIZE)

    result.households_created = len(new_households)
    result.households_updated = len(changed_households)
    result.residents_created = len(new_residents)
    result.residents_updated = len(changed_residents)


def _unpacked_size(file: IO[bytes]) -> int:
    """What the .xlsx (a zip) holds once unpacked; BadZipFile if it is no zip at all."""
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        size = sum(info.file_size for info in archive.infolist())
    file.seek(0)
    return size


def _data_sheet(workbook: Any, lookup: dict[str, str]) -> Any:
    """The sheet with our headers: the active one, else the first that has them (a file
    saved while the template's guide sheet was open still imports)."""
    sheets = [workbook.active, *(s for s in workbook.worksheets if s is not workbook.active)]
    sheets = [s for s in sheets if s is not None and hasattr(s, "iter_rows")]
    for sheet in sheets:
        sheet.reset_dimensions()  # some programs write a wrong sheet size
        top = enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1)
        if not isinstance(_find_header(top, lookup), ImportIssue):
            return sheet
    return sheets[0] if sheets else None


# What a damaged or foreign file raises somewhere inside the zip and XML readers.
_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    EOFError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    IndexError,
)


def households_import(*, compound: Compound, file: IO[bytes], actor: Any) -> ImportResult:
    """Read an .xlsx of households and residents into `compound`: everything or nothing."""
    result = ImportResult()
    limit = settings.IMPORT_MAX_BYTES
    if _file_size(file) > limit:
        result.errors.append(
            ImportIssue(
                None,
                "",
                _("The file is larger than %(limit)s; split it into several files.")
                % {"limit": filesizeformat(limit)},
            )
        )
        return result
    try:
        if _unpacked_size(file) > MAX_UNPACKED_BYTES:
            # A few MiB of zip can unpack to gigabytes of XML.
            result.errors.append(
                ImportIssue(
                    None, "", _("The file holds too much data; split it into several files.")
                )
            )
            return result
        workbook = load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = _data_sheet(workbook, header_lookup())
            if sheet is None:
                raise InvalidFileException("no worksheet")
            rows, headers = _read_rows(sheet, result, _Parsers())
        finally:
            workbook.close()
    except _UNREADABLE:
        logger.info("Unreadable import file for compound %s", compound.pk, exc_info=True)
        result = ImportResult()
        result.errors.append(
            ImportIssue(
                None,
                "",
                _(
                    "This is not an Excel .xlsx file, or it is damaged. Save it as "
                    "“Excel workbook (.xlsx)” and upload it again."
                ),
            )
        )
        return result
    if result.errors:
        return result
    if not rows:
        result.errors.append(ImportIssue(None, "", _("The file has no rows under the headers.")))
        return result

    plan = _merge(rows, headers, result.errors)
    existing = _load(compound)
    _check_id_numbers(plan, existing, headers.get("id_number", ""), result.errors)
    if result.errors:
        result.errors.sort(key=lambda issue: issue.row or 0)
        return result
    with transaction.atomic():
        _apply(compound=compound, actor=actor, plan=plan, existing=existing, result=result)
    return result


# --- Export and template -----------------------------------------------------------


def _natural(text: str) -> tuple[Any, ...]:
    """ "2" before "10", as people count buildings and rooms."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


class _Labels:
    """The choice labels and yes/no in the active language, looked up once per sheet
    rather than once per cell (a large compound has 90,000 cells)."""

    def __init__(self) -> None:
        self.sex = {code: str(label) for code, label in Resident.Sex.choices}
        self.relation = {code: str(label) for code, label in Resident.Relation.choices}
        self.transport = {code: str(label) for code, label in Resident.Transport.choices}
        self.yes_no = {True: _yes_no(True), False: _yes_no(False)}

    def resident_cells(self, resident: Resident | None) -> list[Any]:
        if resident is None:
            return [""] * len(RESIDENT_KEYS)
        return [
            resident.name,
            self.sex.get(resident.sex, resident.sex),
            resident.birth_year,
            resident.phone,
            resident.id_number,
            self.relation.get(resident.relation, resident.relation),
            *(self.yes_no[bool(getattr(resident, k))] for k in FLAG_KEYS),
            resident.returned_from,
            resident.returned_on,
            self.transport.get(resident.return_transport, resident.return_transport),
        ]


def headers() -> list[str]:
    return [str(c.label) for c in COLUMNS]


def export_rows(compound: Compound) -> Iterator[list[Any]]:
    """One row per resident of the compound (one per empty household), in address order."""
    households = (
        Household.objects.filter(compound=compound)
        .select_related("building", "unit")
        .prefetch_related("residents")
    )
    labels = _Labels()
    for household in sorted(
        households,
        key=lambda h: tuple(_natural(part) for part in _household_key(h)),
    ):
        place = [
            household.building.number,
            household.unit.number if household.unit_id else "",
            household.room,
            household.contact_phone,
        ]
        residents = list(household.residents.all()) or [None]
        for resident in residents:
            yield place + labels.resident_cells(resident)


def households_workbook(compound: Compound) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("sheet name", "Residents")
    write_sheet(sheet, headers(), export_rows(compound))
    return workbook


def sample_id_number() -> str:
    first17 = "36050219800101123"
    return first17 + id_checksum(first17)


def template_workbook() -> Workbook:
    """The headers and one example row, and a second sheet saying what each column takes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = pgettext("sheet name", "Residents")
    sample = Resident(
        name="张小流",
        sex=Resident.Sex.MALE,
        birth_year=1980,
        phone="13807901234",
        id_number=sample_id_number(),
        relation=Resident.Relation.HEAD,
        party_member=True,
    )
    write_sheet(
        sheet, headers(), [["20", "1", "1702", "13807901234", *_Labels().resident_cells(sample)]]
    )
    for column in sheet.iter_cols(min_col=1, max_col=len(COLUMNS)):
        for cell in column:
            cell.number_format = "@"  # text, so that Excel keeps ID and phone numbers whole
    guide = workbook.create_sheet(pgettext("sheet name", "How to fill in"))
    write_sheet(
        guide,
        [_("Column"), _("Required"), _("What to write")],
        [[str(c.label), _yes_no(c.required), column_help(c.key)] for c in COLUMNS],
    )
    return workbook


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
    }
    if key in FLAG_KEYS:
        return _("是 or 否 (yes/no, 1/0, Y/N); empty means no.")
    return texts.get(key, "")
