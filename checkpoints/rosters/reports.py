"""The week roster as a table: the same rows for the printable page and the Excel file."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from checkpoints.rosters.selectors import GridRow, GridShift


def shift_line(shift: GridShift) -> str:
    names = "、".join(shift.names) or "—"
    short = f" ({len(shift.names)}/{shift.needed})" if shift.short else ""
    return f"{shift.hours} {names}{short}"


def week_table(days: Sequence[date], rows: Sequence[GridRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [str(_("Post")), *(f"{d:%m-%d}" for d in days)]
    lines = [
        [row.post.name, *("\n".join(shift_line(s) for s in cell) for cell in row.days)]
        for row in rows
    ]
    return headers, lines
