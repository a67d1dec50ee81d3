"""Quarantine's writes, and the one writer of the gate's quarantine flags.

``Household.quarantine_until`` and ``Resident.quarantine_until`` are what the gate reads
on its hot path. They are derived here from the ``Quarantine`` rows (``flags_sync``) and
written nowhere else: the registry's forms, its API and the admin show them read-only,
and the Excel import starts and ends quarantines through ``quarantine_start`` /
``quarantine_end``. Each change of a flag bumps the gate version of the households
concerned (``gate_households_changed``) in the same transaction and sends
``quarantine_changed``.

- a resident's flag: the latest planned end of their quarantines not ended early;
- a household's flag: the latest planned end of its members' home quarantines that
  confine the household (the default; the secretary may say a quarantine does not).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds import access, events
from compounds.access import Level
from compounds.models import BranchMember, Compound
from compounds.services import audit_record
from compounds.text import check_text_fields
from residents import rules
from residents.errors import ResidentError
from residents.models import FeverAlert, Household, Resident
from residents.quarantine import audit
from residents.quarantine.errors import Code
from residents.quarantine.models import (
    DEFAULT_DAYS,
    CloseContact,
    NamedContact,
    Quarantine,
    QuarantineCheck,
    QuarantineEndChange,
)
from residents.selectors import health_rules_for
from residents.services import fever_alert_raise, gate_households_changed
from residents.validators import body_temperature

# --- the gate's flags: one writer --------------------------------------------------------


def _latest(rows: Iterable[tuple[int, date | None]]) -> dict[int, date]:
    return {pk: until for pk, until in rows if until is not None}


def flags_sync(*, compound_id: int, household_ids: Iterable[int], actor: Any = None) -> int:
    """Recompute the quarantine flags of these households and their members from the
    quarantine rows, inside the caller's transaction; how many flags changed. Bumps the
    gate version of these households and tells ``quarantine_changed`` for each flag that
    moved."""
    ids = sorted(set(household_ids))
    if not ids:
        return 0
    live = Quarantine.objects.filter(household_id__in=ids, ended_on__isnull=True)
    per_resident = _latest(
        live.values("resident_id")
        .annotate(until=Max("ends_on"))
        .values_list("resident_id", "until")
    )
    per_household = _latest(
        live.filter(kind=Quarantine.Kind.HOME, confines_household=True)
        .values("household_id")
        .annotate(until=Max("ends_on"))
        .values_list("household_id", "until")
    )
    households = {
        h.pk: h
        for h in Household.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    }
    residents = list(
        Resident.objects.filter(
            Q(household_id__in=ids) & (Q(quarantine_until__isnull=False) | Q(pk__in=per_resident))
        ).select_related("household")
    )
    by_value: dict[date | None, list[int]] = defaultdict(list)
    told: list[tuple[Household, Resident | None, date | None, date | None]] = []
    for r in residents:
        new = per_resident.get(r.pk)
        if r.quarantine_until != new:
            by_value[new].append(r.pk)
            told.append((r.household, r, r.quarantine_until, new))
    for value, pks in by_value.items():
        Resident.objects.filter(pk__in=pks).update(quarantine_until=value)
    by_value = defaultdict(list)
    for pk, h in households.items():
        new = per_household.get(pk)
        if h.quarantine_until != new:
            by_value[new].append(pk)
            told.append((h, None, h.quarantine_until, new))
    for value, pks in by_value.items():
        Household.objects.filter(pk__in=pks).update(quarantine_until=value)
    # Every start, end and change moves the households' gate version, whether or not a
    # flag moved: a phone offline refreshes them, as the gate's contract asks.
    gate_households_changed(compound_id, ids)
    for household, resident, before, after in told:
        events.send(
            events.quarantine_changed,
            sender=Resident if resident is not None else Household,
            household=household,
            resident=resident,
            before=before,
            after=after,
            actor=actor,
        )
    return len(told)


# --- checks ahead of time ----------------------------------------------------------------


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _checks_ahead(quarantine: Quarantine, first: date, last: date) -> None:
    QuarantineCheck.objects.bulk_create(
        [
            QuarantineCheck(quarantine=quarantine, compound_id=quarantine.compound_id, day=day)
            for day in _days(first, last)
        ],
        ignore_conflicts=True,
    )


def _drop_unrecorded_after(quarantine: Quarantine, last: date) -> None:
    QuarantineCheck.objects.filter(
        quarantine=quarantine, day__gt=last, checked_at__isnull=True
    ).delete()


# --- start, change, end ------------------------------------------------------------------


def _require_manage(actor: Any, compound_id: int) -> None:
    if access.level_for(actor, compound_id) < Level.MANAGE:
        raise ResidentError(
            _("Only the branch secretary or the community officer may do this."), Code.FORBIDDEN
        )


def _reason_text(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ResidentError(
            _("Say why the end date changes."), Code.REASON_REQUIRED, field="reason"
        )
    return reason


def check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ResidentError(
            _("A quarantine cannot end before it starts."), Code.ENDS_BEFORE_START, field="ends_on"
        )


def _check_site(kind: str, site: Compound | None, site_name: str) -> None:
    if kind != Quarantine.Kind.CENTRAL:
        return
    if site is None and not site_name:
        raise ResidentError(
            _("Name the central site (a registered site or its name)."),
            Code.SITE_REQUIRED,
            field="site",
        )
    if site is not None and site.kind != Compound.Kind.SITE:
        raise ResidentError(
            _("%(name)s is not a central site.") % {"name": site.name},
            Code.SITE_NOT_A_SITE,
            field="site",
        )


@transaction.atomic
def quarantine_start(
    *,
    resident: Resident,
    actor: Any,
    reason: str,
    kind: str = Quarantine.Kind.HOME,
    site: Compound | None = None,
    site_name: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    confines_household: bool = True,
    note: str = "",
    check_actor: bool = True,
) -> Quarantine:
    """Start a quarantine (14 days by default), its daily check rows, and the flags."""
    resident = Resident.objects.select_related("household").order_by().get(pk=resident.pk)
    household = resident.household
    if check_actor:
        _require_manage(actor, household.compound_id)
    if resident.erased or resident.moved_out:
        raise ResidentError(
            _("%(name)s is no longer registered here.") % {"name": resident.name},
            Code.MOVED_OUT,
        )
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or starts_on + timedelta(days=DEFAULT_DAYS)
    check_dates(starts_on, ends_on)
    _check_site(kind, site, site_name.strip())
    # The household's lock: two secretaries starting one person's quarantine queue here.
    list(Household.objects.select_for_update(of=("self",)).filter(pk=household.pk).values("pk"))
    overlapping = Quarantine.objects.filter(
        resident=resident, ended_on__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise ResidentError(
            _("%(name)s is already in quarantine for these days.") % {"name": resident.name},
            Code.ALREADY,
        )
    quarantine = Quarantine(
        compound_id=household.compound_id,
        household=household,
        resident=resident,
        reason=reason,
        kind=kind,
        site=site if kind == Quarantine.Kind.CENTRAL else None,
        site_name=site_name.strip() if kind == Quarantine.Kind.CENTRAL else "",
        starts_on=starts_on,
        ends_on=ends_on,
        confines_household=confines_household and kind == Quarantine.Kind.HOME,
        note=note or "",
        created_by=actor,
    )
    check_text_fields(quarantine, error=ResidentError)
    try:
        quarantine.full_clean(exclude=["created_by"])
    except Exception as error:  # a choice or a length: Django's words
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise rules.refusal(error) from error
        raise
    quarantine.save()
    _checks_ahead(quarantine, starts_on, ends_on)
    flags_sync(compound_id=household.compound_id, household_ids=[household.pk], actor=actor)
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action=audit.QUARANTINE_START,
        obj=quarantine,
        changes={
            "resident": resident.name,
            "reason": reason,
            "kind": kind,
            "site": quarantine.site_label,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "confines_household": quarantine.confines_household,
        },
    )
    return quarantine


def _locked(quarantine: Quarantine) -> Quarantine:
    locked = Quarantine.objects.select_for_update(of=("self",)).order_by().get(pk=quarantine.pk)
    if locked.ended_on is not None:
        raise ResidentError(_("This quarantine has ended."), Code.ENDED)
    return locked


@transaction.atomic
def quarantine_end_change(
    *, quarantine: Quarantine, actor: Any, ends_on: date, reason: str
) -> Quarantine:
    """Move the planned end; the old date and the reason stay (``QuarantineEndChange``)."""
    _require_manage(actor, quarantine.compound_id)
    reason = _reason_text(reason)
    quarantine = _locked(quarantine)
    check_dates(quarantine.starts_on, ends_on)
    if ends_on == quarantine.ends_on:
        return quarantine
    change = QuarantineEndChange(
        quarantine=quarantine, before=quarantine.ends_on, after=ends_on, reason=reason, actor=actor
    )
    check_text_fields(change, error=ResidentError)
    change.save()
    before = quarantine.ends_on
    quarantine.ends_on = ends_on
    quarantine.save(update_fields=["ends_on"])
    if ends_on > before:
        _checks_ahead(quarantine, before + timedelta(days=1), ends_on)
    else:
        _drop_unrecorded_after(quarantine, ends_on)
    flags_sync(
        compound_id=quarantine.compound_id, household_ids=[quarantine.household_id], actor=actor
    )
    audit_record(
        compound=quarantine.compound_id,
        actor=actor,
        action=audit.QUARANTINE_END_CHANGE,
        obj=quarantine,
        changes={"ends_on": [before.isoformat(), ends_on.isoformat()], "reason": reason},
    )
    return quarantine


@transaction.atomic
def quarantine_end(
    *,
    quarantine: Quarantine,
    actor: Any,
    reason: str,
    on: date | None = None,
    check_actor: bool = True,
) -> Quarantine:
    """End a quarantine now (lifted, or moved to a hospital): the flags follow."""
    if check_actor:
        _require_manage(actor, quarantine.compound_id)
    reason = (reason or "").strip()
    if not reason:
        raise ResidentError(_("Say why the quarantine ends."), Code.REASON_REQUIRED, field="reason")
    quarantine = _locked(quarantine)
    on = on or timezone.localdate()
    if on < quarantine.starts_on:
        raise ResidentError(
            _("A quarantine cannot end before it starts."), Code.ENDS_BEFORE_START, field="on"
        )
    quarantine.ended_on = on
    quarantine.save(update_fields=["ended_on"])
    _drop_unrecorded_after(quarantine, on)
    flags_sync(
        compound_id=quarantine.compound_id, household_ids=[quarantine.household_id], actor=actor
    )
    audit_record(
        compound=quarantine.compound_id,
        actor=actor,
        action=audit.QUARANTINE_END,
        obj=quarantine,
        changes={"ended_on": on.isoformat(), "reason": reason[:200]},
    )
    return quarantine


@transaction.atomic
def quarantine_confinement_set(
    *, quarantine: Quarantine, actor: Any, confines_household: bool
) -> Quarantine:
    """The secretary says whether a member's home quarantine confines the household."""
    _require_manage(actor, quarantine.compound_id)
    quarantine = _locked(quarantine)
    if (
        quarantine.kind != Quarantine.Kind.HOME
        or quarantine.confines_household == confines_household
    ):
        return quarantine
    quarantine.confines_household = confines_household
    quarantine.save(update_fields=["confines_household"])
    flags_sync(
        compound_id=quarantine.compound_id, household_ids=[quarantine.household_id], actor=actor
    )
    audit_record(
        compound=quarantine.compound_id,
        actor=actor,
        action=audit.QUARANTINE_CONFINEMENT,
        obj=quarantine,
        changes={"confines_household": [not confines_household, confines_household]},
    )
    return quarantine


