"""The registry's writes: households and residents.

Each write runs in one transaction, validates the row with ``full_clean()``, refuses what
the branch's rules forbid with a ``ResidentError`` (nothing is written), and leaves an
audit row with the before/after of the changed fields (``audit_record`` masks the ID
number). A ``ValidationError`` from ``full_clean()`` comes back as a ``ResidentError``
with code ``invalid`` and the per-field messages in ``errors``; text holding a control
character is refused before that with code ``text_control_character`` (``compounds.text``).
"""

import logging
import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds import access, events, ratelimit
from compounds.errors import RateLimited
from compounds.models import AuditEntry, Building, Compound, Unit
from compounds.services import audit_record, diff, gate_version_bump, snapshot
from compounds.text import TEXT_CONTROL_CHARACTER, check_text_fields, validate_text
from residents import audit, rules
from residents.errors import Code, ResidentError
from residents.flags import FLAG_NAMES
from residents.models import (
    ERASED_NAME,
    FeverAction,
    FeverAlert,
    HealthRules,
    Household,
    Resident,
)
from residents.selectors import searches_phones
from residents.validators import body_temperature, normalize_id_number

# What a household's audit row tracks: the address stands for building + unit + room.
# ``quarantine_until`` (household and resident) is not among them: the gate's flags have
# one writer, ``residents.quarantine.services`` (``flags_sync``).
HOUSEHOLD_AUDIT_FIELDS = ["address", "contact_phone", "note"]
HOUSEHOLD_FIELDS = {"building", "unit", "room", "contact_phone", "note"}

RESIDENT_FIELDS = [
    "name",
    "sex",
    "birth_year",
    "phone",
    "id_number",
    "relation",
    *FLAG_NAMES,
    "returned_from",
    "returned_on",
    "return_transport",
    "note",
]
# What the gate's offline snapshot holds (checkpoints.snapshot): a change to one of these
# stamps the household with a new gate_version (quarantine: residents.quarantine.services).
HOUSEHOLD_GATE_FIELDS = {"address"}
RESIDENT_GATE_FIELDS = {"name", "relation", "sex", "birth_year"}
PHONE_SEARCH_WINDOW = 60 * 60  # PHONE_SEARCH_LIMIT counts per hour

logger = logging.getLogger(__name__)


def _check_fields(fields: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ResidentError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            Code.UNKNOWN_FIELD,
        )


