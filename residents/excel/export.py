"""The compound's register as a workbook, and the import template.

The template's data sheet holds the headers only: its example (张小流 of 20-1-1702) is a
column of the guide sheet, which the import never reads, so a template imported unchanged
imports nothing. (The example once sat under the headers, and was imported as a real
household.)
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from compounds.models import Compound
from compounds.xlsx import active_sheet, write_sheet
from residents.excel.columns import (
    COLUMNS,
    FLAG_KEYS,
    RESIDENT_KEYS,
    column_help,
    sample_id_number,
)
from residents.models import Household, Resident


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
            resident.quarantine_until,
        ]


def headers() -> list[str]:
    return [str(c.label) for c in COLUMNS]


def _place_cells(household: Household) -> list[Any]:
    return [
        household.building.number,
        household.unit.number if household.unit else "",
        household.room,
        household.contact_phone,
    ]


def export_rows(compound: Compound) -> Iterator[list[Any]]:
    """One row per resident of the compound (one per empty household), in address order."""
    households = (
        Household.objects.filter(compound=compound)
        .select_related("building", "unit")
        .prefetch_related("residents")
    )
    labels = _Labels()
    for household in sorted(households, key=lambda h: h.address_key):
        place = _place_cells(household)
        residents: list[Resident | None] = [*household.residents.all()] or [None]
        for resident in residents:
            yield place + labels.resident_cells(resident)


def households_workbook(compound: Compound) -> Workbook:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = pgettext("sheet name", "Residents")
    write_sheet(sheet, headers(), export_rows(compound))
    return workbook


def example_row() -> list[Any]:
    """The template's example, a value per column (shown on the guide sheet only)."""
    sample = Resident(
        name="张小流",
        sex=Resident.Sex.MALE,
        birth_year=1980,
        phone="13807901234",
        id_number=sample_id_number(),
        relation=Resident.Relation.HEAD,
        party_member=True,
    )
    return ["20", "1", "1702", "13807901234", *_Labels().resident_cells(sample)]


def template_workbook() -> Workbook:
    """The headers on an empty data sheet, and a guide sheet saying what each column takes,
    with an example."""
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = pgettext("sheet name", "Residents")
    write_sheet(sheet, headers(), [])
    for index in range(1, len(COLUMNS) + 1):
        # Text, so that Excel keeps ID and phone numbers whole in the rows people type.
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
        sheet.cell(row=1, column=index).number_format = "@"
    guide = workbook.create_sheet(pgettext("sheet name", "How to fill in"))
    write_sheet(
        guide,
        [_("Column"), _("Required"), _("What to write"), _("Example (never imported)")],
        [
            [str(c.label), _yes_no(c.required), column_help(c.key), example]
            for c, example in zip(COLUMNS, example_row(), strict=True)
        ],
    )
    return workbook