# --- daily checks --------------------------------------------------------------------------


@transaction.atomic
def quarantine_check_record(
    *,
    check: QuarantineCheck,
    actor: Any,
    temperature: Decimal | None,
    symptoms: bool = False,
    method: str = QuarantineCheck.Method.DOOR,
    note: str = "",
) -> QuarantineCheck:
    """Record a day's check; a reading at or over the fever line raises the one fever
    alert (source ``quarantine_check``), on the same list as the gate's."""
    check = (
        QuarantineCheck.objects.select_for_update(of=("self",))
        .select_related("quarantine__resident__household", "quarantine__compound")
        .order_by()
        .get(pk=check.pk)
    )
    quarantine = check.quarantine
    today = timezone.localdate()
    if check.day > today or (quarantine.ended_on is not None and check.day > quarantine.ended_on):
        raise ResidentError(
            _("This day's check cannot be recorded: the day is not inside the quarantine yet."),
            Code.CHECK_OUTSIDE,
        )
    reading = body_temperature(temperature) if temperature is not None else None
    check.temperature = reading
    check.symptoms = bool(symptoms)
    check.method = method
    check.note = note or ""
    check.checked_at = timezone.now()
    check.checked_by = actor
    check_text_fields(check, error=ResidentError)
    compound = quarantine.compound
    if reading is not None and reading >= health_rules_for(compound).fever_line:
        check.fever_alert = fever_alert_raise(
            compound=compound,
            source=FeverAlert.Source.QUARANTINE_CHECK,
            temperature=reading,
            actor=actor,
            household=quarantine.resident.household,
            resident=quarantine.resident,
        )
    check.save()
    audit_record(
        compound=check.compound_id,
        actor=actor,
        action=audit.QUARANTINE_CHECK,
        obj=quarantine,
        changes={
            "day": check.day.isoformat(),
            "temperature": str(reading) if reading is not None else None,
            "symptoms": check.symptoms,
            "method": method,
        },
    )
    return check


