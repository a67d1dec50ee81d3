"""Addresses as people type them, read the one way: pure functions, no database.

The registry's search box and the 接龙 paste (``supplies.jielong``) both read what a
volunteer or a resident wrote: ``20-1702``, ``20栋1702``, ``20#1702``, ``20-2-1702``,
``20栋2单元1702室``, in full-width digits from a phone keyboard (``２０－１７０２``). One
reader, so that the search and the paste never disagree about where somebody lives.

``normalize`` folds full-width forms to ASCII (NFKC) and the dashes people paste to ``-``;
``parse_address`` reads a whole query; ``find_address`` finds the first address inside a
line of text (a chain's entry) and says where it was, so the rest can be read as items.
"""

import re
import unicodedata
from dataclasses import dataclass

# NFKC folds full-width digits, letters and most punctuation; these dashes it leaves.
_DASHES = str.maketrans({"—": "-", "–": "-", "‐": "-", "‑": "-", "−": "-", "～": "-", "~": "-"})

# The search box: parts split on the address words and separators.
_SPLIT = re.compile(r"[\s\-/#.,，、栋幢号单元室]+")
_PART = re.compile(r"^[0-9A-Za-z]+$")

# A room is not followed by a digit or a unit of measure (500g, 1000克).
_NOT_A_QUANTITY = r"(?![0-9]|\s*(?:斤|公斤|千克|克|g|kg|ml|个|盒|袋|包|瓶|箱|份))"

# Inside a line: building, an optional unit, a room of 3 or 4 digits (an optional letter).
# "20栋1702", "20#1702", "20-1702", "20-2-1702", "20栋2单元1702室", "20号楼1702".
_IN_LINE = re.compile(
    r"(?<![0-9A-Za-z.])"
    r"(?P<building>\d{1,3}[A-Za-z]?)\s*(?P<sep>号楼|栋|幢|#|-|/)\s*"
    r"(?:(?P<unit>\d{1,2})\s*(?:单元|-|/)\s*)?"
    r"(?P<room>\d{3,4}[A-Z]?)" + _NOT_A_QUANTITY + r"\s*(?:室|号)?"
)
# A chain of one building: the room alone, or unit and room ("2-1702", "2单元1702").
# Only at the start of the entry, or after a short name ("张阿姨 1702"): further on, a
# number of 3 or 4 digits is more likely a weight than a room.
_ROOM_ONLY = re.compile(
    r"^\s*(?:[^\d\s]{1,8}\s*)?(?<![0-9A-Za-z.])(?:(?P<unit>\d{1,2})\s*(?:单元|-|/)\s*)?"
    r"(?P<room>\d{3,4}[A-Z]?)" + _NOT_A_QUANTITY + r"\s*(?:室|号)?"
)


@dataclass(frozen=True)
class Address:
    building: str
    room: str
    unit: str | None = None

    @property
    def canonical(self) -> str:
        """20-1702, or 20-2-1702 with a unit: as ``Household.address`` writes it."""
        if self.unit:
            return f"{self.building}-{self.unit}-{self.room}"
        return f"{self.building}-{self.room}"


def normalize(text: str) -> str:
    """Full-width to ASCII, pasted dashes to ``-``."""
    return unicodedata.normalize("NFKC", text or "").translate(_DASHES)


def parse_address(query: str) -> Address | None:
    """The address a whole query names (``20-1702``, ``20 2 1702``, ``20栋2单元1702``),
    or None when it is not one (a single word: a room, a name, a phone's tail)."""
    parts = [p for p in _SPLIT.split(normalize(query).strip()) if p]
    if not 2 <= len(parts) <= 3 or not all(_PART.match(p) for p in parts):
        return None
    parts = [p.upper() for p in parts]
    return Address(parts[0], parts[-1], parts[1] if len(parts) == 3 else None)


def find_address(line: str, *, building: str | None = None) -> tuple[Address, int, int] | None:
    """The first address in an (already normalized) line, with its start and end.

    With ``building`` (a chain of one building), a bare room (``1702``) or unit and room
    (``2-1702``) is an address in that building; an address naming its own building
    still wins, wherever it is; but ``2-1702`` there is unit 2, room 1702."""
    match = _IN_LINE.search(line)
    if match and building and not match["unit"] and match["sep"] in ("-", "/"):
        match = None
    if match:
        address = Address(match["building"].upper(), match["room"].upper(), match["unit"] or None)
        return address, match.start(), match.end()
    if building:
        match = _ROOM_ONLY.search(line)
        if match:
            address = Address(building, match["room"].upper(), match["unit"] or None)
            return address, match.start("unit" if match["unit"] else "room"), match.end()
    return None
