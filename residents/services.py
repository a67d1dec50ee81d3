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
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds import access, ratelimit
from compounds.errors import RateLimited
from compounds.models import Building, Compound, Unit
from compounds.services import audit_record, diff, snapshot
from compounds.text import check_text_fields
from residents import audit
from residents.errors import Code, ResidentError
from residents.models import Household, Resident
from residents.selectors import searches_phones
from residents.validators import normalize_id_number

# What a household's audit row tracks: the address stands for building + unit + room.
HOUSEHOLD_AUDIT_FIELDS = ["address", "contact_phone", "note", "quarantine_until"]
HOUSEHOLD_FIELDS = {"building", "unit", "room", "contact_phone", "note", "quarantine_until"}

RESIDENT_FIELDS = [
    "name",
    "sex",
    "birth_year",
    "phone",
    "id_number",
    "relation",
    "party_member",
    "elderly_alone",
    "chronic_illness",
    "disability",
    "pregnant",
    "infant",
    "returnee",
    "returned_from",
    "returned_on",
    "return_transport",
    "quarantine_until",
    "note",
]
OLDEST_BIRTH_YEAR = 1890
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
        errors = error.message_dict
        field, messages = next(iter(errors.items()))
        raise ResidentError(
            messages[0],
            Code.INVALID,
            field=None if field == NON_FIELD_ERRORS else field,
            errors=errors,
        ) from error


def _created(obj: Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """The audit diff of a new row: its non-empty values, from nothing."""
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", False)}


# --- Households --------------------------------------------------------------------


def _check_address(
    *, household: Household, compound_id: int, building: Building, unit: Unit | None
) -> None:
    if building.compound_id != compound_id:
        raise ResidentError(
            _("Building %(number)s belongs to another compound.") % {"number": building.number},
            Code.BUILDING_OTHER_COMPOUND,
            field="building",
        )
    if unit is not None and unit.building_id != building.pk:
        raise ResidentError(
            _("This unit is not in building %(number)s.") % {"number": building.number},
            Code.UNIT_OTHER_BUILDING,
            field="unit",
        )
    same = Household.objects.filter(building=building, unit=unit, room=household.room)
    if household.pk:
        same = same.exclude(pk=household.pk)
    if same.exists():
        raise ResidentError(
            _("Household %(address)s is already registered.") % {"address": household.address},
            Code.HOUSEHOLD_EXISTS,
            field="room",
        )


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
    quarantine_until: Any = None,
) -> Household:
    household = Household(
        compound=compound,
        building=building,
        unit=unit,
        room=(room or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        note=note or "",
        quarantine_until=quarantine_until,
    )
    check_text_fields(household, error=ResidentError)
    _check_address(household=household, compound_id=compound.pk, building=building, unit=unit)
    _full_clean(household)
    household.save()
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.HOUSEHOLD_CREATE,
        obj=household,
        changes=_created(household, HOUSEHOLD_AUDIT_FIELDS),
    )
    return household


@transaction.atomic
def household_update(*, household: Household, actor: Any, **fields: Any) -> Household:
    """Change some of building, unit, room, contact_phone, note, quarantine_until."""
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
    check_text_fields(household, error=ResidentError)
    _check_address(
        household=household,
        compound_id=household.compound_id,
        building=household.building,
        unit=household.unit,
    )
    _full_clean(household)
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
    return household


# --- Residents ---------------------------------------------------------------------


def _normalise_resident(fields: dict[str, Any]) -> None:
    if "id_number" in fields:
        fields["id_number"] = normalize_id_number(fields["id_number"])
    for key in ("name", "phone", "returned_from"):
        if key in fields:
            fields[key] = (fields[key] or "").strip()


def _check_resident(resident: Resident) -> None:
    this_year = timezone.localdate().year
    if resident.birth_year is not None and not (
        OLDEST_BIRTH_YEAR <= resident.birth_year <= this_year
    ):
        raise ResidentError(
            _("The birth year must be between %(first)s and %(last)s.")
            % {"first": OLDEST_BIRTH_YEAR, "last": this_year},
            Code.BIRTH_YEAR_RANGE,
            field="birth_year",
        )
    if resident.returned_on is not None and resident.returned_on > timezone.localdate():
        raise ResidentError(
            _("The return date cannot be in the future."),
            Code.RETURNED_ON_FUTURE,
            field="returned_on",
        )
    others = Resident.objects.filter(household__compound_id=resident.household.compound_id)
    if resident.pk:
        others = others.exclude(pk=resident.pk)
    if others.filter(household=resident.household, name=resident.name).exists():
        raise ResidentError(
            _("%(name)s is already registered in this household.") % {"name": resident.name},
            Code.RESIDENT_EXISTS,
            field="name",
        )
    if resident.id_number:
        # One person lives in one household; the message names the household, never the
        # number, so that it can be shown and logged.
        elsewhere = (
            others.filter(id_number=resident.id_number)
            .select_related("household__building", "household__unit")
            .first()
        )
        if elsewhere is not None:
            raise ResidentError(
                _("This ID card number is already registered for %(name)s in %(address)s.")
                % {"name": elsewhere.name, "address": elsewhere.household.address},
                Code.ID_NUMBER_REGISTERED,
                field="id_number",
            )


@transaction.atomic
def resident_create(*, household: Household, actor: Any, **fields: Any) -> Resident:
    _check_fields(fields, RESIDENT_FIELDS)
    _normalise_resident(fields)
    # Lock the household: two clerks adding the same person queue up here.
    list(Household.objects.select_for_update().filter(pk=household.pk).order_by().values("pk"))
    resident = Resident(household=household, **fields)
    check_text_fields(resident, error=ResidentError)
    _check_resident(resident)
    _full_clean(resident)
    resident.save()
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action=audit.RESIDENT_CREATE,
        obj=resident,
        changes=_created(resident, RESIDENT_FIELDS),
    )
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
    before = snapshot(resident, RESIDENT_FIELDS)
    for key, value in fields.items():
        setattr(resident, key, value)
    check_text_fields(resident, error=ResidentError)
    _check_resident(resident)
    _full_clean(resident)
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
