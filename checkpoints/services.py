"""The gate's writes. ``passage_record`` is the one place an exit is decided."""

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkpoints import audit as gate_audit
from checkpoints import codes, gate_sql, rules
from checkpoints.errors import (
    DEVICE_REFUSED,
    REASON_LABELS,
    CheckpointConflict,
    CheckpointError,
    reason_message,
)
from checkpoints.models import (
    CompoundRules,
    Passage,
    PassCard,
    RefusedUpload,
    WorkPass,
)
from compounds import archived, capabilities, events, ratelimit
from compounds.models import Compound, Opening
from compounds.services import audit_bulk, audit_entry, audit_record, gate_version_bump
from compounds.text import check_text_fields, replace_refused
from residents.models import FeverAlert, Household, Resident
from residents.services import fever_alert_raise, gate_households_changed, health_rules_update
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
    "decided_on",
    "device_verdict",
    "device_reason",
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


def refuse_capability_link(code: str) -> None:
    """A QR code of another Bastion purpose (a door card's page, a household's own link)
    shown at the gate: refused by name, not as an unknown card, so the volunteer can say
    "this is your door card, show the pass card"."""
    token = codes.capability_token(code)
    purpose = capabilities.purpose_of_token(token) if token else None
    if purpose is not None:
        raise CheckpointError(
            _("This is a %(what)s, not a pass card: scan the household's pass card.")
            % {"what": purpose.label},
            "capability_scanned",
        )


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


def opening_for_gate(*, user: Any, opening_id: int) -> Opening | None:
    """The opening a check-in names, with its compound and rules, if the user may see it.
    The scoping rule in its SQL form (compounds.access.visible_sql): the hot path."""
    return gate_sql.opening_for_gate(user=user, opening_id=opening_id)