def _full_clean(obj: Model, *, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise rules.refusal(error) from error


def _created(obj: Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """The audit diff of a new row: its non-empty values, from nothing."""
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", False)}


def gate_households_changed(compound_id: int, household_ids: Iterable[int]) -> int:
    """Bump the compound's gate version and stamp it on these households (a gate input of
    them or of a member changed), inside the caller's transaction; the new version."""
    version = gate_version_bump(compound_id)
    Household.objects.filter(compound_id=compound_id, pk__in=list(household_ids)).update(
        gate_version=version
    )
    return version


# --- Households --------------------------------------------------------------------


def household_check(household: Household) -> None:
    """Every rule a household must meet to be written; a ``ResidentError`` if one fails.

    Writes nothing: the services call it under their lock, and the admin's form calls it
    to show the refusal beside the field.
    """
    check_text_fields(household, error=ResidentError)
    rules.check_place(
        compound_id=household.compound_id, building=household.building, unit=household.unit
    )
    same = Household.objects.filter(
        building=household.building, unit=household.unit, room=household.room
    )
    if household.pk:
        same = same.exclude(pk=household.pk)
    if same.exists():
        raise rules.household_exists(household.address)
    _full_clean(household)


@transaction.atomic
def household_create(
    *,
    compound: Compound,
    actor: Any,
    building: Building,
    unit: Unit | None,
    room: str,
    contact_phone: str = "",
    note: str = "",
) -> Household:
    household = Household(
        compound=compound,
        building=building,
        unit=unit,
        room=(room or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        note=note or "",
    )
    household_check(household)
    household.save()
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.HOUSEHOLD_CREATE,
        obj=household,
        changes=_created(household, HOUSEHOLD_AUDIT_FIELDS),
    )
    gate_households_changed(compound.pk, [household.pk])
    return household


@transaction.atomic
def household_update(*, household: Household, actor: Any, **fields: Any) -> Household:
    """Change some of building, unit, room, contact_phone, note."""
    _check_fields(fields, HOUSEHOLD_FIELDS)
    # Re-read under a lock: ``before`` is what the database holds, whatever a bound
    # form did to the caller's instance. Only this row is locked: PostgreSQL refuses FOR
    # UPDATE on the nullable side (the unit) of an outer join.
    household = (
        Household.objects.select_for_update(of=("self",))
        .order_by()
        .select_related("building", "unit")
        .get(pk=household.pk)
    )
    before = snapshot(household, HOUSEHOLD_AUDIT_FIELDS)
    if "room" in fields:
        fields["room"] = (fields["room"] or "").strip()
    if "contact_phone" in fields:
        fields["contact_phone"] = (fields["contact_phone"] or "").strip()
    for key, value in fields.items():
        setattr(household, key, value)
    household_check(household)
    changes = diff(before, snapshot(household, HOUSEHOLD_AUDIT_FIELDS))
    if not changes:
        return household
    household.save()
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action=audit.HOUSEHOLD_UPDATE,
        obj=household,
        changes=changes,
    )
    if HOUSEHOLD_GATE_FIELDS & set(changes):
        gate_households_changed(household.compound_id, [household.pk])
    return household


# --- Residents ---------------------------------------------------------------------


def _normalise_resident(fields: dict[str, Any]) -> None:
    if "id_number" in fields:
        fields["id_number"] = normalize_id_number(fields["id_number"])
    for key in ("name", "phone", "returned_from"):
        if key in fields:
            fields[key] = (fields[key] or "").strip()


def resident_check(resident: Resident) -> None:
    """Every rule a resident must meet to be written; a ``ResidentError`` if one fails.

    Writes nothing: the services call it under their lock, and the admin's forms (a
    resident's page and a household's inline rows) call it to show the refusal.
    """
    check_text_fields(resident, error=ResidentError)
    rules.check_birth_year(resident.birth_year)
    rules.check_returned_on(resident.returned_on)
    others = Resident.objects.filter(household__compound_id=resident.household.compound_id)
    if resident.pk:
        others = others.exclude(pk=resident.pk)
    # A household the admin adds along with its residents is not written yet: it has no
    # residents to clash with, and no key for the resident's column until it is saved.
    pending = resident.household.pk is None
    if (
        not pending
        and others.filter(household=resident.household, name=resident.name, erased_at=None).exists()
    ):
        raise rules.resident_exists(resident.name)
    if resident.id_number:
        elsewhere = (
            others.filter(id_number=resident.id_number)
            .select_related("household__building", "household__unit")
            .first()
        )
        if elsewhere is not None:
            raise rules.id_number_registered(
                name=elsewhere.name, address=elsewhere.household.address
            )
    _full_clean(resident, exclude=["household"] if pending else [])


@transaction.atomic
def resident_create(*, household: Household, actor: Any, **fields: Any) -> Resident:
    _check_fields(fields, RESIDENT_FIELDS)
    _normalise_resident(fields)
    # Lock the household: two clerks adding the same person queue up here.
    list(Household.objects.select_for_update().filter(pk=household.pk).order_by().values("pk"))
    resident = Resident(household=household, **fields)
    resident_check(resident)
    resident.save()
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action=audit.RESIDENT_CREATE,
        obj=resident,
        changes=_created(resident, RESIDENT_FIELDS),
    )
    gate_households_changed(household.compound_id, [household.pk])
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, actor: Any, **fields: Any) -> Resident:
    _check_fields(fields, RESIDENT_FIELDS)
    _normalise_resident(fields)
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .order_by()
        .select_related("household__building", "household__unit")
        .get(pk=resident.pk)
    )
    if resident.erased:
        raise ResidentError(
            _("This resident was erased on request and cannot be changed."), Code.RESIDENT_ERASED
        )
    before = snapshot(resident, RESIDENT_FIELDS)
    for key, value in fields.items():
        setattr(resident, key, value)
    resident_check(resident)
    changes = diff(before, snapshot(resident, RESIDENT_FIELDS))
    if not changes:
        return resident
    resident.save()
    audit_record(
        compound=resident.household.compound_id,
        actor=actor,
        action=audit.RESIDENT_UPDATE,
        obj=resident,
        changes=changes,
    )
    if RESIDENT_GATE_FIELDS & set(changes):
        gate_households_changed(resident.household.compound_id, [resident.household_id])
    return resident


@transaction.atomic
def resident_move_out(
    *, resident: Resident, actor: Any, on: date | None = None, note: str = ""
) -> Resident:
    """Mark a resident as moved out (a door visit found them gone). The row stays; the
    gate's snapshot of the household changes, so its version moves."""
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .order_by()
        .select_related("household")
        .get(pk=resident.pk)
    )
    if resident.erased:
        raise ResidentError(
            _("This resident was erased on request and cannot be changed."), Code.RESIDENT_ERASED
        )
    if resident.moved_out_on is not None:
        return resident
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ResidentError(
            _("The moving-out date cannot be in the future."), Code.INVALID, field="moved_out_on"
        )
    resident.moved_out_on = on
    resident.save(update_fields=["moved_out_on", "updated_at"])
    compound_id = resident.household.compound_id
    gate_households_changed(compound_id, [resident.household_id])
    audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.RESIDENT_MOVE_OUT,
        obj=resident,
        changes={"moved_out_on": on.isoformat(), "note": (note or "")[:200]},
    )
    return resident


