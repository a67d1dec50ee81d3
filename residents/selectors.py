"""The registry's reads: search, the lists the branch works from, and the audit trail."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, Field, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compounds.audit import action_label
from compounds.masking import mask_personal
from compounds.models import AuditEntry, Building, Compound, Unit
from compounds.ordering import NaturalKey
from compounds.selectors import subquery_count
from residents.addresses import Address, normalize, parse_address
from residents.flags import VULNERABLE_KINDS
from residents.models import FeverAlert, HealthRules, Household, Resident, address_order

_DIGITS = re.compile(r"^[0-9]+$")
PHONE_TAIL_MIN = 4


def health_rules_for(compound: Compound) -> HealthRules:
    """The compound's health rules, or the defaults (fever line 37.3 °C) if never set.
    Loaded with the compound (``select_related("health_rules")``), this costs no query."""
    try:
        return compound.health_rules
    except HealthRules.DoesNotExist:
        return HealthRules(compound=compound)


def open_fever_alerts(*, compound: Compound) -> QuerySet[FeverAlert]:
    """The compound's alerts not yet resolved, newest first, with whom they are about."""
    return (
        FeverAlert.objects.filter(compound=compound)
        .exclude(status=FeverAlert.Status.RESOLVED)
        .select_related("household__building", "household__unit", "resident")
        .order_by("-created_at")
    )


def vulnerable_q(prefix: str = "") -> Q:
    """Elderly alone, chronic illness, disability, pregnant or infant: the one definition."""
    q = Q()
    for kind in VULNERABLE_KINDS:
        q |= Q(**{f"{prefix}{kind}": True})
    return q


def compound_summary(*, compound: Compound) -> dict[str, Any]:
    """The overview's counts: households, residents by kind, buildings and openings."""
    households = Household.objects.filter(compound=compound)
    residents = Resident.objects.filter(household__compound=compound)
    counts = residents.aggregate(
        total=Count("id"),
        party=Count("id", filter=Q(party_member=True)),
        returnees=Count("id", filter=Q(returnee=True)),
        vulnerable=Count("id", filter=vulnerable_q()),
    )
    return {
        "households": households.count(),
        "returnee_households": households.filter(residents__returnee=True).distinct().count(),
        "buildings": compound.buildings.count(),
        "sealed_buildings": list(compound.buildings.filter(sealed=True)),
        "openings": list(compound.openings.all()),
        **{f"residents_{k}": v for k, v in counts.items()},
    }


def households_for(*, compound: Compound) -> QuerySet[Household]:
    """The compound's households with what a list row shows, in one query.

    Counted in subqueries: a join would GROUP BY every household row, the address's sort
    key included, and cost several times as much on a compound of 1,300 households.
    """
    return (
        Household.objects.filter(compound=compound)
        .select_related("building", "unit")
        .annotate(
            residents_count=subquery_count(Resident, "household"),
            returnees_count=subquery_count(Resident, "household", Q(returnee=True)),
            vulnerable_count=subquery_count(Resident, "household", vulnerable_q()),
        )
        .order_by(address_order(), "pk")
    )


def searches_phones(query: str, *, full_phones: bool) -> bool:
    """Whether ``query`` is matched against the end of phone numbers for this viewer.

    A viewer who sees masked phones (``138****5341``) may search only on what they see,
    the last 4 digits: five or more would let them add one digit at a time and read the
    whole number off the hits. Who sees full numbers may search on any tail of 4 or more.
    """
    query = (query or "").strip()
    if not _DIGITS.match(query):
        return False
    return len(query) >= PHONE_TAIL_MIN if full_phones else len(query) == PHONE_TAIL_MIN


def household_phone_q(tail: str) -> Q:
    """Households whose contact phone, or a resident's phone, ends with ``tail``."""
    residents = Resident.objects.filter(
        household=OuterRef("pk"), phone__endswith=tail, erased_at=None
    )
    return Q(contact_phone__endswith=tail) | Q(Exists(residents))


def resident_phone_q(tail: str) -> Q:
    """Residents whose own phone ends with ``tail``."""
    return Q(phone__endswith=tail, erased_at=None)


def household_search(*, compound: Compound, query: str, full_phones: bool) -> QuerySet[Household]:
    """Households matching what a volunteer types in the search box.

    ``20-1702`` or ``20-2-1702``: building (unit) room; ``1702``: a room, or the end of a
    phone number (``searches_phones`` says how much of one ``full_phones`` allows); anything
    else: part of a resident's name. The caller counts and audits the phone searches of
    viewers who see masked phones (``residents.services.phone_search_check``).
    """
    households = households_for(compound=compound)
    query = normalize(query).strip()
    if not query:
        return households
    address = parse_address(query)
    if address is not None:
        where = Q(building__number__iexact=address.building, room__iexact=address.room)
        if address.unit:
            where &= Q(unit__number__iexact=address.unit)
        return households.filter(where)
    # One word: a room (1702, A301), part of a name, or the end of a phone.
    # Erased residents all carry one name: searching for it must not list them.
    named = Resident.objects.filter(household=OuterRef("pk"), name__icontains=query, erased_at=None)
    match = Q(room__iexact=query) | Q(Exists(named))
    if searches_phones(query, full_phones=full_phones):
        match |= household_phone_q(query)
    return households.filter(match)


