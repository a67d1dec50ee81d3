"""Writes of the compounds app, and the audit trail every app writes through."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from compounds import events
from compounds.masking import mask_id_number
from compounds.models import AuditEntry, Building, Compound


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` as JSON-safe data, for a before/after diff."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


# Fields whose values never go into the audit log in clear.
SECRET_FIELDS = {"id_number"}


def audit_record(
    *,
    compound: Compound | int,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    safe = {}
    for key, value in (changes or {}).items():
        if key in SECRET_FIELDS and isinstance(value, list):
            value = [mask_id_number(v or "") for v in value]
        safe[key] = value
    return AuditEntry.objects.create(
        compound_id=compound if isinstance(compound, int) else compound.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=safe,
    )


@transaction.atomic
def building_seal(*, building: Building, sealed: bool, actor: Any) -> Building:
    """Seal a building (nobody of it goes out) or lift the seal; sends ``building_sealed``."""
    before = snapshot(building, ["sealed"])
    building.sealed = sealed
    building.sealed_since = timezone.now() if sealed else None
    building.save(update_fields=["sealed", "sealed_since"])
    audit_record(
        compound=building.compound_id,
        actor=actor,
        action="seal" if sealed else "unseal",
        obj=building,
        changes=diff(before, snapshot(building, ["sealed"])),
    )
    if before["sealed"] != sealed:
        events.send(
            events.building_sealed, sender=Building, building=building, sealed=sealed, actor=actor
        )
    return building
