"""Spreadsheet helpers shared by every Excel export (residents, gate log, ...).

Exports are opened in Excel/WPS by branch secretaries, so any text that came from a user
(a resident's name, a note) must never be taken as a formula, and a character a workbook
cannot hold must not break the download: `safe_cell` deals with both, and `write_sheet`
applies it to every cell.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell whose text starts with one of these is read as a formula (or a DDE payload) by
# Excel, LibreOffice or WPS. OWASP "CSV injection" list, which applies to xlsx text too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MIN_WIDTH = 6
MAX_WIDTH = 50
WIDTH_SAMPLE_ROWS = 200


# What a cell cannot hold: the C0 controls openpyxl refuses (its ILLEGAL_CHARACTERS_RE,
# an IllegalCharacterError that made the whole export a 500), and what XML cannot carry
# although openpyxl writes it (lone surrogates, U+FFFE, U+FFFF: a file Excel calls
# damaged). New text cannot hold these (compounds.text); rows stored earlier may.
UNWRITABLE_RE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff\ufffe\uffff]")


def safe_cell(value: Any) -> Any:
    """Return `value` ready for a cell: characters a workbook cannot hold are dropped, and
    text that a spreadsheet would run as a formula gets a leading apostrophe, so it is
    shown as the text it is. Numbers, dates and None pass through unchanged (a negative
    number is a number, not a formula)."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = UNWRITABLE_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 19
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    # CJK characters take two columns in a spreadsheet font.
    return max(
        (sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.splitlines()),
        default=0,
    )


def write_sheet(ws: Worksheet, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Worksheet:
    """Write a bold header row and then `rows` into `ws` (every value through `safe_cell`),
    freeze the header and size the columns to their content (sampling the first rows)."""
    bold = Font(bold=True)
    header_cells = [safe_cell(h) for h in headers]
    ws.append(header_cells)
    header_row = row_number = ws.max_row  # counted from here on: max_row walks every cell
    for cell in ws[header_row]:
        cell.font = bold
    widths = [_display_width(h) for h in header_cells]
    for index, row in enumerate(rows):
        values = [float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row]
        ws.append(values)
        row_number += 1
        if index < WIDTH_SAMPLE_ROWS:
            for col, value in enumerate(values):
                width = _display_width(value)
                if col >= len(widths):
                    widths.append(width)
                elif width > widths[col]:
                    widths[col] = width
        for col, value in enumerate(values, start=1):
            if isinstance(value, datetime.date):
                ws.cell(row=row_number, column=col).number_format = (
                    "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime.datetime) else "yyyy-mm-dd"
                )
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return ws


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the RFC 5987 UTF-8 name (绿景水岸-住户.xlsx)."""
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    """The workbook as a download named `filename` (any script, e.g. Chinese)."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    workbook.save(response)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"  # exports carry personal data
    return response
