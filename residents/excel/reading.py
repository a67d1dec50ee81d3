"""Reading the file: its size, its sheet, its header row and its rows, merged per
household and per resident. Nothing here touches the database."""

import logging
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from residents.errors import Code
from residents.excel.columns import (
    COLUMNS,
    FLAG_KEYS,
    RESIDENT_KEYS,
    HouseholdKey,
    ResidentKey,
    address_of,
    header_lookup,
    norm,
)
from residents.excel.parsing import Invalid, Parsers, blank, cell_text

# A file this long is not a compound's register; stop reading instead of filling memory
# (an .xlsx is compressed: a 5 MiB file can hold millions of rows).
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Titles such as "绿景水岸住户登记表" often sit above the header row.
HEADER_SEARCH_ROWS = 10

logger = logging.getLogger(__name__)


class ImportIssue(NamedTuple):
    """One refusal: the Excel row (None for the whole file), the column header, why, and
    the code (the one the page, the API and the admin give the same refusal)."""

    row: int | None
    column: str
    message: str
    code: str = Code.INVALID


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


@dataclass
class Row:
    number: int
    household: HouseholdKey
    values: dict[str, Any]  # parsed values of the columns the file has
    has_resident: bool


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(position)
    return int(size)


def _unpacked_size(file: IO[bytes]) -> int:
    """What the .xlsx (a zip) holds once unpacked; BadZipFile if it is no zip at all."""
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        size = sum(info.file_size for info in archive.infolist())
    file.seek(0)
    return size


def _find_header(
    rows: Iterator[tuple[int, Any]], lookup: dict[str, str]
) -> tuple[int, dict[str, int], list[str]] | ImportIssue:
    """The header row: the first of the top rows naming the required columns. Returns its
    number, {key: column index} and the header texts, or the issue to report."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    for number, values in rows:
        headers = [cell_text(v) for v in values[:MAX_COLUMNS]]
        found: dict[str, int] = {}
        for index, text in enumerate(headers):
            key = lookup.get(norm(text)) if text else None
            if key is None:
                continue  # a column we do not know is ignored
            if key in found:
                return ImportIssue(
                    number,
                    text,
                    _("The column %(column)s appears twice.") % {"column": text},
                    Code.IMPORT_FILE,
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
        Code.IMPORT_FILE,
    )


def _parse_row(
    number: int, cells: dict[str, Any], header_of: dict[str, str], parsers: Parsers
) -> tuple[Row, list[ImportIssue]]:
    issues: list[ImportIssue] = []
    values: dict[str, Any] = {}
    for key, value in cells.items():
        try:
            values[key] = parsers.parse(key, value)
        except Invalid as error:
            issues.append(ImportIssue(number, header_of[key], str(error), error.code))
    has_resident = any(
        not blank(cells[k]) for k in RESIDENT_KEYS if k in cells and k not in FLAG_KEYS
    ) or any(values.get(k) for k in FLAG_KEYS)
    for key in ("building", "room") + (("name",) if has_resident else ()):
        if key in values and not values[key]:
            issues.append(
                ImportIssue(number, header_of[key], _("This column must be filled."), Code.REQUIRED)
            )
    household = (values.get("building", ""), values.get("unit", ""), values.get("room", ""))
    return Row(number, household, values, has_resident), issues


def _read_rows(
    sheet: Any, result: ImportResult, parsers: Parsers
) -> tuple[list[Row], dict[str, str]]:
    """The parsed rows, and {column key: its header as written in the file}."""
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    header = _find_header(rows, header_lookup())
    if isinstance(header, ImportIssue):
        result.errors.append(header)
        return [], {}
    _header_row, columns, headers = header
    header_of = {key: headers[i] for key, i in columns.items()}
    parsed: list[Row] = []
    for number, values in rows:
        cells = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        if all(blank(v) for v in cells.values()):
            continue
        result.rows_read += 1
        if result.rows_read > MAX_ROWS:
            result.errors.append(
                ImportIssue(
                    number,
                    "",
                    _("The file has more than %(count)s rows; split it into several files.")
                    % {"count": MAX_ROWS},
                    Code.IMPORT_FILE,
                )
            )
            break
        row, issues = _parse_row(number, cells, header_of, parsers)
        result.errors.extend(issues)
        parsed.append(row)
    return parsed, header_of


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


def _file_issue(message: str, code: str = Code.IMPORT_FILE) -> ImportIssue:
    return ImportIssue(None, "", message, code)


def read_file(
    file: IO[bytes], result: ImportResult, *, compound_id: int
) -> tuple[list[Row], dict[str, str]]:
    """The file's rows and headers; a refused file leaves its one issue in ``result``."""
    limit = settings.IMPORT_MAX_BYTES
    if _file_size(file) > limit:
        message = _("The file is larger than %(limit)s; split it into several files.")
        result.errors.append(_file_issue(message % {"limit": filesizeformat(limit)}))
        return [], {}
    try:
        if _unpacked_size(file) > MAX_UNPACKED_BYTES:
            # A few MiB of zip can unpack to gigabytes of XML.
            message = _("The file holds too much data; split it into several files.")
            result.errors.append(_file_issue(message))
            return [], {}
        workbook = load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = _data_sheet(workbook, header_lookup())
            if sheet is None:
                raise InvalidFileException("no worksheet")
            rows, headers = _read_rows(sheet, result, Parsers())
        finally:
            workbook.close()
    except _UNREADABLE:
        logger.info("Unreadable import file for compound %s", compound_id, exc_info=True)
        # What was read of a damaged file is void.
        result.rows_read = 0
        result.errors.clear()
        message = _(
            "This is not an Excel .xlsx file, or it is damaged. Save it as "
            "“Excel workbook (.xlsx)” and upload it again."
        )
        result.errors.append(_file_issue(message))
        return [], {}
    if not rows and not result.errors:
        message = _(
            "Nothing was imported: the file has no rows under the headers. Write one row "
            "per resident under the headers; the example on the sheet “%(sheet)s” is "
            "never imported."
        )
        sheet_name = pgettext("sheet name", "How to fill in")
        result.errors.append(_file_issue(message % {"sheet": sheet_name}, Code.IMPORT_EMPTY))
    return rows, headers


