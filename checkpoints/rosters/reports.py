"""The week roster as a table: the same rows for the printable page and the Excel file."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from checkpoints.rosters.models import Shift
from checkpoints.rosters.selectors import GridRow, hours_label


def shift_line(shift: Shift) -> str:
    names = "、".join(a.member.name for a in shift.on) or "—"  # type: ignore[attr-defined]
    short = f" ({len(shift.on)}/{shift.needed})" if shift.short else ""  # type: ignore[attr-defined]
    return f"{hours_label(shift)} {names}{short}"


def week_table(days: Sequence[date], rows: Sequence[GridRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [str(_("Post")), *(f"{d:%m-%d}" for d in days)]
    lines = [
        [row.post.name, *("\n".join(shift_line(s) for s in cell) for cell in row.days)]
        for row in rows
    ]
    return headers, lines