@dataclass(frozen=True)
class Resolved:
    """Where an address of a paste or a form leads: one household, or why not."""

    household: Household | None
    ambiguous: bool = False


def households_at(*, compound: Compound, addresses: Any) -> dict[Address, Resolved]:
    """Each address resolved to the compound's household, all in one query.

    An address with its unit (20-2-1702) must match the unit. Without one (20-1702), the
    household with no unit at 20-1702 if there is one; else the only 1702 of building 20
    in any unit; several of them are ``ambiguous``; none, ``household`` None.
    """
    wanted = set(addresses)
    if not wanted:
        return {}
    rooms = {a.room for a in wanted} | {a.room.lower() for a in wanted}
    candidates = Household.objects.filter(
        compound=compound,
        building__number__in={a.building for a in wanted} | {a.building.lower() for a in wanted},
        room__in=rooms,
    ).select_related("building", "unit")
    by_place: dict[tuple[str, str], list[Household]] = {}
    for household in candidates:
        key = (household.building.number.upper(), household.room.upper())
        by_place.setdefault(key, []).append(household)
    resolved: dict[Address, Resolved] = {}
    for address in wanted:
        here = by_place.get((address.building, address.room), [])
        if address.unit:
            here = [h for h in here if h.unit is not None and h.unit.number == address.unit]
        else:
            exact = [h for h in here if h.unit is None]
            here = exact or here
        resolved[address] = Resolved(here[0] if len(here) == 1 else None, len(here) > 1)
    return resolved


def building_households(*, building: Building) -> QuerySet[Household]:
    """A building's households, by unit then floor (1702 after 301), with counts."""
    return households_for(compound=building.compound).filter(building=building)


def buildings_with_counts(*, compound: Compound) -> QuerySet[Building]:
    """Each building with its households, residents and units counted; ``sealed`` is on the row.

    Subqueries rather than joins: joining units and residents at once would multiply the counts.
    """
    return (
        Building.objects.filter(compound=compound)
        .annotate(
            households_count=subquery_count(Household, "building"),
            residents_count=subquery_count(Resident, "household__building"),
            units_count=subquery_count(Unit, "building"),
        )
        .order_by(NaturalKey("number"))
    )


def residents_of(compound: Compound) -> QuerySet[Resident]:
    """The compound's residents with their addresses, in address order."""
    return (
        Resident.objects.filter(household__compound=compound)
        .select_related("household__building", "household__unit")
        .order_by(address_order("household__"), "id")
    )


def vulnerable_residents(*, compound: Compound, kind: str | None = None) -> QuerySet[Resident]:
    """Residents who need looking after; ``kind`` (one of VULNERABLE_KINDS) narrows it.
    Residents a door visit found moved out are no longer looked after here."""
    residents = residents_of(compound).filter(moved_out_on__isnull=True)
    if kind in VULNERABLE_KINDS:
        return residents.filter(**{kind: True})
    return residents.filter(vulnerable_q())


def returnees(*, compound: Compound) -> QuerySet[Resident]:
    """Returnees (返乡人员), the latest arrivals first."""
    return (
        residents_of(compound)
        .filter(returnee=True, moved_out_on__isnull=True)
        .order_by("-returned_on", address_order("household__"), "id")
    )


def household_audit(*, household: Household) -> QuerySet[AuditEntry]:
    """Audit rows about the household and its residents, newest first."""
    resident_ids = Resident.objects.filter(household=household).values("pk")
    return (
        AuditEntry.objects.filter(compound_id=household.compound_id)
        .filter(
            Q(object_type="household", object_id=household.pk)
            | Q(object_type="resident", object_id__in=resident_ids)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


# --- The audit trail as a page shows it --------------------------------------------

EXTRA_LABELS = {
    "address": gettext_lazy("address"),
    "card": gettext_lazy("pass card"),
    "reason": gettext_lazy("reason"),
    "work_pass": gettext_lazy("work pass"),
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class AuditLine:
    entry: AuditEntry
    action: str
    changes: list[Change] = field(default_factory=list)


def _label(name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    for model in (Resident, Household):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, Field):
            return str(model_field.verbose_name)
    return name


def _value(name: str, value: Any, *, personal: bool) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if not personal:
        value = mask_personal(name, value)  # the ID number is masked in the trail already
    for model in (Resident, Household):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        choices = model_field.flatchoices if isinstance(model_field, Field) else None
        if choices:
            return str(dict(choices).get(value, value))
    return str(value)


def audit_lines(entries: Any, *, personal: bool) -> list[AuditLine]:
    """Entries with readable labels; phones masked unless ``personal`` (the ID number
    is masked when it is written)."""
    lines = []
    for entry in entries:
        changes = []
        for name, pair in (entry.changes or {}).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            changes.append(
                Change(
                    label=_label(name),
                    old=_value(name, old, personal=personal),
                    new=_value(name, new, personal=personal),
                )
            )
        lines.append(AuditLine(entry=entry, action=action_label(entry.action), changes=changes))
    return lines