@dataclass
class Plan:
    """What the file asks for, merged per household and per resident."""

    households: dict[HouseholdKey, dict[str, Any]] = field(default_factory=dict)
    residents: dict[ResidentKey, tuple[int, dict[str, Any]]] = field(default_factory=dict)


def _merge_contact(
    plan: Plan, row: Row, contact_rows: dict[HouseholdKey, int], header: str
) -> ImportIssue | None:
    household = plan.households.setdefault(row.household, {})
    if "contact_phone" not in row.values:
        return None
    phone = row.values["contact_phone"]
    household.setdefault("contact_phone", "")
    if phone and not household["contact_phone"]:
        household["contact_phone"] = phone
        contact_rows[row.household] = row.number
    elif phone and phone != household["contact_phone"]:
        return ImportIssue(
            row.number,
            header,
            _("Household %(address)s has another contact phone in row %(row)s.")
            % {"address": address_of(row.household), "row": contact_rows[row.household]},
        )
    return None


def merge(rows: Iterable[Row], headers: dict[str, str], issues: list[ImportIssue]) -> Plan:
    plan = Plan()
    contact_rows: dict[HouseholdKey, int] = {}
    for row in rows:
        conflict = _merge_contact(plan, row, contact_rows, headers.get("contact_phone", ""))
        if conflict is not None:
            issues.append(conflict)
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
                        "address": address_of(row.household),
                        "row": plan.residents[key][0],
                    },
                    Code.RESIDENT_EXISTS,
                )
            )
            continue
        plan.residents[key] = (
            row.number,
            {k: v for k, v in row.values.items() if k in RESIDENT_KEYS},
        )
    return plan
