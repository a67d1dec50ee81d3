"""Archived compounds are read-only: one guard for every app's models.

At the end of the emergency the office archives a compound (``bastion.archive``): its
personal data are purged, its figures kept, and nothing of it may change afterwards. The
services of every app write through the ORM, so one ``pre_save``/``pre_delete`` receiver
refuses any row whose compound (by the model's declared ``scope_path``) is archived: a
model another issue adds is covered without an edit. Writes that skip the ORM's signals
(hand-written SQL, ``QuerySet.update``, ``bulk_create``) are not seen here: the gate's
insert checks for itself (``checkpoints.services.passage_record``), and a write to a page
whose URL names an archived compound — the Excel import among them — is refused before
its view runs (``bastion.middleware.ArchivedCompoundMiddleware``). A new service that
writes in bulk outside such a page calls ``check_writable`` itself.

A model may say ``archive_writable = True``: the audit trail (reading an archived
compound's files is still recorded) and capabilities (tokens can still be revoked).
"""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from compounds import access
from compounds.errors import CompoundArchived, CompoundError
from compounds.models import Compound
from compounds.scope import compound_id_of, scope_path

COMPOUND_ARCHIVED = "compound_archived"
ARCHIVE_FORBIDDEN = "archive_forbidden"


def check_may_archive(actor: Any, compound: Compound | int) -> None:
    """Archiving is the community office's decision: officers (and superusers) only."""
    if access.level_for(actor, compound) < access.Level.OFFICER:
        raise CompoundError(
            _("Only the community office may archive a compound."), ARCHIVE_FORBIDDEN
        )


def refusal(name: str) -> CompoundArchived:
    return CompoundArchived(
        _(
            "%(compound)s was archived at the end of the emergency: its data can be read "
            "but no longer changed."
        )
        % {"compound": name},
        COMPOUND_ARCHIVED,
    )


def archived_name(compound_id: int | None) -> str | None:
    """The compound's name if it is archived, else None (one query by primary key)."""
    if compound_id is None:
        return None
    return (
        Compound.objects.filter(pk=compound_id, archived_at__isnull=False)
        .values_list("name", flat=True)
        .first()
    )


def check_writable(compound: Compound | int | None) -> None:
    """Refuse with ``CompoundArchived`` if the compound is archived.

    A ``Compound`` instance is trusted as loaded (the gate loads it fresh with the
    opening); an id costs one query."""
    if isinstance(compound, Compound):
        if compound.archived_at is not None:
            raise refusal(compound.name)
        return
    name = archived_name(compound)
    if name is not None:
        raise refusal(name)


def _loaded_compound(instance: Model, path: str) -> Compound | None:
    """The compound at the end of ``path`` if every hop is already loaded on the
    instance (the gate's fever alert carries its compound): no query needed."""
    target: Any = instance
    for hop in path.split("__"):
        field: Any = target._meta.get_field(hop)
        if not hasattr(field, "is_cached") or not field.is_cached(target):
            return None
        target = getattr(target, hop)
        if target is None:
            return None
    return target if isinstance(target, Compound) else None


def _guard(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or getattr(sender, "archive_writable", False):
        return
    path = scope_path(sender)
    if path is None:
        return
    loaded = _loaded_compound(instance, path) if path != "pk" else None
    check_writable(loaded if loaded is not None else compound_id_of(instance))


def connect() -> None:
    from django.db.models.signals import pre_delete, pre_save

    pre_save.connect(_guard, dispatch_uid="compounds.archived.save")
    pre_delete.connect(_guard, dispatch_uid="compounds.archived.delete")
