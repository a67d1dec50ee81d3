"""The gate's writes. ``passage_record`` is the one place an exit is decided."""

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkpoints import codes, gate_sql
from checkpoints.errors import CheckpointConflict, CheckpointError, Reason, reason_message
from checkpoints.models import (
    CompoundRules,
    Passage,
    PassCard,
    RefusedUpload,
    WorkPass,
)
from compounds import events, ratelimit
from compounds.models import AuditEntry, Compound, Opening
from compounds.services import audit_record
from compounds.text import check_text_fields, replace_refused
from residents.models import FeverAlert, Household, Resident
from residents.services import fever_alert_raise, health_rules_update
from residents.validators import body_temperature

logger = logging.getLogger("bastion.gate")

# A device clock may run a little ahead of the server's; more than this is an error.
CLOCK_SKEW = timedelta(minutes=5)
# Refusals of the upload itself rather than of the person at the gate: logged apart.
LOGGED_REFUSALS = frozenset({"recorded_too_old", "recorded_in_future", "client_id_conflict"})
# What a refused upload keeps of the request: the check-in's own fields, each cut short.
REFUSED_BODY_FIELDS = (
    "gate",
    "card",
    "direction",
    "temperature",
    "resident",
    "client_id",
    "recorded_at",
    "vehicle",
)
REFUSED_VALUE_MAX_CHARS = 64


@dataclass(frozen=True)
class Decision:
    passage: Passage
    created: bool

    @property
    def message(self) -> str:
        p = self.passage
        return reason_message(
            p.reason or None,
            last_exit_at=p.last_exit_at,
            next_exit_at=p.next_exit_at,
            temperature=p.temperature,
            fever=p.fever,
        )


def rules_for(compound: Compound) -> CompoundRules:
    """The compound's rules, or the defaults (1 outing / 2 days, 37.3 °C) if never set."""
    try:
        return compound.rules
    except CompoundRules.DoesNotExist:
        return CompoundRules(compound=compound)


