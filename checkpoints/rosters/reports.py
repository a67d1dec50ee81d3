"""The week roster as a table: the same rows for the printable page and the Excel file."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.rosters.models import Shift
from checkpoints.rosters.selectors import GridRow


def shift_line(shift: Shift) -> str:
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    names = "、".join(a.member.name for a in shift.on) or "—"  # type: ignore[attr-defined]
    short = f" ({len(shift.on)}/{shift.needed})" if shift.short else ""  # type: ignore[attr-defined]
    end_text = "24:00" if end.time().hour == 0 and end.time().minute == 0 else f"{end:%H:%M}"
    return f"{start:%H:%M}–{end_text} {names}{short}"


def week_table(days: Sequence[date], rows: Sequence[GridRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [str(_("Post")), *(f"{d:%m-%d}" for d in days)]
    lines = [
        [row.post.name, *("\n".join(shift_line(s) for s in cell) for cell in row.days)]
        for row in rows
    ]
    return headers, lines
