"""Archiving a compound at the end of the emergency: hand over, purge, keep the figures.

In the top layer because it composes three apps, in this order:

1. the handover file: the register of households and residents in Excel (what the purge
   is about to remove) and a sheet of figures, written to ``ARCHIVE_DIR`` and recorded as
   an export (who, when, how many rows, the file's name and SHA-256) before anything is
   purged, and committed on its own, so that the record stays whatever happens next;
2. the purge of personal data (``residents.purge_services.compound_purge``): every
   resident anonymised as erasure does, households' phones and notes cleared, the audit
   values masked;
3. the mark (``compounds.services.compound_archive_mark``): read-only from then on
   (``compounds.archived``).

Steps 2 and 3 run in one transaction holding the compound's row, and only if the register
is still the one in the file: a write between the file and the purge would otherwise be
purged without having been handed over. Office only (a community officer), confirmed by
typing the compound's name.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from checkpoints.models import Passage
from compounds import archived
from compounds import audit as compound_audit
from compounds.errors import CompoundError
from compounds.models import Compound
from compounds.services import compound_archive_mark, export_record
from compounds.xlsx import active_sheet, write_sheet
from residents.excel import households_workbook
from residents.models import FeverAlert, Household, Resident
from residents.purge_services import Purged, compound_purge
from residents.selectors import vulnerable_q


@dataclass(frozen=True)
class Archived:
    compound: Compound
    path: Path
    sha256: str
    rows: int
    figures: dict[str, int]
    purged: Purged


def figures(compound: Compound) -> dict[str, int]:
    """What stays after the purge: the counts the office reports."""
    residents = Resident.objects.filter(household__compound=compound)
    return {
        "households": Household.objects.filter(compound=compound).count(),
        "residents": residents.count(),
        "residents_vulnerable": residents.filter(vulnerable_q()).count(),
        "passages": Passage.objects.filter(compound=compound).count(),
        "fever_alerts": FeverAlert.objects.filter(compound=compound).count(),
    }


def figure_labels() -> dict[str, str]:
    return {
        "households": _("Households"),
        "residents": _("Residents"),
        "residents_vulnerable": _("Vulnerable residents"),
        "passages": _("Passages at the gates"),
        "fever_alerts": _("Fever alerts"),
    }


def register_state(compound: Compound) -> tuple[Any, ...]:
    """A fingerprint of the register: changes when a household or resident is added,
    removed or changed. Compared before the purge with the one the file was made from."""
    residents = Resident.objects.filter(household__compound=compound).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    households = Household.objects.filter(compound=compound).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    return (residents["n"], residents["last"], households["n"], households["last"])


def archive_workbook(compound: Compound, actor: Any, counts: dict[str, int]) -> Workbook:
    """The register (the import/export columns, so it can be read back) and the figures."""
    workbook = households_workbook(compound)
    sheet = workbook.create_sheet(_("Figures"))
    rows: list[list[Any]] = [
        [_("Compound"), compound.name],
        [_("Archived at"), timezone.localtime().replace(tzinfo=None)],
        [_("Archived by"), actor.get_username()],
        *([figure_labels()[key], value] for key, value in counts.items()),
    ]
    write_sheet(sheet, [_("Figure"), _("Value")], rows)
    return workbook


def _save(workbook: Workbook, compound: Compound) -> Path:
    directory = Path(settings.ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"compound-{compound.pk}-{stamp}.xlsx"
    # Personal data: readable by the server's user only, from the first byte.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        workbook.save(file)
    return path


def _check(compound: Compound, actor: Any, confirm_name: str) -> None:
    archived.check_may_archive(actor, compound)
    archived.check_writable(compound.pk)
    if (confirm_name or "").strip() != compound.name:
        raise CompoundError(
            _("Type the compound's name exactly to confirm: %(name)s.") % {"name": compound.name},
            "archive_not_confirmed",
            field="confirm_name",
        )


def compound_archive(*, compound: Compound, actor: Any, confirm_name: str) -> Archived:
    """Hand over, purge, mark archived (see the module's docstring)."""
    _check(compound, actor, confirm_name)
    state = register_state(compound)
    counts = figures(compound)
    workbook = archive_workbook(compound, actor, counts)
    rows = active_sheet(workbook).max_row - 1  # less the header
    path = _save(workbook, compound)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    export_record(
        compound=compound,
        actor=actor,
        action=compound_audit.ARCHIVE_EXPORT,
        rows=rows,
        details={"file": path.name, "sha256": digest},
    )
    with transaction.atomic():
        compound = Compound.objects.select_for_update().get(pk=compound.pk)
        if register_state(compound) != state:
            raise CompoundError(
                _(
                    "The register changed while the archive was being written: nothing was "
                    "purged. Archive again to hand over the current register."
                ),
                "archive_register_changed",
            )
        purged = compound_purge(compound=compound, actor=actor)
        compound = compound_archive_mark(compound=compound, actor=actor)
    return Archived(compound, path, digest, rows, counts, purged)


def archive_files(compound: Compound) -> list[Path]:
    """The handover files kept for ``compound``, newest first."""
    directory = Path(settings.ARCHIVE_DIR)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"compound-{compound.pk}-*.xlsx"), reverse=True)
