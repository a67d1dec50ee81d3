"""The 接龙 reader: a WeChat chain as pasted, into entries by room. Pure: no database.

A chain looks like::

    【接龙】20栋 2月14日 买菜
    例：20-1702 白菜2斤 鸡蛋1盒
    1. 20-1702 白菜2斤 鸡蛋1盒
    2. 20栋1801 土豆 3斤、番茄两斤 🍅
    3. 谢谢志愿者！

Every line lands in exactly one of three lists: an ``Entry`` (a room and its items), an
``Unread`` line (with a code: ``room_unknown`` when no room can be read, ``no_items``,
``chatter``; the resolver adds ``room_unknown``/``room_ambiguous`` for rooms not in the
registry) that a person fixes, or ``Skipped`` (blank lines, the title, the example).

Full-width digits and punctuation are folded first (``residents.addresses.normalize``);
quantities may be Chinese numerals (两斤, 半斤, 一盒, 一斤半); a line may hold several
items, with or without quantity and unit; emoji are dropped; a note in brackets stays
with the item before it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from residents.addresses import Address, find_address, normalize

UNITS = (
    "公斤|千克|毫升|斤|两|克|kg|KG|g|ml|个|盒|袋|包|瓶|箱|份|把|颗|棵|根|条|只|板|提|桶|罐|"
    "支|块|听|打|串|扎|捆|头|片|粒|枚|卷|本|斤装"
)
_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = r"[零一二两三四五六七八九十]+半?|半"
_NUMBER = rf"\d+(?:\.\d+)?半?|{_CN_NUMBER}"
# A quantity: a number with a unit ("2斤", "两盒", "半斤", "1.5kg"), a bare digit number
# ("土豆 3"), or "x2", "*2", "×2".
_QUANTITY = re.compile(
    rf"(?:[x×*]\s*(?P<times>\d+))|(?P<number>{_NUMBER})\s*(?P<unit>{UNITS})?(?P<half>半)?"
)
# Lines as a person sees them in the text box (not str.splitlines, which also breaks at
# U+2028, form feeds and the like, and would number the lines otherwise).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BARE_NUMBER = re.compile(r"\d{3,}")
_UNIT_ONLY = re.compile(rf"(?:{UNITS})")
_ENTRY_NO = re.compile(r"^\s*(\d{1,4})\s*[.、)）:：]\s*")
_TITLE = re.compile(r"接龙|团购|#")
_EXAMPLE = re.compile(r"^\s*(?:例|示例|格式|举例)")
_NOTE = re.compile(r"[(\[{【（]([^)\]}】）]*)[)\]}】）]")
_SEPARATORS = re.compile(r"[\s,;，、；/+＋]+|和|还有|再来")
_NAME = re.compile(r"[^\W\d_]", re.UNICODE)
MAX_LINES = 2000


@dataclass(frozen=True)
class Item:
    name: str
    quantity: Decimal | None = None
    unit: str = ""
    note: str = ""


@dataclass
class Entry:
    line_no: int
    entry_no: int | None
    address: Address
    items: list[Item]
    text: str


@dataclass
class Unread:
    line_no: int
    text: str
    code: str
    entry_no: int | None = None
    items: list[Item] = field(default_factory=list)
    room_read: bool = True  # False: no room could be read on the line at all


@dataclass
class Skipped:
    line_no: int
    text: str


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _cn_number(text: str) -> Decimal | None:
    half = text.endswith("半")
    text = text.removesuffix("半")
    if not text:
        return Decimal("0.5") if half else None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        value = Decimal(text)
    elif "十" in text:
        tens, _, ones = text.partition("十")
        value = Decimal((_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(ones, 0))
    elif len(text) == 1 and text in _CN_DIGITS:
        value = Decimal(_CN_DIGITS[text])
    else:
        return None
    return value + Decimal("0.5") if half else value


def _clean(text: str) -> str:
    """Emoji and other symbols out (they are decoration), everything else folded."""
    kept = []
    for ch in normalize(text):
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Cs", "Co", "Cf") or ch in "\ufe0f\u200d\u20e3":
            kept.append(" ")
        else:
            kept.append(ch)
    return "".join(kept)


def _quantity_of(token: str) -> tuple[str, Decimal | None, str]:
    """(name, quantity, unit) of one token: 白菜2斤, 2斤白菜, 两盒鸡蛋, 牛奶x2, 3斤, 土豆."""
    for match in _QUANTITY.finditer(token):
        if match["times"]:
            quantity: Decimal | None = Decimal(match["times"])
            unit = ""
        else:
            number = match["number"]
            unit = match["unit"] or ""
            # A Chinese numeral is a quantity only with its unit (一品 is a name).
            if not re.match(r"\d", number) and not unit and number != "半":
                continue
            quantity = _cn_number(number + ("半" if match["half"] else ""))
            if quantity is None:
                continue
        name = (token[: match.start()] + " " + token[match.end() :]).strip(" :：-")
        return name, quantity, unit
    return token.strip(" :：-"), None, ""


def read_items(text: str) -> list[Item]:
    """The items of the part of a line after (or before) its room."""
    notes: list[tuple[int, str]] = [(m.start(), m.group(1).strip()) for m in _NOTE.finditer(text)]
    text = _NOTE.sub(lambda m: " " * len(m.group(0)), text)
    items: list[Item] = []
    positions: list[int] = []
    offset = 0
    for token in _SEPARATORS.split(text):
        start = text.find(token, offset) if token else offset
        offset = start + len(token)
        if not token or not token.strip():
            continue
        token = token.strip()
        if _UNIT_ONLY.fullmatch(token):
            # A unit alone ("鸡蛋 2 盒"): the unit of the quantity before it.
            if items and items[-1].quantity is not None and not items[-1].unit:
                last = items[-1]
                items[-1] = Item(last.name, last.quantity, token, last.note)
            continue
        if _BARE_NUMBER.fullmatch(token):
            # 1902, 13807901234: a room or a phone, never a quantity without its unit.
            continue
        name, quantity, unit = _quantity_of(token)
        if not _NAME.search(name):
            # A quantity alone ("土豆 3斤"): it belongs to the item before it.
            if quantity is not None and items and items[-1].quantity is None:
                last = items[-1]
                items[-1] = Item(last.name, quantity, unit, last.note)
            continue
        items.append(Item(name[:50], quantity, unit))
        positions.append(start)
    for at, note in notes:
        if not note:
            continue
        before = [i for i, p in enumerate(positions) if p < at]
        if before:
            index = before[-1]
            item = items[index]
            joined = f"{item.note} {note}".strip()
            items[index] = Item(item.name, item.quantity, item.unit, joined[:100])
    return items


def _entry_no(line: str) -> tuple[int | None, str]:
    match = _ENTRY_NO.match(line)
    if not match:
        return None, line
    return int(match.group(1)), line[match.end() :]


def parse(text: str, *, building: str | None = None) -> Parsed:
    """Read a pasted chain. ``building``: its number, for a chain of one building."""
    parsed = Parsed()
    lines = _LINE_BREAK.split(text or "")
    if lines and lines[-1] == "":
        lines.pop()  # the text's last line break ends a line; it does not start one
    seen_entry = False
    for line_no, raw in enumerate(lines, start=1):
        line = _clean(raw).strip()
        if not line:
            parsed.skipped.append(Skipped(line_no, raw))
            continue
        entry_no, body = _entry_no(line)
        if _EXAMPLE.match(body) or (not seen_entry and entry_no is None and _TITLE.search(line)):
            parsed.skipped.append(Skipped(line_no, raw))
            continue
        found = find_address(body, building=building)
        if found is None:
            items = read_items(body)
            has_quantity = any(i.quantity is not None for i in items)
            if entry_no is not None and has_quantity:
                parsed.unread.append(Unread(line_no, raw, "room_unknown", entry_no, items, False))
            else:
                parsed.unread.append(Unread(line_no, raw, "chatter", entry_no))
            continue
        seen_entry = True
        address, start, end = found
        items = read_items(body[end:]) or read_items(body[:start])
        if not items:
            parsed.unread.append(Unread(line_no, raw, "no_items", entry_no))
            continue
        parsed.entries.append(Entry(line_no, entry_no, address, items, raw))
    return parsed