# --- close contacts ------------------------------------------------------------------------


@transaction.atomic
def close_contact_add(
    *,
    case: Resident,
    actor: Any,
    name: str,
    last_contact_on: date,
    contact: Resident | None = None,
    phone: str = "",
    note: str = "",
) -> CloseContact:
    compound_id = case.household.compound_id
    _require_manage(actor, compound_id)
    if last_contact_on > timezone.localdate():
        raise ResidentError(
            _("The date of last contact cannot be in the future."),
            Code.CONTACT_FUTURE,
            field="last_contact_on",
        )
    if contact is not None and contact.household.compound_id != compound_id:
        contact = None  # another compound's resident is named, not linked
    row = CloseContact(
        compound_id=compound_id,
        case=case,
        contact=contact,
        name=(name or (contact.name if contact else "")).strip(),
        phone=(phone or "").strip(),
        last_contact_on=last_contact_on,
        note=note or "",
    )
    check_text_fields(row, error=ResidentError)
    if not row.name:
        raise ResidentError(_("Enter the contact's name."), "required", field="name")
    row.save()
    audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.CLOSE_CONTACT_ADD,
        obj=row,
        changes={
            "case": case.name,
            "name": row.name,
            "last_contact_on": last_contact_on.isoformat(),
        },
    )
    return row