# What erasure clears: what names the person or says where they have been. The sex, the
# relation, the flags and the dates stay, unnamed, so that the compound's figures still add
# up. The name is not emptied but replaced (a row needs one).
ERASED_FIELDS: dict[str, Any] = {
    "name": ERASED_NAME,
    "phone": "",
    "id_number": "",
    "birth_year": None,
    "note": "",
    "returned_from": "",
}


def _erased_value(value: Any) -> Any:
    return ERASED_NAME if value not in (None, "") else value


def audit_mask_erased(entries: Any, fields: Iterable[str], *, title: bool = True) -> int:
    """Mask ``fields`` in these audit entries, old and new values alike, and (``title``)
    their title, the old name: the trail keeps who did what, when, but no longer about
    whom. Returns how many entries were rewritten. Erasure and the archive's purge."""
    names = set(fields)
    rewritten = []
    for entry in entries.select_for_update().iterator(chunk_size=1000):
        changes = dict(entry.changes or {})
        for key in names & changes.keys():
            value = changes[key]
            changes[key] = (
                [_erased_value(v) for v in value]
                if isinstance(value, list)
                else _erased_value(value)
            )
        entry.changes = changes
        if title:
            entry.object_repr = ERASED_NAME
        rewritten.append(entry)
    AuditEntry.objects.bulk_update(rewritten, ["changes", "object_repr"], batch_size=500)
    return len(rewritten)


def _audit_erase(resident: Resident) -> int:
    entries = AuditEntry.objects.filter(
        object_type=resident._meta.model_name, object_id=resident.pk
    )
    return audit_mask_erased(entries, ERASED_FIELDS)


@transaction.atomic
def resident_erase(*, resident: Resident, actor: Any, reason: str) -> Resident:
    """Anonymise ``resident`` in place at their request (secretary or officer only).

    The row stays, so that passages, visits and ledger entries keep their links; what
    named the person (``ERASED_FIELDS``) is cleared here and in the audit trail, and
    ``erased_at`` is set, after which ``resident_update`` refuses the row. Erasure's own
    entry holds the reason and which fields went, never their old values.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ResidentError(
            _("Say why the resident is erased (for example: at their request)."),
            Code.ERASE_REASON_REQUIRED,
            field="reason",
        )
    try:
        validate_text(reason, multiline=True, label=_("reason"))
    except ValidationError as error:
        raise ResidentError(error.messages[0], TEXT_CONTROL_CHARACTER, field="reason") from None
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .order_by()
        .select_related("household")
        .get(pk=resident.pk)
    )
    compound_id = resident.household.compound_id
    if access.level_for(actor, compound_id) < access.Level.MANAGE:
        raise ResidentError(
            _("Only the branch secretary or the community officer may erase a resident."),
            Code.ERASE_FORBIDDEN,
        )
    if resident.erased:
        raise ResidentError(_("This resident is already erased."), Code.RESIDENT_ERASED)
    for key, value in ERASED_FIELDS.items():
        setattr(resident, key, value)
    resident.erased_at = timezone.now()
    resident.save(update_fields=[*ERASED_FIELDS, "erased_at", "updated_at"])
    # A close-contacts register names the person as typed: that copy goes too.
    from residents.quarantine.models import CloseContact

    CloseContact.objects.filter(contact=resident).update(name=ERASED_NAME, phone="")
    rewritten = _audit_erase(resident)
    audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.RESIDENT_ERASE,
        obj=resident,
        changes={"reason": reason[:200], "cleared": sorted(ERASED_FIELDS), "rewritten": rewritten},
    )
    gate_households_changed(compound_id, [resident.household_id])
    return resident


def phone_search_check(*, actor: Any, compounds: Iterable[Compound], query: str) -> None:
    """Count and audit a search by phone digits in the ``compounds`` where ``actor`` sees
    masked phones; raise ``RateLimited`` (code ``search_rate_limited``) past
    ``PHONE_SEARCH_LIMIT`` an hour. Searches that match no phone for them pass freely.

    The last 4 digits are visible to them anyway; the count and the audit entry (who,
    which compound, when, the digits) let the secretary see a volunteer who works
    through the list by phone, and stop one who scripts it.
    """
    if not searches_phones(query, full_phones=False):
        return
    masked = [c for c in compounds if not access.sees_personal_data(actor, c)]
    if not masked:
        return
    limit = settings.PHONE_SEARCH_LIMIT
    if not ratelimit.hit("phone_search", str(actor.pk), limit=limit, window=PHONE_SEARCH_WINDOW):
        # A logger line, not an audit row: a refused burst would otherwise flood the trail.
        logger.warning("Phone search refused: user %s over %s an hour", actor.pk, limit)
        retry_after = ratelimit.remaining_seconds(PHONE_SEARCH_WINDOW)
        raise RateLimited(
            _(
                "Too many searches by phone digits: at most %(limit)s an hour. Search by "
                "address or name, or try again in %(minutes)s minutes."
            )
            % {"limit": limit, "minutes": math.ceil(retry_after / 60)},
            Code.SEARCH_RATE_LIMITED,
            retry_after=retry_after,
        )
    for compound in masked:
        audit_record(
            compound=compound,
            actor=actor,
            action=audit.PHONE_SEARCH,
            obj=compound,
            changes={"query": query.strip()},
        )


# --- Health: the fever line and fever alerts ----------------------------------------


def health_rules_update(*, compound: Compound, actor: Any, fever_line: Decimal) -> HealthRules:
    """Set the compound's fever line (validated by the field: 36.5–39.0 °C)."""
    with transaction.atomic():
        rules, _created_now = HealthRules.objects.select_for_update().get_or_create(
            compound=compound
        )
        before = snapshot(rules, ["fever_line"])
        rules.fever_line = fever_line
        _full_clean(rules)
        changes = diff(before, snapshot(rules, ["fever_line"]))
        if changes:
            rules.save()
            audit_record(
                compound=compound,
                actor=actor,
                action=audit.HEALTH_RULES_UPDATE,
                obj=rules,
                changes=changes,
            )
            gate_version_bump(compound.pk)  # the fever line is a gate input
    # The compound may carry the rules it was loaded with: give it these.
    compound.health_rules = rules
    return rules