def _local_midnight(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def quota_window(rules: CompoundRules, at: datetime) -> tuple[datetime, datetime]:
    """[start, end) around ``at``: another quota exit inside it conflicts with one at ``at``.

    Calendar days (the default): 1 per 2 days means an exit on 13 Feb blocks the 13th
    and 14th, and the next is allowed from 00:00 on the 15th, Asia/Shanghai.
    """
    if rules.quota_mode == CompoundRules.QuotaMode.ROLLING_HOURS:
        span = timedelta(hours=rules.quota_hours)
        return at - span + timedelta(microseconds=1), at + span
    day = timezone.localtime(at).date()
    start = _local_midnight(day - timedelta(days=rules.quota_days - 1))
    end = _local_midnight(day + timedelta(days=rules.quota_days))
    return start, end


def next_exit_after(rules: CompoundRules, exit_at: datetime) -> datetime:
    if rules.quota_mode == CompoundRules.QuotaMode.ROLLING_HOURS:
        return exit_at + timedelta(hours=rules.quota_hours)
    day = timezone.localtime(exit_at).date()
    return _local_midnight(day + timedelta(days=rules.quota_days))


def card_lookup(code: str) -> tuple[str, str] | None:
    normalized = codes.normalize(code)
    if not normalized:
        return None
    return ("number" if codes.is_number(normalized) else "secret"), normalized


def find_card(code: str) -> PassCard | None:
    """A card by its QR secret or its printed number, with its household."""
    lookup = card_lookup(code)
    if lookup is None:
        return None
    field, value = lookup
    qs = PassCard.objects.select_related("household__building", "household__unit")
    rows = list(qs.filter(**{field: value}).order_by()[:1])
    return rows[0] if rows else None


def _card_for_checkin(code: str) -> PassCard | None:
    """The card for a check-in, holding a lock on its household until the decision is
    written: the quota is counted per household, and a reissued card must queue behind a
    scan of the old one."""
    lookup = card_lookup(code)
    if lookup is None:
        return None
    field, value = lookup
    return gate_sql.card_by_code(field=field, value=value, lock=True)


def _validate_temperature(temperature: Decimal) -> Decimal:
    return body_temperature(temperature, error=CheckpointError)


def _exit_decision(
    *,
    rules: CompoundRules,
    household: Household,
    resident: Resident | None,
    work_pass: bool,
    opening: Opening,
    vehicle: bool,
    temperature: Decimal,
    occurred_at: datetime,
    late: bool,
) -> tuple[str, bool, datetime | None, datetime | None]:
    """(reason or "", counts_quota, last_exit_at, next_exit_at) for an exit."""
    today = timezone.localtime(occurred_at).date()
    if temperature >= rules.fever_line:
        return Reason.FEVER, False, None, None
    if household.building.sealed:
        return Reason.BUILDING_SEALED, False, None, None
    if (household.quarantine_until and household.quarantine_until >= today) or (
        resident and resident.quarantine_until and resident.quarantine_until >= today
    ):
        return Reason.QUARANTINED, False, None, None
    if vehicle and opening.vehicle_rule == Opening.VehicleRule.NONE:
        return Reason.VEHICLE_BARRED, False, None, None
    if work_pass:
        return "", False, None, None
    start, end = quota_window(rules, occurred_at)
    # Online, nothing after "now" exists yet; a late upload must also look forward, since
    # exits decided after it (but happening later) may now be over the quota.
    times = gate_sql.quota_exit_times(
        household_id=household.pk, start=start, end=end if late else None
    )
    before = [t for t in times if t <= occurred_at]
    if len(times) >= rules.quota_exits:
        last = before[0] if before else None
        oldest_blocking = (
            before[rules.quota_exits - 1] if len(before) >= rules.quota_exits else None
        )
        next_at = next_exit_after(rules, oldest_blocking) if oldest_blocking else None
        return Reason.QUOTA_USED, True, last, next_at
    return "", True, before[0] if before else None, None


def request_hash(
    *,
    opening_id: int,
    code: str,
    direction: str,
    temperature: Decimal,
    resident_id: int | None,
    vehicle: bool,
    recorded_at: datetime | None,
) -> str:
    """The fingerprint of a check-in as the gate would decide it: a retry of the same
    record has the same one, however the card was typed. Not the card row, which is
    null for an unknown card."""
    canonical = [
        codes.normalize(code),
        opening_id,
        direction,
        str(Decimal(temperature).quantize(Decimal("0.1"))),
        resident_id,
        bool(vehicle),
        recorded_at.astimezone(UTC).isoformat() if recorded_at else None,
    ]
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def _is_replay(first: Passage, *, opening: Opening, actor: Any, fingerprint: str) -> bool:
    # Rows stored before the hash existed carry none: they replay as they always did.
    same_request = first.request_hash == fingerprint or not first.request_hash
    return (
        same_request and first.compound_id == opening.compound_id and first.volunteer_id == actor.pk
    )


def _client_id_conflict() -> CheckpointConflict:
    return CheckpointConflict(
        _(
            "Another record was already sent with this record's id: this one was not "
            "saved. Keep it on the phone and tell the branch."
        ),
        "client_id_conflict",
    )


def passage_record(
    *,
    opening: Opening,
    code: str,
    direction: str,
    temperature: Decimal,
    actor: Any,
    client_id: uuid.UUID,
    resident_id: int | None = None,
    recorded_at: datetime | None = None,
    vehicle: bool = False,
    sent: Mapping[str, Any] | None = None,
) -> Decision:
    """Decide and log one passage at ``opening``. Every decision is written, denials too.

    Runs in one transaction holding a lock on the household, so two gates scanning the
    same card at once are decided one after the other. The same ``client_id`` with the
    same request returns the first decision and writes nothing; with another request it
    is a conflict (409) and the second record is not stored. Uploads refused for their
    device time or a conflicting id go to ``RefusedUpload`` (``sent``: the request body
    as received, for that log), never to the passage log.
    """
    temperature = _validate_temperature(temperature)
    fingerprint = request_hash(
        opening_id=opening.pk,
        code=code,
        direction=direction,
        temperature=temperature,
        resident_id=resident_id,
        vehicle=vehicle,
        recorded_at=recorded_at,
    )
    try:
        return _passage_decide(
            opening=opening,
            code=code,
            direction=direction,
            temperature=temperature,
            actor=actor,
            client_id=client_id,
            resident_id=resident_id,
            recorded_at=recorded_at,
            vehicle=vehicle,
            fingerprint=fingerprint,
        )
    except IntegrityError:
        # The client_id is already stored (a retry, or an offline queue uploading twice):
        # the unique index refused the row and rolled this transaction back whole. Checking
        # first would cost every check-in a query to save work on the rare retry.
        first = Passage.objects.filter(client_id=client_id).first()
        if first is None:
            raise
        refusal: CheckpointError = _client_id_conflict()
    except CheckpointError as error:
        if error.code not in LOGGED_REFUSALS:
            raise
        # A record stored days ago and retried now (its answer was lost) is still a replay.
        first, refusal = Passage.objects.filter(client_id=client_id).first(), error
    if first is not None and _is_replay(
        first, opening=opening, actor=actor, fingerprint=fingerprint
    ):
        return Decision(passage=first, created=False)
    # Written after the refused transaction has rolled back, so that it stays.
    refused_upload_record(
        opening=opening,
        actor=actor,
        code=refusal.code,
        client_id=client_id,
        sent=sent
        or {
            "gate": opening.pk,
            "card": code,
            "direction": direction,
            "temperature": str(temperature),
            "resident": resident_id,
            "recorded_at": recorded_at.isoformat() if recorded_at else None,
            "vehicle": vehicle,
        },
    )
    raise refusal


def _check_device_time(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now + CLOCK_SKEW:
        raise CheckpointError(
            _("The device's clock is ahead of the server's: check the phone's time."),
            "recorded_in_future",
        )
    days = settings.GATE_OFFLINE_MAX_DAYS
    if occurred_at < now - timedelta(days=days):
        raise CheckpointError(
            ngettext(
                "The device's clock is too far behind, or the record is more than %(days)s "
                "day old: check the phone's date and time, and tell the branch about this "
                "passage.",
                "The device's clock is too far behind, or the record is more than %(days)s "
                "days old: check the phone's date and time, and tell the branch about this "
                "passage.",
                days,
            )
            % {"days": days},
            "recorded_too_old",
        )


@transaction.atomic
def _passage_decide(
    *,
    opening: Opening,
    code: str,
    direction: str,
    temperature: Decimal,
    actor: Any,
    client_id: uuid.UUID,
    resident_id: int | None = None,
    recorded_at: datetime | None = None,
    vehicle: bool = False,
    fingerprint: str = "",
) -> Decision:
    now = timezone.now()
    occurred_at = recorded_at or now
    _check_device_time(occurred_at, now)
    late = (now - occurred_at).total_seconds() > settings.LATE_UPLOAD_SECONDS
    compound = opening.compound
    rules = rules_for(compound)

    card = _card_for_checkin(code)
    household = card.household if card else None
    resident: Resident | None = None
    work_pass = False
    reason = ""
    counts_quota = False
    last_exit_at = next_exit_at = None
    fever = temperature >= rules.fever_line

    if card is not None and card.compound_id != opening.compound_id:
        # Stored and answered exactly as an unknown card: see Reason.
        reason, card, household = Reason.CARD_UNKNOWN, None, None
    elif resident_id is not None and household is not None:
        today = timezone.localtime(occurred_at).date()
        resident = (
            Resident.objects.filter(pk=resident_id, household=household)
            .annotate(
                on_duty=Exists(
                    WorkPass.objects.filter(
                        resident=OuterRef("pk"), valid_from__lte=today, valid_to__gte=today
                    )
                )
            )
            .first()
        )
        if resident is None:
            raise CheckpointError(
                _("This resident does not belong to the card's household."),
                "resident_not_in_household",
            )
        work_pass = resident.on_duty  # type: ignore[attr-defined]

    if reason:
        pass
    elif opening.state == Opening.State.SEALED:
        reason = Reason.GATE_SEALED
    elif card is None:
        reason = Reason.CARD_UNKNOWN
    elif card.state == PassCard.State.REVOKED:
        reason = Reason.CARD_REVOKED
    elif direction == Passage.Direction.OUT:
        assert household is not None
        reason, counts_quota, last_exit_at, next_exit_at = _exit_decision(
            rules=rules,
            household=household,
            resident=resident,
            work_pass=work_pass,
            opening=opening,
            vehicle=vehicle,
            temperature=temperature,
            occurred_at=occurred_at,
            late=late,
        )
    elif vehicle and not (
        rules.vehicles_may_return and opening.vehicle_rule == Opening.VehicleRule.BOTH
    ):
        reason = Reason.VEHICLE_BARRED

    breach = ""
    if late and reason and reason != Reason.FEVER:
        # The phone decided this offline and the person has passed: store it as it
        # happened and flag the rule it broke for the secretary, never drop or rewrite it.
        breach, reason = reason, ""
        counts_quota = counts_quota or (
            direction == Passage.Direction.OUT and household is not None and not work_pass
        )
    # The alert first: the passage is append-only and points at it.
    alert = None
    if fever:
        alert = fever_alert_raise(
            compound=compound,
            source=FeverAlert.Source.GATE,
            household=household,
            resident=resident,
            temperature=temperature,
            at=occurred_at,
            actor=actor,
        )
    passage = Passage(
        compound=compound,
        opening=opening,
        card=card,
        household=household,
        resident=resident,
        direction=direction,
        temperature=temperature,
        vehicle=vehicle,
        occurred_at=occurred_at,
        received_at=now,
        volunteer=actor,
        verdict=Passage.Verdict.DENIED if reason else Passage.Verdict.ALLOWED,
        reason=reason,
        counts_quota=counts_quota and not reason,
        fever=fever,
        late=late,
        breach=breach,
        client_id=client_id,
        fever_alert=alert,
        request_hash=fingerprint,
        last_exit_at=last_exit_at,
        next_exit_at=next_exit_at,
    )
    gate_sql.passage_insert(passage)
    # Raw SQL fires no post_save: the service says it.
    events.send(events.passage_recorded, sender=Passage, passage=passage, actor=actor)
    return Decision(passage=passage, created=True)


def _card_for_log(code: str, compound_id: int) -> str:
    """A QR secret never goes into a log as text: this compound's card number for it, or
    a stub. A printed number stays as typed."""
    normalized = codes.normalize(code)
    if not normalized or codes.is_number(normalized):
        return replace_refused(code[:REFUSED_VALUE_MAX_CHARS])
    number = (
        PassCard.objects.filter(compound_id=compound_id, secret=normalized)
        .values_list("number", flat=True)
        .first()
    )
    return number or f"{normalized[:2]}…"


def _body_for_log(sent: Mapping[str, Any], *, compound_id: int) -> dict[str, Any]:
    """The check-in's fields as sent, each cut short: a phone cannot fill the table."""
    body: dict[str, Any] = {}
    for key in REFUSED_BODY_FIELDS:
        if key not in sent:
            continue
        value = sent[key]
        if value is not None and not isinstance(value, bool):
            if not isinstance(value, int | float) or len(str(value)) > REFUSED_VALUE_MAX_CHARS:
                value = replace_refused(str(value)[:REFUSED_VALUE_MAX_CHARS])
        body[key] = value
    if isinstance(body.get("card"), str):
        body["card"] = _card_for_log(body["card"], compound_id)
    if len(sent) > len(body):
        body["other_fields"] = len(sent) - len(body)
    return body


def refused_upload_record(
    *,
    opening: Opening,
    actor: Any,
    code: str,
    client_id: uuid.UUID | None,
    sent: Mapping[str, Any],
) -> RefusedUpload | None:
    """Log an upload refused outright, for the secretary; None once the volunteer is past
    ``GATE_REFUSED_LOG_PER_HOUR`` (still refused, only not logged)."""
    if not ratelimit.hit(
        "refused-upload", str(actor.pk), limit=settings.GATE_REFUSED_LOG_PER_HOUR, window=3600
    ):
        logger.warning("refused upload %s by user %s not logged: over the rate", code, actor.pk)
        return None
    return RefusedUpload.objects.create(
        compound_id=opening.compound_id,
        opening_id=opening.pk,
        volunteer_id=actor.pk,
        code=code,
        client_id=client_id,
        device_time=replace_refused(str(sent.get("recorded_at") or "")[:REFUSED_VALUE_MAX_CHARS]),
        body=_body_for_log(sent, compound_id=opening.compound_id),
        received_at=timezone.now(),
    )


def new_card_codes(count: int) -> list[tuple[str, str]]:
    """``count`` (number, secret) pairs used by no card yet: one query per draw, not per card."""
    out: list[tuple[str, str]] = []
    for _attempt in range(10):
        drawn = {codes.new_number(): codes.new_secret() for _ in range(count - len(out))}
        taken = set(
            PassCard.objects.filter(
                Q(number__in=list(drawn)) | Q(secret__in=list(drawn.values()))
            ).values_list("number", "secret")
        )
        taken_codes = {c for pair in taken for c in pair}
        out += [(n, s) for n, s in drawn.items() if n not in taken_codes and s not in taken_codes]
        if len(out) >= count:
            return out[:count]
    raise CheckpointError(
        _("Could not draw a free card number; try again."), "card_number_exhausted"
    )


@transaction.atomic
def card_issue(*, household: Household, actor: Any, replace_reason: str = "") -> PassCard:
    """Issue the household's card; an active one is revoked first (``replace_reason``)."""
    # The household's default ordering joins its (nullable) unit, which FOR UPDATE refuses.
    list(Household.objects.select_for_update().filter(pk=household.pk).order_by().values("pk"))
    current = PassCard.objects.filter(household=household, state=PassCard.State.ACTIVE).first()
    if current is not None:
        if not replace_reason:
            raise CheckpointError(
                _("This household already has an active card: reissue it instead."),
                "card_exists",
            )
        card_revoke(card=current, actor=actor, reason=replace_reason)
    ((number, secret),) = new_card_codes(1)
    card = PassCard.objects.create(
        compound_id=household.compound_id,
        household=household,
        number=number,
        secret=secret,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        compound=household.compound_id,
        actor=actor,
        action="card_issue",
        obj=household,
        changes={"card": [current.number if current else None, card.number]},
    )
    return card


@transaction.atomic
def card_revoke(*, card: PassCard, actor: Any, reason: str) -> PassCard:
    if reason not in PassCard.RevokeReason.values:
        raise CheckpointError(_("Choose why the card is revoked."), "revoke_reason_invalid")
    card = PassCard.objects.select_for_update().get(pk=card.pk)
    if card.state == PassCard.State.REVOKED:
        raise CheckpointError(_("This card is already revoked."), "card_already_revoked")
    card.state = PassCard.State.REVOKED
    card.revoked_at = timezone.now()
    card.revoke_reason = reason
    card.save(update_fields=["state", "revoked_at", "revoke_reason"])
    audit_record(
        compound=card.compound_id,
        actor=actor,
        action="card_revoke",
        obj=card.household,
        changes={"card": [card.number, None], "reason": reason},
    )
    return card


@transaction.atomic
def cards_issue_missing(*, compound: Compound, actor: Any) -> int:
    """Issue a card to every household of the compound that has none active, in bulk."""
    households = list(
        Household.objects.select_for_update(of=("self",))
        .filter(compound=compound)
        .exclude(cards__state=PassCard.State.ACTIVE)
        .order_by()
        .select_related("building", "unit")
    )
    issued_by = actor if getattr(actor, "pk", None) else None
    cards = PassCard.objects.bulk_create(
        PassCard(
            compound_id=compound.pk,
            household=household,
            number=number,
            secret=secret,
            issued_by=issued_by,
        )
        for household, (number, secret) in zip(
            households, new_card_codes(len(households)), strict=True
        )
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            compound_id=compound.pk,
            actor=issued_by,
            action="card_issue",
            object_type="household",
            object_id=card.household.pk,
            object_repr=str(card.household)[:200],
            changes={"card": [None, card.number]},
        )
        for card in cards
    )
    return len(cards)


@transaction.atomic
def rules_update(*, compound: Compound, actor: Any, **values: Any) -> CompoundRules:
    from compounds.services import diff, snapshot

    if "fever_line" in values:  # a health rule (residents), set on the same page
        health_rules_update(compound=compound, actor=actor, fever_line=values.pop("fever_line"))
    rules, _created = CompoundRules.objects.get_or_create(compound=compound)
    fields = list(values)
    before = snapshot(rules, fields)
    for key, value in values.items():
        setattr(rules, key, value)
    check_text_fields(rules, error=CheckpointError)
    rules.full_clean()
    rules.save()
    audit_record(
        compound=compound,
        actor=actor,
        action="rules_update",
        obj=rules,
        changes=diff(before, snapshot(rules, fields)),
    )
    return rules


def work_pass_create(
    *,
    resident: Resident,
    actor: Any,
    work_unit: str,
    certificate: str,
    valid_from: Any,
    valid_to: Any,
) -> WorkPass:
    if valid_to < valid_from:
        raise CheckpointError(_("The pass must end on or after its first day."), "workpass_range")
    work_pass = WorkPass(
        resident=resident,
        work_unit=work_unit,
        certificate=certificate,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    check_text_fields(work_pass, error=CheckpointError)
    work_pass.save()
    audit_record(
        compound=resident.household.compound_id,
        actor=actor,
        action="workpass_create",
        obj=resident,
        changes={"work_pass": [None, f"{work_unit} {valid_from}–{valid_to}"]},
    )
    return work_pass
