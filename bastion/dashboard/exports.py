"""The dashboards' files: the overview and the daily report in Excel, the report as
plain text for WeChat, and the named lists (returnees, people in quarantine)."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from bastion.dashboard.selectors import ReportItem, Row, columns
from compounds.xlsx import active_sheet, write_sheet
from residents.models import Resident
from residents.quarantine.models import Quarantine


def overview_workbook(rows: Sequence[Row], total: dict[str, Any]) -> Workbook:
    figures = columns()
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Overview")
    body: list[list[Any]] = [
        [r.compound.community.name, r.compound.name, *(r.get(f.key) for f in figures)] for r in rows
    ]
    body.append([_("Total"), "", *(int(total.get(f.key, 0)) for f in figures)])
    write_sheet(
        sheet,
        [
            _("Community"),
            _("Compound"),
            *(f"{f.label} ({f.unit})" if f.unit else str(f.label) for f in figures),
        ],
        body,
    )
    return workbook


def report_title(day: date, communities: Iterable[str]) -> str:
    names = "、".join(sorted(set(communities))) or _("No compound")
    return _("%(communities)s daily report, %(day)s") % {
        "communities": names,
        "day": day.isoformat(),
    }


def report_workbook(title: str, items: Sequence[ReportItem], rows: Sequence[Row]) -> Workbook:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Daily report")
    body: list[list[Any]] = []
    for item in items:
        body.append([str(item.label), item.value])
        body += [[f"  {label}", value] for label, value in item.details]
    sheet.append([title])
    write_sheet(sheet, [_("Item"), _("Figure")], body)
    per_compound = workbook.create_sheet(_("By compound"))
    figures = columns()
    write_sheet(
        per_compound,
        [_("Compound"), *(f"{f.label} ({f.unit})" if f.unit else str(f.label) for f in figures)],
        ([r.compound.name, *(r.get(f.key) for f in figures)] for r in rows),
    )
    return workbook


def report_text(title: str, items: Sequence[ReportItem], rows: Sequence[Row]) -> str:
    """The report as a WeChat message: short lines, no table."""
    lines = [title, ""]
    for item in items:
        lines.append(f"{item.label}：{item.value}")
        if item.details:
            lines.append("（" + "，".join(f"{label} {n}" for label, n in item.details) + "）")
    lines += ["", _("Compounds: %(count)s") % {"count": len(rows)}]
    return "\n".join(lines) + "\n"


def _address(resident: Resident) -> str:
    return resident.household.address


def returnees_workbook(residents: Iterable[Resident]) -> tuple[Workbook, dict[int, int]]:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Returnees")
    counts: dict[int, int] = {}
    body = []
    for r in residents:
        counts[r.household.compound_id] = counts.get(r.household.compound_id, 0) + 1
        body.append(
            [
                r.household.compound.name,
                _address(r),
                r.name,
                r.get_sex_display(),
                r.birth_year,
                r.id_number,
                r.phone,
                r.returned_from,
                r.returned_on,
                r.get_return_transport_display(),
                r.quarantine_until or r.household.quarantine_until,
            ]
        )
    headers = [
        _("Compound"),
        _("Address"),
        _("Name"),
        _("Sex"),
        _("Birth year"),
        _("ID number"),
        _("Phone"),
        _("Returned from"),
        _("Returned on"),
        _("Transport"),
        _("In home quarantine until"),
    ]
    write_sheet(sheet, headers, body)
    return workbook, counts


def quarantine_workbook(stays: Iterable[Quarantine]) -> tuple[Workbook, dict[int, int]]:
    """People in quarantine on the day, home and central, one row per stay."""
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Quarantine")
    counts: dict[int, int] = {}
    body = []
    for q in stays:
        r = q.resident
        counts[q.compound_id] = counts.get(q.compound_id, 0) + 1
        body.append(
            [
                q.compound.name,
                q.household.address,
                r.name,
                r.get_sex_display(),
                r.birth_year,
                r.id_number,
                r.phone,
                q.get_kind_display(),
                q.site_label,
                q.get_reason_display(),
                q.starts_on,
                q.ends_on,
                _("yes") if r.returnee else "",
                r.returned_from,
            ]
        )
    headers = [
        _("Compound"),
        _("Address"),
        _("Name"),
        _("Sex"),
        _("Birth year"),
        _("ID number"),
        _("Phone"),
        _("Where"),
        _("Central site"),
        _("Reason"),
        _("Quarantine since"),
        _("Planned end"),
        _("Returnee"),
        _("Returned from"),
    ]
    write_sheet(sheet, headers, body)
    return workbook, counts
