"""Applying a read file to the compound: what is registered, the checks that need it, and
the bulk write (one transaction, audit rows included)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.models import AuditEntry, Building, Compound, Unit
from compounds.services import audit_bulk, audit_entry, diff, snapshot
from residents import audit as registry_audit
from residents import rules
from residents.errors import Code, ResidentError
from residents.excel.columns import (
    RESIDENT_KEYS,
    HouseholdKey,
    ResidentKey,
    address_of,
    household_key,
)
from residents.excel.reading import ImportIssue, ImportResult, Plan, merge, read_file
from residents.models import Household, Resident

BATCH_SIZE = 500
HOUSEHOLD_AUDIT_FIELDS = ["address", "contact_phone"]


class QuarantineRefused(Exception):
    """A row's quarantine was refused: the import writes nothing (see ``result.errors``)."""


@dataclass
class Existing:
    buildings: dict[str, Building]
    units: dict[tuple[str, str], Unit]
    households: dict[HouseholdKey, Household]
    residents: dict[ResidentKey, Resident]


def load(compound: Compound) -> Existing:
    buildings = {b.number: b for b in Building.objects.filter(compound=compound)}
    units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(building__compound=compound).select_related("building")
    }
    households = {
        household_key(h): h
        for h in Household.objects.filter(compound=compound).select_related("building", "unit")
    }
    by_pk = {h.pk: h for h in households.values()}
    residents: dict[ResidentKey, Resident] = {}
    for r in Resident.objects.filter(household__compound=compound).order_by("pk"):
        r.household = by_pk[r.household_id]
        residents[(household_key(r.household), r.name)] = r
    return Existing(buildings, units, households, residents)


def check_id_numbers(
    plan: Plan, existing: Existing, header: str, issues: list[ImportIssue]
) -> None:
    """One person lives in one household: no ID number twice in the compound once the
    file is applied (the file's values replace those of the residents it matches)."""
    owner: dict[str, ResidentKey] = {}
    for key, resident in existing.residents.items():
        planned = plan.residents.get(key)
        if planned is None or "id_number" not in planned[1]:
            if resident.id_number:
                owner[resident.id_number] = key
    first_row: dict[str, int] = {}
    for key, (row, values) in plan.residents.items():
        number = values.get("id_number")
        if not number:
            continue
        if number in first_row:
            message = _("This ID card number is already in row %(row)s.") % {
                "row": first_row[number]
            }
            issues.append(ImportIssue(row, header, message, Code.ID_NUMBER_REGISTERED))
        elif number in owner and owner[number] != key:
            household, name = owner[number]
            refusal = rules.id_number_registered(name=name, address=address_of(household))
            issues.append(ImportIssue(row, header, str(refusal.message), refusal.code))
        first_row.setdefault(number, row)


_audit = audit_entry  # the rows audit_record writes, built for one bulk insert


def _created(obj: Any, fields: list[str]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in snapshot(obj, fields).items() if v not in (None, "", False)}


def _ensure_places(compound: Compound, plan: Plan, existing: Existing) -> None:
    new_buildings = sorted({key[0] for key in plan.households} - set(existing.buildings))
    if new_buildings:
        Building.objects.bulk_create([Building(compound=compound, number=n) for n in new_buildings])
        existing.buildings = {b.number: b for b in Building.objects.filter(compound=compound)}
    new_units = sorted(
        {(key[0], key[1]) for key in plan.households if key[1]} - set(existing.units)
    )
    if new_units:
        Unit.objects.bulk_create(
            [Unit(building=existing.buildings[b], number=u) for b, u in new_units]
        )
        existing.units = {
            (u.building.number, u.number): u
            for u in Unit.objects.filter(building__compound=compound).select_related("building")
        }


def _apply_households(
    *, compound: Compound, actor: Any, plan: Plan, existing: Existing, result: ImportResult
) -> list[AuditEntry | None]:
    now = timezone.now()
    new: list[Household] = []
    changed: list[tuple[Household, dict[str, Any]]] = []
    for key, values in plan.households.items():
        household = existing.households.get(key)
        if household is None:
            building = existing.buildings[key[0]]
            unit = existing.units[(key[0], key[1])] if key[1] else None
            household = Household(
                compound=compound,
                building=building,
                unit=unit,
                room=key[2],
                contact_phone=values.get("contact_phone", ""),
            )
            new.append(household)
            existing.households[key] = household
        elif values.get("contact_phone", household.contact_phone) != household.contact_phone:
            before = snapshot(household, HOUSEHOLD_AUDIT_FIELDS)
            household.contact_phone = values["contact_phone"]
            household.updated_at = now
            changed.append((household, diff(before, snapshot(household, HOUSEHOLD_AUDIT_FIELDS))))
    Household.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Household.objects.bulk_update(
        [h for h, _c in changed], ["contact_phone", "updated_at"], batch_size=BATCH_SIZE
    )
    result.households_created, result.households_updated = len(new), len(changed)
    return _import_audit(compound, actor, new, changed, HOUSEHOLD_AUDIT_FIELDS)


