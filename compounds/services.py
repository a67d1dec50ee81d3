"""Writes of the compounds app. The audit trail every app writes through is
``compounds.audit``; its builders are re-exported here for the callers that know them
by this module."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compounds import archived, audit, events
from compounds.access import Level, level_for
from compounds.audit import audit_bulk, audit_entry, audit_record, diff, snapshot
from compounds.errors import CompoundError
from compounds.models import Building, Community, Compound, Opening, Role

__all__ = [
    "audit_bulk",
    "audit_entry",
    "audit_record",
    "building_seal",
    "compound_archive_mark",
    "diff",
    "export_record",
    "gate_version_bump",
    "OPENING_FIELDS",
    "opening_update",
    "role_grant",
    "role_revoke",
    "snapshot",
]


def gate_version_bump(compound_id: int) -> int:
    """Count one change to what the gate of ``compound_id`` decides on; the new version.

    Call it inside the writing service's own transaction: the row lock it takes orders the
    bumps of one compound, and a rollback takes the bump back with the change.
    """
    Compound.objects.filter(pk=compound_id).update(gate_version=F("gate_version") + 1)
    return Compound.objects.values_list("gate_version", flat=True).get(pk=compound_id)


OPENING_FIELDS = ["state", "vehicle_rule"]


@transaction.atomic
def opening_update(
    *, opening: Opening, actor: Any, state: str | None = None, vehicle_rule: str | None = None
) -> Opening:
    """Open, restrict or seal an opening, or change its vehicle rule (audited; the gate's
    snapshot follows through the compound's gate_version)."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    before = snapshot(opening, OPENING_FIELDS)
    if state is not None:
        opening.state = state
    if vehicle_rule is not None:
        opening.vehicle_rule = vehicle_rule
    try:
        opening.full_clean()
    except ValidationError as error:
        raise CompoundError(" ".join(error.messages), "opening_invalid") from error
    changes = diff(before, snapshot(opening, OPENING_FIELDS))
    if not changes:
        return opening
    opening.save(update_fields=OPENING_FIELDS)
    audit_record(
        compound=opening.compound_id,
        actor=actor,
        action=audit.OPENING_UPDATE,
        obj=opening,
        changes=changes,
    )
    gate_version_bump(opening.compound_id)
    return opening


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
        action=audit.SEAL if sealed else audit.UNSEAL,
        obj=building,
        changes=diff(before, snapshot(building, ["sealed"])),
    )
    if before["sealed"] != sealed:
        gate_version_bump(building.compound_id)
        events.send(
            events.building_sealed, sender=Building, building=building, sealed=sealed, actor=actor
        )
    return building


# --- roles -----------------------------------------------------------------------------------


def _may_assign(actor: Any, role: Role) -> bool:
    """Roles are the community office's to give, in their community; a volunteer's role is
    also the branch's secretary's and deputy's to give in their compound."""
    if actor is None or actor.is_superuser:
        return True
    if role.compound_id is not None:
        need = Level.MANAGE if role.kind == Role.Kind.VOLUNTEER else Level.OFFICER
        return level_for(actor, role.compound_id) >= need
    if role.community_id is None:  # neither: the role's check constraint refuses it anyway
        return False
    return Role.objects.filter(
        user=actor, kind=Role.Kind.OFFICER, community_id=role.community_id
    ).exists()


def _audit_role(role: Role, action: audit.Action, actor: Any, *, granted: bool) -> None:
    values = [str(role.user), role.kind]
    audit_record(
        compound=role.compound_id,
        community=role.community_id if role.compound_id is None else None,
        actor=actor,
        action=action,
        obj=role,
        changes={
            "user": [None, values[0]] if granted else [values[0], None],
            "kind": [None, values[1]] if granted else [values[1], None],
        },
    )


@transaction.atomic
def role_grant(
    *,
    user: Any,
    kind: str,
    actor: Any,
    community: Community | None = None,
    compound: Compound | None = None,
) -> Role:
    """Give ``user`` a role: an officer over ``community``, or a role in ``compound``."""
    role = Role(user=user, kind=kind, community=community, compound=compound)
    officer = kind == Role.Kind.OFFICER
    if kind not in Role.Kind.values or (
        (community is None or compound is not None)
        if officer
        else (compound is None or community is not None)
    ):
        raise CompoundError(
            _("An officer's role is for a community; every other role is for a compound."),
            "role_invalid",
        )
    if not _may_assign(actor, role):
        raise CompoundError(
            _("Only the community's officers may give roles here."), "role_forbidden"
        )
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError:
        raise CompoundError(_("This login already has this role."), "role_exists") from None
    _audit_role(role, audit.ROLE_GRANT, actor, granted=True)
    return role


@transaction.atomic
def role_revoke(*, role: Role, actor: Any) -> None:
    if not _may_assign(actor, role):
        raise CompoundError(
            _("Only the community's officers may give roles here."), "role_forbidden"
        )
    _audit_role(role, audit.ROLE_REVOKE, actor, granted=False)
    role.delete()


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


def export_record(
    *,
    compound: Compound,
    actor: Any,
    action: audit.Action,
    rows: int,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that ``actor`` took personal data of ``compound`` away in a file: an export
    is a copy the branch no longer controls, so the office must be able to say who has
    one. ``action`` names the kind of export (each app registers its own)."""
    audit_record(
        compound=compound,
        actor=actor,
        action=action,
        obj=compound,
        changes={"rows": rows, **(details or {})},
    )


def compound_archive_mark(*, compound: Compound, actor: Any) -> Compound:
    """Mark ``compound`` archived: read-only from now on (``compounds.archived``).

    The last step of ``bastion.archive.compound_archive``, inside its transaction, after
    the handover file and the purge of personal data. Office only (a community officer).
    """
    with transaction.atomic():
        compound = Compound.objects.select_for_update().get(pk=compound.pk)
        archived.check_may_archive(actor, compound)
        if compound.archived_at is not None:
            raise archived.refusal(compound.name)
        now = timezone.now()
        # update(), not save(): the guard refuses saves of an archived compound, and this
        # is the write that makes it one.
        Compound.objects.filter(pk=compound.pk).update(archived_at=now, archived_by=actor)
        gate_version_bump(compound.pk)  # phones drop the compound's offline snapshot
        audit_record(
            compound=compound,
            actor=actor,
            action=audit.COMPOUND_ARCHIVE,
            obj=compound,
            changes={"archived_at": now.isoformat()},
        )
        compound.archived_at, compound.archived_by = now, actor
    return compound