@transaction.atomic
def close_contact_state_set(*, contact: CloseContact, actor: Any, state: str) -> CloseContact:
    _require_manage(actor, contact.compound_id)
    if state not in CloseContact.State.values:
        raise ResidentError(_("Choose a tracing state."), "invalid", field="state")
    contact = CloseContact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    before = contact.state
    contact.state = state
    contact.save(update_fields=["state"])
    audit_record(
        compound=contact.compound_id,
        actor=actor,
        action=audit.CLOSE_CONTACT_STATE,
        obj=contact,
        changes={"state": [before, state]},
    )
    return contact


@transaction.atomic
def close_contact_quarantine(*, contact: CloseContact, actor: Any) -> Quarantine:
    """One action: the contact's home quarantine, 14 days from the last contact (or from
    today if that is already past), and the tracing state."""
    contact = (
        CloseContact.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=contact.pk)
    )
    if contact.contact is None:
        raise ResidentError(
            _("This contact is not registered in the compound: register them first."),
            Code.CONTACT_NOT_REGISTERED,
        )
    today = timezone.localdate()
    ends_on = max(contact.last_contact_on + timedelta(days=DEFAULT_DAYS), today)
    quarantine = quarantine_start(
        resident=contact.contact,
        actor=actor,
        reason=Quarantine.Reason.CLOSE_CONTACT,
        starts_on=today,
        ends_on=ends_on,
    )
    contact.quarantine = quarantine
    contact.state = CloseContact.State.QUARANTINED
    contact.save(update_fields=["quarantine", "state"])
    return quarantine


# --- the one named contact ---------------------------------------------------------------


@transaction.atomic
def named_contact_set(
    *, resident: Resident, actor: Any, member: BranchMember | None
) -> NamedContact | None:
    """The one branch member a vulnerable resident calls (单线联系); None clears it."""
    compound_id = resident.household.compound_id
    _require_manage(actor, compound_id)
    current = NamedContact.objects.select_for_update(of=("self",)).filter(resident=resident).first()
    before = current.member.name if current else None
    if member is None:
        if current is not None:
            current.delete()
            audit_record(
                compound=compound_id,
                actor=actor,
                action=audit.NAMED_CONTACT_SET,
                obj=resident,
                changes={"named_contact": [before, None]},
            )
        return None
    if member.branch.compound_id != compound_id:
        raise ResidentError(
            _("Choose a member of this compound's branch."), Code.NAMED_OTHER_BRANCH, field="member"
        )
    if not resident.vulnerable:
        raise ResidentError(
            _("A named contact is for a vulnerable resident (elderly alone, ill, disabled...)."),
            Code.NAMED_NOT_VULNERABLE,
            field="member",
        )
    row, _created = NamedContact.objects.update_or_create(
        resident=resident, defaults={"member": member}
    )
    audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.NAMED_CONTACT_SET,
        obj=resident,
        changes={"named_contact": [before, member.name]},
    )
    return row


def quarantine_set_until(
    *, resident: Resident, actor: Any, until: date | None, reason: str
) -> Quarantine | None:
    """Bring a resident's quarantine to end on ``until`` (None: not in quarantine), as an
    Excel import says: start one, move the end of the open one, or end it now."""
    today = timezone.localdate()
    current = (
        Quarantine.objects.filter(resident=resident, ended_on__isnull=True)
        .order_by("-ends_on")
        .first()
    )
    if until is None:
        if current is None or current.ends_on < today:
            return None
        return quarantine_end(
            quarantine=current, actor=actor, reason=reason, on=max(today, current.starts_on)
        )
    if current is not None and current.ends_on >= min(today, until):
        if current.ends_on == until:
            return current
        return quarantine_end_change(quarantine=current, actor=actor, ends_on=until, reason=reason)
    starts_on = today if until >= today else until - timedelta(days=DEFAULT_DAYS)
    return quarantine_start(
        resident=resident,
        actor=actor,
        reason=Quarantine.Reason.RETURNEE if resident.returnee else Quarantine.Reason.OTHER,
        starts_on=starts_on,
        ends_on=until,
    )
