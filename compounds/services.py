"""Writes of the compounds app, and the audit trail every app writes through."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

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
    from residents.validators import mask_id_number

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


def building_seal(*, building: Building, sealed: bool, actor: Any) -> Building:
    from django.utils import timezone

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
    return building


def user_sessions_end(*, user: Any, actor: Any, keep: str | None = None) -> int:
    """End every session of ``user`` on every device, except the session key ``keep``.

    Sessions carry no user column, so each live one is decoded: a rare action over at
    most a working day's sessions. Returns how many were ended.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    mine = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.session_key != keep
        and str(store().decode(session.session_data).get(SESSION_KEY)) == str(user.pk)
    ]
    model.objects.filter(session_key__in=mine).delete()
    return len(mine)