def _apply_residents(
    *, compound: Compound, actor: Any, plan: Plan, existing: Existing, result: ImportResult
) -> list[AuditEntry | None]:
    now = timezone.now()
    new: list[Resident] = []
    changed: list[tuple[Resident, dict[str, Any]]] = []
    changed_fields: set[str] = set()
    quarantines: list[tuple[int, ResidentKey, Any]] = []
    for key, (row, values) in plan.residents.items():
        values = dict(values)
        if "quarantine_until" in values:
            quarantines.append((row, key, values.pop("quarantine_until")))
        if not values.get("relation"):
            values.pop("relation", None)  # the model's default (head) or what is registered
        resident = existing.residents.get(key)
        if resident is not None and resident.erased:
            # An export lists erased residents (as 已删除, empty): its row comes back
            # unchanged, and whatever was typed into it must not re-identify them.
            continue
        if resident is None:
            new.append(Resident(household=existing.households[key[0]], **values))
            continue
        fields = list(values)
        before = snapshot(resident, fields)
        for name, value in values.items():
            setattr(resident, name, value)
        changes = diff(before, snapshot(resident, fields))
        if changes:
            resident.updated_at = now
            changed_fields.update(changes)
            changed.append((resident, changes))
    Resident.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if changed:
        Resident.objects.bulk_update(
            [r for r, _c in changed], sorted(changed_fields | {"updated_at"}), batch_size=BATCH_SIZE
        )
    result.residents_created, result.residents_updated = len(new), len(changed)
    for resident in new:
        existing.residents[(household_key(resident.household), resident.name)] = resident
    _apply_quarantines(actor=actor, quarantines=quarantines, existing=existing, result=result)
    resident_fields = ["name", *(k for k in RESIDENT_KEYS if k not in QUARANTINE_KEYS)]
    return _import_audit(compound, actor, new, changed, resident_fields)


QUARANTINE_KEYS = ("quarantine_until",)


def _apply_quarantines(
    *,
    actor: Any,
    quarantines: list[tuple[int, ResidentKey, Any]],
    existing: Existing,
    result: ImportResult,
) -> None:
    """Each row's quarantine date through the quarantine service (one call per row whose
    date differs; an unchanged export round trip calls nothing). A refusal becomes the
    row's issue, and the caller's transaction writes nothing."""
    from residents.quarantine.services import quarantine_set_until

    reason = _("Excel import")
    for row, key, until in quarantines:
        resident = existing.residents.get(key)
        if resident is None or resident.erased or resident.quarantine_until == until:
            continue
        try:
            quarantine_set_until(resident=resident, actor=actor, until=until, reason=reason)
        except ResidentError as error:
            result.errors.append(ImportIssue(row, "", str(error.message), error.code))
    if result.errors:
        raise QuarantineRefused


def _import_audit(
    compound: Compound,
    actor: Any,
    new: Sequence[Model],
    changed: Sequence[tuple[Model, dict[str, Any]]],
    fields: Sequence[str],
) -> list[AuditEntry | None]:
    """One entry per row the import created (its values) or changed (the diff)."""
    created = [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_CREATE,
            obj=obj,
            changes=_created(obj, list(fields)),
        )
        for obj in new
    ]
    return created + [
        _audit(
            compound=compound,
            actor=actor,
            action=registry_audit.IMPORT_UPDATE,
            obj=obj,
            changes=changes,
        )
        for obj, changes in changed
    ]


def apply(
    *, compound: Compound, actor: Any, plan: Plan, existing: Existing, result: ImportResult
) -> None:
    _ensure_places(compound, plan, existing)
    kwargs = {"compound": compound, "actor": actor, "plan": plan, "existing": existing}
    audit = _apply_households(**kwargs, result=result)
    audit += _apply_residents(**kwargs, result=result)
    audit_bulk(audit, batch_size=BATCH_SIZE)


def households_import(*, compound: Compound, file: IO[bytes], actor: Any) -> ImportResult:
    """Read an .xlsx of households and residents into `compound`: everything or nothing."""
    result = ImportResult()
    rows, headers = read_file(file, result, compound_id=compound.pk)
    if result.errors:
        return result
    plan = merge(rows, headers, result.errors)
    existing = load(compound)
    check_id_numbers(plan, existing, headers.get("id_number", ""), result.errors)
    if result.errors:
        result.errors.sort(key=lambda issue: issue.row or 0)
        return result
    try:
        with transaction.atomic():
            apply(compound=compound, actor=actor, plan=plan, existing=existing, result=result)
    except QuarantineRefused:
        result.households_created = result.households_updated = 0
        result.residents_created = result.residents_updated = 0
    return result