def resident_for_passage(*, household: Household, resident_id: int, day: date) -> Resident:
    """The resident named at the gate, with ``on_duty``: a work pass valid on ``day``."""
    resident = (
        Resident.objects.filter(pk=resident_id, household=household)
        .annotate(
            on_duty=Exists(
                WorkPass.objects.filter(
                    resident=OuterRef("pk"), valid_from__lte=day, valid_to__gte=day
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
    return resident


def _members_quarantine_until(household: Household) -> date | None:
    """The latest quarantine end among the household's members (the gate's SQL loads it
    with the card; a query otherwise)."""
    if hasattr(household, "members_quarantine_until"):
        loaded: date | None = household.members_quarantine_until
        return loaded
    ends = Resident.objects.filter(household=household, quarantine_until__isnull=False)
    found: list[date] = [d for d in ends.values_list("quarantine_until", flat=True) if d]
    return max(found, default=None)


def card_facts(
    card: PassCard,
    resident: Resident | None = None,
    *,
    unnamed_exit_on: date | None = None,
) -> rules.CardFacts:
    """What ``rules.decide`` needs of a loaded card (``resident`` from resident_for_passage).
    ``unnamed_exit_on``: an exit with nobody named, so the members' quarantine counts."""
    household = card.household
    unnamed = None
    if resident is None and unnamed_exit_on is not None:
        unnamed = _members_quarantine_until(household)
    return rules.CardFacts(
        revoked=card.state == PassCard.State.REVOKED,
        building_sealed=household.building.sealed,
        household_quarantine_until=household.quarantine_until,
        resident_quarantine_until=resident.quarantine_until if resident else None,
        work_pass=bool(resident and getattr(resident, "on_duty", False)),
        unnamed_quarantine_until=unnamed,
    )


def passage_verdict(
    *,
    compound_rules: CompoundRules,
    gate: rules.GateFacts,
    card: PassCard | None,
    resident: Resident | None,
    direction: str,
    vehicle: bool,
    temperature: Decimal | None,
    occurred_at: datetime,
    late: bool,
) -> rules.Verdict:
    """``rules.decide`` on a card of the gate's compound (None: unknown there), with the
    household's quota exits read from the log. The check-in and the preview both ask it."""

    def quota_exits(start: datetime, end: datetime | None) -> list[datetime]:
        assert card is not None
        return gate_sql.quota_exit_times(household_id=card.household_id, start=start, end=end)

    return rules.decide(
        rules=compound_rules,
        fever_line=compound_rules.fever_line,
        card=card_facts(
            card,
            resident,
            unnamed_exit_on=timezone.localtime(occurred_at).date()
            if direction == Passage.Direction.OUT
            else None,
        )
        if card
        else None,
        gate=gate,
        direction=direction,
        vehicle=vehicle,
        temperature=temperature,
        quota_exits=quota_exits,
        occurred_at=occurred_at,
        late=late,
    )


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
    device_verdict: str = "",
    device_reason: str = "",
) -> Decision:
    """Decide and log one passage at ``opening``. Every decision is written, denials too.

    Runs in one transaction holding a lock on the household, so two gates scanning the
    same card at once are decided one after the other. The same ``client_id`` with the
    same request returns the first decision and writes nothing; with another request it
    is a conflict (409) and the second record is not stored. Uploads refused for their
    device time or a conflicting id go to ``RefusedUpload`` (``sent``: the request body
    as received, for that log), never to the passage log.

    ``device_verdict`` (with ``device_reason`` when denied): the phone decided this passage
    itself (offline, or the server was too slow) and the person acted on it. That verdict
    is stored as what happened; the server's own is kept beside it and a difference is
    flagged as a breach. A refusal on the phone never becomes an allowed exit.
    """
    # The insert is hand-written SQL, which the ORM's archive guard does not see; the
    # opening comes with its compound (``opening_for_gate``), so this costs no query.
    archived.check_writable(opening.compound)
    temperature = _validate_temperature(temperature)
    _check_device_verdict(device_verdict, device_reason)
    refuse_capability_link(code)
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
            device_verdict=device_verdict,
            device_reason=device_reason,
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


def _card_and_resident(
    opening: Opening, code: str, resident_id: int | None, occurred_at: datetime
) -> tuple[PassCard | None, Resident | None]:
    """The card (locked, see _card_for_checkin) if it is of the gate's compound, and the
    resident named, of its household."""
    card = _card_for_checkin(code)
    if card is None or card.compound_id != opening.compound_id:
        return None, None  # another compound's card is stored as an unknown one: see Reason
    if resident_id is None:
        return card, None
    day = timezone.localtime(occurred_at).date()
    return card, resident_for_passage(household=card.household, resident_id=resident_id, day=day)


def _verdict_fields(verdict: rules.Verdict) -> dict[str, Any]:
    return {
        "verdict": Passage.Verdict.ALLOWED if verdict.allowed else Passage.Verdict.DENIED,
        "reason": verdict.reason,
        "counts_quota": verdict.counts_quota,
        "fever": verdict.fever,
        "breach": verdict.breach,
        "last_exit_at": verdict.last_exit_at,
        "next_exit_at": verdict.next_exit_at,
    }


def _check_device_verdict(verdict: str, reason: str) -> None:
    if not verdict:
        return
    if verdict not in Passage.Verdict.values or (
        verdict == Passage.Verdict.DENIED and reason not in REASON_LABELS
    ):
        raise CheckpointError(
            _("The phone's verdict is not one the gate knows."), "device_verdict_invalid"
        )


def _device_verdict_fields(
    server: rules.Verdict,
    *,
    verdict: str,
    reason: str,
    direction: str,
    card: PassCard | None,
    resident: Resident | None,
) -> dict[str, Any]:
    """The phone's verdict as what happened, the server's beside it, a difference flagged.

    An exit the phone allowed uses the household's quota (as it would have online) unless
    the person holds a work pass; one it refused uses nothing, whatever the server thinks.
    """
    allowed = verdict == Passage.Verdict.ALLOWED
    reason = "" if allowed else reason
    if allowed and not server.allowed:
        breach = server.reason
    elif not allowed and server.allowed:
        breach = DEVICE_REFUSED
    elif reason != server.reason:
        breach = server.reason
    else:
        breach = ""
    on_duty = bool(resident is not None and getattr(resident, "on_duty", False))
    return {
        "verdict": verdict,
        "reason": reason,
        "counts_quota": allowed
        and direction == Passage.Direction.OUT
        and card is not None
        and not on_duty,
        "fever": server.fever,
        "breach": breach,
        "last_exit_at": server.last_exit_at,
        "next_exit_at": server.next_exit_at,
        "decided_on": Passage.DecidedOn.DEVICE,
        "server_verdict": Passage.Verdict.ALLOWED if server.allowed else Passage.Verdict.DENIED,
        "server_reason": server.reason,
    }


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
    device_verdict: str = "",
    device_reason: str = "",
    trip: Any = None,
) -> Decision:
    now = timezone.now()
    occurred_at = recorded_at or now
    _check_device_time(occurred_at, now)
    late = (now - occurred_at).total_seconds() > settings.LATE_UPLOAD_SECONDS
    compound = opening.compound
    card, resident = _card_and_resident(opening, code, resident_id, occurred_at)
    household = card.household if card else None
    verdict = passage_verdict(
        compound_rules=rules_for(compound),
        gate=rules.GateFacts.of(opening),
        card=card,
        resident=resident,
        direction=direction,
        vehicle=vehicle,
        temperature=temperature,
        occurred_at=occurred_at,
        # The phone decided: the server's verdict is its own view of the same moment.
        late=late and not device_verdict,
    )
    if device_verdict:
        fields = _device_verdict_fields(
            verdict,
            verdict=device_verdict,
            reason=device_reason,
            direction=direction,
            card=card,
            resident=resident,
        )
    else:
        fields = _verdict_fields(verdict)
    # The alert first: the passage is append-only and points at it.
    alert = None
    if verdict.fever:
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
        late=late,
        client_id=client_id,
        fever_alert=alert,
        request_hash=fingerprint,
        trip=trip,
        **fields,
    )
    gate_sql.passage_insert(passage)
    gate_sql.gate_state_write(passage)  # out since / last exit, in this same transaction
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
        action=gate_audit.CARD_ISSUE,
        obj=household,
        changes={"card": [current.number if current else None, card.number]},
    )
    gate_households_changed(household.compound_id, [household.pk])
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
        action=gate_audit.CARD_REVOKE,
        obj=card.household,
        changes={"card": [card.number, None], "reason": reason},
    )
    gate_households_changed(card.compound_id, [card.household_id])
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
    audit_bulk(
        audit_entry(
            compound=compound,
            actor=issued_by,
            action=gate_audit.CARD_ISSUE,
            obj=card.household,
            changes={"card": [None, card.number]},
        )
        for card in cards
    )
    if cards:
        gate_households_changed(compound.pk, [card.household_id for card in cards])
    return len(cards)


@transaction.atomic
def cards_mark_printed(*, compound: Compound, card_ids: list[int], actor: Any) -> int:
    """Mark these active cards of the compound as printed (the next sheet can leave them out)."""
    cards = list(
        PassCard.objects.select_for_update()
        .filter(compound=compound, pk__in=card_ids, state=PassCard.State.ACTIVE)
        .select_related("household")
    )
    now = timezone.now()
    PassCard.objects.filter(pk__in=[c.pk for c in cards]).update(printed_at=now)
    audit_bulk(
        audit_entry(
            compound=compound,
            actor=actor,
            action=gate_audit.CARDS_PRINTED,
            obj=card.household,
            changes={"card": card.number},
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
        action=gate_audit.RULES_UPDATE,
        obj=rules,
        changes=diff(before, snapshot(rules, fields)),
    )
    gate_version_bump(compound.pk)
    return rules


@transaction.atomic
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
        action=gate_audit.WORKPASS_CREATE,
        obj=resident,
        changes={"work_pass": [None, f"{work_unit} {valid_from}–{valid_to}"]},
    )
    gate_households_changed(resident.household.compound_id, [resident.household_id])
    return work_pass
