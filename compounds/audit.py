"""The audit trail: one builder for every app, for single and bulk writes.

Each app registers its actions once, at import of its ``audit`` module (loaded by its
``AppConfig.ready()``), and writes with the constants it gets back::

    HOUSEHOLD_UPDATE = register_action("household_update", _("household changed"), update=True)
    ...
    audit_record(compound=c, actor=actor, action=HOUSEHOLD_UPDATE, obj=household, changes=diff)

so that every page can label every entry, whichever app wrote it, and a misspelt action
fails at once (``UnknownAuditAction``) instead of writing a row nobody can read. Apps also
register their secret fields, whose values are masked before they reach the trail.

An entry belongs to a compound, to a community (an officer's role), or to neither (a
login): never to both, since a compound's community is known through the compound and a
second copy could disagree with it. Who sees which entries is
``compounds.selectors.audit_entries_visible``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from compounds.masking import mask_id_number
from compounds.models import AuditEntry, Community, Compound


class UnknownAuditAction(LookupError):
    """An action nobody registered: a programming error, not a user's."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    # A change to existing data: an empty diff means nothing changed, so nothing is written.
    update: bool = False

    def __str__(self) -> str:
        return self.name


_actions: dict[str, Action] = {}
_secret_fields: dict[str, Callable[[str], str]] = {}


def register_action(name: str, label: str | Promise, *, update: bool = False) -> Action:
    action = Action(name, label, update)
    known = _actions.get(name)
    if known is not None and known != action:
        raise ValueError(f"The audit action {name!r} is registered twice, differently.")
    _actions[name] = action
    return action


def registered_actions() -> dict[str, Action]:
    return dict(_actions)


def action_named(name: str | Action) -> Action:
    key = name.name if isinstance(name, Action) else name
    try:
        return _actions[key]
    except KeyError:
        raise UnknownAuditAction(f"No app registered the audit action {key!r}.") from None


def action_label(name: str) -> str:
    """The action's translated label; rows older than the registry show their name."""
    action = _actions.get(name)
    return str(action.label) if action is not None else name


def register_secret_field(name: str, mask: Callable[[str], str] = mask_id_number) -> None:
    """A field whose values the trail keeps only masked (``mask`` of each value)."""
    _secret_fields[name] = mask


def secret_fields() -> frozenset[str]:
    return frozenset(_secret_fields)


# --- before/after --------------------------------------------------------------------------


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


def mask_changes(changes: dict[str, Any]) -> dict[str, Any]:
    safe = {}
    for key, value in changes.items():
        mask = _secret_fields.get(key)
        if mask is not None:
            if isinstance(value, list):
                value = [mask(v or "") for v in value]
            elif isinstance(value, str):
                value = mask(value)
        safe[key] = value
    return safe


# --- the builder ---------------------------------------------------------------------------


def _pk(value: models.Model | int | None) -> int | None:
    return value.pk if isinstance(value, models.Model) else value


def audit_entry(
    *,
    action: Action | str,
    actor: Any,
    obj: models.Model | None = None,
    compound: Compound | int | None = None,
    community: Community | int | None = None,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry | None:
    """An unsaved entry (for ``audit_bulk``), or None for an update that changed nothing.

    ``obj`` is what the entry is about; without one (a failed login for an unknown name)
    ``object_repr`` says what was named.
    """
    registered = action_named(action)
    if registered.update and not changes:
        return None
    if compound is not None and community is not None:
        raise ValueError("An audit entry belongs to a compound or a community, not both.")
    repr_ = object_repr if object_repr is not None else str(obj) if obj is not None else ""
    return AuditEntry(
        compound_id=_pk(compound),
        community_id=_pk(community),
        actor=actor if getattr(actor, "pk", None) else None,
        action=registered.name,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        object_repr=repr_[:200],
        changes=mask_changes(changes or {}),
    )


def audit_record(**kwargs: Any) -> AuditEntry | None:
    """Write one entry (the arguments of ``audit_entry``); None if nothing changed."""
    entry = audit_entry(**kwargs)
    if entry is not None:
        entry.save()
    return entry


def audit_bulk(entries: Iterable[AuditEntry | None], *, batch_size: int = 500) -> list[AuditEntry]:
    """Write many entries built by ``audit_entry`` in a few queries; Nones are skipped."""
    return AuditEntry.objects.bulk_create(
        [e for e in entries if e is not None], batch_size=batch_size
    )


# --- the kernel's own actions --------------------------------------------------------------

SEAL = register_action("seal", _("building sealed"))
UNSEAL = register_action("unseal", _("building unsealed"))
OPENING_UPDATE = register_action("opening_update", _("opening changed"), update=True)
ADMIN_ADD = register_action("admin_add", _("added in the admin"))
ADMIN_CHANGE = register_action("admin_change", _("changed in the admin"), update=True)
ADMIN_DELETE = register_action("admin_delete", _("deleted in the admin"))
ROLE_GRANT = register_action("role_grant", _("role granted"))
ROLE_REVOKE = register_action("role_revoke", _("role removed"))
LOGIN = register_action("login", _("logged in"))
LOGIN_FAILED = register_action("login_failed", _("failed login"))
LOGIN_LOCKED_OUT = register_action("login_locked_out", _("login locked out"))
CAPABILITY_ISSUE = register_action("capability_issue", _("link or token issued"))
CAPABILITY_ROTATE = register_action("capability_rotate", _("link or token replaced"))
CAPABILITY_REVOKE = register_action("capability_revoke", _("link or token revoked"))
COMPOUND_ARCHIVE = register_action("compound_archive", _("compound archived"))
ARCHIVE_EXPORT = register_action("archive_export", _("archive handed over in Excel"))
MEMBER_ADD = register_action("member_add", _("branch member added"))
MEMBER_UPDATE = register_action("member_update", _("branch member changed"), update=True)
LOGIN_LINK_ISSUE = register_action("login_link_issue", _("one-time login link issued"))
PASSWORD_SET_BY_LINK = register_action("password_set_by_link", _("password set through a link"))
LOGIN_DEACTIVATE = register_action("login_deactivate", _("login deactivated"))
