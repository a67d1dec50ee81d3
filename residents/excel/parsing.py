"""Reading one cell: the words people type, and the registry's rules on each value.

The rules are the services' (``residents.rules``, the model fields' validators and
lengths): a cell the page or the API would refuse is refused here in the same words and
with the same code.
"""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from compounds.models import Building, Unit
from compounds.text import validate_text
from compounds.xlsx import FORMULA_PREFIXES
from residents import rules
from residents.errors import Code, ResidentError
from residents.excel.columns import COLUMN_BY_KEY, FLAG_KEYS, in_every_language, norm
from residents.models import Household, Resident
from residents.validators import normalize_id_number, validate_id_number, validate_phone


class Invalid(Exception):
    """A cell's value is wrong; the message is shown with the row and column."""

    def __init__(self, message: str, code: str = Code.INVALID) -> None:
        super().__init__(message)
        self.code = code

    @classmethod
    def of(cls, error: ValidationError | ResidentError) -> "Invalid":
        if isinstance(error, ResidentError):
            return cls(str(error.message), error.code)
        return cls(error.messages[0], rules.refusal(error).code)


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


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _choice_words(choices: Any, words: dict[str, str]) -> dict[str, str]:
    """{normalised word: code} from the codes, the labels in every language and `words`."""
    lookup = {norm(k): v for k, v in words.items()}
    for code, label in choices.choices:
        lookup[norm(code)] = code
        for text in in_every_language(label):
            lookup[text] = code
    return lookup


def _yes_no_words() -> tuple[set[str], set[str]]:
    yes, no = {norm(w) for w in _YES}, {norm(w) for w in _NO}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            yes.add(norm(_("yes")))
            no.add(norm(_("no")))
    return yes, no


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
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


class Parsers:
    """The cell parsers, built once per import (they look up words in every language)."""

    def __init__(self) -> None:
        self.sex = _choice_words(Resident.Sex, _SEX_WORDS)
        self.relation = _choice_words(Resident.Relation, _RELATION_WORDS)
        self.transport = _choice_words(Resident.Transport, _TRANSPORT_WORDS)
        self.yes, self.no = _yes_no_words()
        self.by_key: dict[str, Callable[[Any], Any]] = {
            "building": lambda v: self._number(v, _BUILDING_SUFFIX, Building),
            "unit": lambda v: self._number(v, _UNIT_SUFFIX, Unit),
            "room": lambda v: self._number(v, _ROOM_SUFFIX, Household, "room"),
            "contact_phone": self._phone,
            "name": lambda v: self._limited(v, _max_length(Resident, "name")),
            "sex": lambda v: self._choice(v, self.sex, gettext_lazy("Write 男 or 女 (or M or F).")),
            "birth_year": self._birth_year,
            "phone": self._phone,
            "id_number": self._id_number,
            "relation": lambda v: self._choice(
                v,
                self.relation,
                gettext_lazy("Unknown relation; write for example 户主, 配偶, 子女 or 父母."),
            ),
            "returned_from": lambda v: self._limited(v, _max_length(Resident, "returned_from")),
            "returned_on": self._date,
            "quarantine_until": self._any_date,
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
            validate_text(cell_text(value), multiline=False, label=COLUMN_BY_KEY[key].label)
        except ValidationError as error:
            raise Invalid.of(error) from error
        return self.by_key[key](value)

    @staticmethod
    def _limited(value: Any, length: int) -> str:
        text = cell_text(value)
        if len(text) > length:
            raise Invalid(_("At most %(length)s characters.") % {"length": length})
        return text

    def _number(self, value: Any, suffix: re.Pattern[str], model: Any, name: str = "number") -> str:
        return suffix.sub("", self._limited(value, _max_length(model, name))).strip()

    @staticmethod
    def _phone(value: Any) -> str:
        text = cell_text(value)
        try:
            validate_phone(text)
        except ValidationError as error:
            raise Invalid.of(error) from error
        return text

    def _choice(self, value: Any, words: dict[str, str], message: Promise) -> str:
        text = cell_text(value)
        if not text:
            return ""
        try:
            return words[norm(text)]
        except KeyError:
            raise Invalid(str(message)) from None

    def _flag(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = norm(cell_text(value))
        if text in self.yes:
            return True
        if not text or text in self.no:
            return False
        raise Invalid(_("Write 是 or 否 (or yes/no, 1/0, Y/N); empty means no."))

    @staticmethod
    def _birth_year(value: Any) -> int | None:
        text = cell_text(value)
        if not text:
            return None
        if isinstance(value, datetime.date):
            year = value.year
        elif text.isdigit():
            year = int(text)
        else:
            raise Invalid(_("Write the birth year as four digits, for example 1980."))
        try:
            rules.check_birth_year(year)
        except ResidentError as error:
            raise Invalid.of(error) from error
        return year

    @staticmethod
    def _id_number(value: Any) -> str:
        text = normalize_id_number(cell_text(value))
        try:
            validate_id_number(text)
        except ValidationError as error:
            refused = Invalid.of(error)
            if isinstance(value, int | float):
                hint = _(
                    "Excel rounds long numbers: format the column as text and type the number again."
                )
                refused = Invalid(f"{refused} {hint}", refused.code)
            raise refused from error
        return text

    @classmethod
    def _date(cls, value: Any) -> datetime.date | None:
        """A date of the past or today (a return date)."""
        day = cls._any_date(value)
        try:
            rules.check_returned_on(day)
        except ResidentError as error:
            raise Invalid.of(error) from error
        return day

    @staticmethod
    def _any_date(value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # A date typed into a cell without a date format is Excel's day number.
            try:
                day = from_excel(value).date()
            except (ValueError, OverflowError, AttributeError):
                raise Invalid(_("Write the date as YYYY-MM-DD.")) from None
        else:
            text = cell_text(value)
            if not text:
                return None
            match = _DATE_TEXT.match(text)
            try:
                if match is None:
                    raise ValueError(text)
                day = datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise Invalid(_("Write the date as YYYY-MM-DD.")) from None
        return day