def _check_alert_subject(
    compound: Compound, household: Household | None, resident: Resident | None
) -> None:
    if (household is not None and household.compound_id != compound.pk) or (
        resident is not None and household is not None and resident.household_id != household.pk
    ):
        raise ResidentError(
            _("This household or resident is not of the alert's compound."),
            Code.ALERT_OTHER_COMPOUND,
        )


def fever_alert_raise(
    *,
    compound: Compound,
    source: str,
    temperature: Decimal,
    actor: Any,
    household: Household | None = None,
    resident: Resident | None = None,
    at: datetime | None = None,
) -> FeverAlert:
    """Raise a fever alert about a person (or a household, or someone unknown) in
    ``compound``, from a reading taken at ``source``; sends ``fever_alert_raised``.

    Joins the caller's transaction without a savepoint (the gate calls it on its hot
    path, holding the household's lock); alone, it runs in a transaction of its own."""
    if source not in FeverAlert.Source.values:
        raise ResidentError(_("Say where the reading was taken."), Code.ALERT_SOURCE_INVALID)
    temperature = body_temperature(temperature)
    if household is None and resident is not None:
        household = resident.household
    _check_alert_subject(compound, household, resident)
    with transaction.atomic(savepoint=False):
        alert = FeverAlert.objects.create(
            compound=compound,
            source=source,
            household=household,
            resident=resident,
            temperature=temperature,
            created_at=at or timezone.now(),
        )
        events.send(events.fever_alert_raised, sender=FeverAlert, alert=alert, actor=actor)
        transaction.on_commit(
            lambda: logger.warning(
                "fever alert %s: %s °C (%s, compound %s)",
                alert.pk,
                temperature,
                source,
                compound.pk,
            )
        )
    return alert


def fever_alert_handle(
    *,
    alert: FeverAlert,
    status: str,
    actor: Any,
    note: str = "",
    temperature: Decimal | None = None,
) -> FeverAlert:
    """Record one step of handling: re-measured, reported, sent to hospital, resolved."""
    if status not in FeverAlert.Status.values or status == FeverAlert.Status.OPEN:
        raise ResidentError(_("Choose what was done."), Code.ALERT_STATUS_INVALID)
    if temperature is not None:
        temperature = body_temperature(temperature)
    action = FeverAction(status=status, temperature=temperature, note=note, actor=actor)
    check_text_fields(action, error=ResidentError)
    with transaction.atomic():
        alert = FeverAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == FeverAlert.Status.RESOLVED:
            raise ResidentError(_("This alert is already resolved."), Code.ALERT_RESOLVED)
        action.alert = alert
        action.save()
        alert.status = status
        alert.save(update_fields=["status", "updated_at"])
    return alert
