"""The dashboards' one write: who took which compounds' data away in a file."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from compounds.audit import Action, audit_bulk, audit_entry
from compounds.models import Compound


@transaction.atomic
def exports_record(
    *,
    compounds: Sequence[Compound],
    actor: Any,
    action: Action,
    rows: Mapping[int, int],
    details: dict[str, Any] | None = None,
) -> None:
    """``compounds.services.export_record`` for a file over many compounds: one entry
    per compound (each branch sees who has its data), written in one insert."""
    audit_bulk(
        audit_entry(
            compound=compound,
            actor=actor,
            action=action,
            obj=compound,
            changes={"rows": rows.get(compound.pk, 0), **(details or {})},
        )
        for compound in compounds
    )
