"""The gate's rule, stated once: who may pass, given what is known at that moment.

``decide`` reads no database and writes nothing. The check-in (``services.passage_record``)
and the card preview (``selectors.card_status``) both gather the facts and call it, so
that what the gate shows before a tap is what the tap will decide.

Order of precedence, first match wins:

1. the opening is sealed (any card, known or not);
2. the card is unknown (a card of another compound is unknown too: see ``Reason``);
3. the card is revoked;
4. going out: fever, building sealed, quarantine (household, the resident named, or any
   member when nobody is named), vehicle barred
   at this opening; then a valid work pass lets the resident out off the quota; then the
   quota;
5. coming in: a vehicle unless the opening lets vehicles in (``vehicle_rule`` both).

The phone applies the same rule offline (static/js/gate-rules.js, checked against this
module on one table of cases: tests/checkpoints/gate_cases.json).

A late upload (decided offline, the person has passed) turns any refusal but a fever into
a breach flagged for the secretary: the passage is stored as it happened.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

from django.utils import timezone

from checkpoints.errors import Reason
from checkpoints.models import CompoundRules, Passage
from compounds.models import Opening

# The quota exits of the household in [start, end) (end None: no upper bound), newest
# first. Asked only when the decision gets that far: a refused card costs no query.
QuotaExits = Callable[[datetime, datetime | None], Sequence[datetime]]


class QuotaRules(Protocol):
    """What ``decide`` reads of a compound's rules (``CompoundRules`` has it all)."""

    quota_mode: str
    quota_exits: int
    quota_days: int
    quota_hours: int


@dataclass(frozen=True)
class GateFacts:
    """The opening as it stands. The default is an open gate that lets vehicles both ways."""

    sealed: bool = False
    vehicle_rule: str = Opening.VehicleRule.BOTH

    @classmethod
    def of(cls, opening: Opening) -> "GateFacts":
        return cls(sealed=opening.state == Opening.State.SEALED, vehicle_rule=opening.vehicle_rule)


@dataclass(frozen=True)
class CardFacts:
    """A card of the gate's compound, its household and (if named) the resident passing."""

    revoked: bool = False
    building_sealed: bool = False
    household_quarantine_until: date | None = None
    resident_quarantine_until: date | None = None
    work_pass: bool = False
    # The latest quarantine end among the household's members when nobody was named: a
    # household with someone in quarantine must say who goes out (refused until it does).
    unnamed_quarantine_until: date | None = None

    def quarantined_on(self, day: date) -> bool:
        return any(
            until is not None and until >= day
            for until in (
                self.household_quarantine_until,
                self.resident_quarantine_until,
                self.unnamed_quarantine_until,
            )
        )


@dataclass(frozen=True)
class Verdict:
    reason: str = ""  # "" when allowed
    counts_quota: bool = False
    last_exit_at: datetime | None = None
    next_exit_at: datetime | None = None
    fever: bool = False
    breach: str = ""

    @property
    def allowed(self) -> bool:
        return not self.reason


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def quota_window(rules: QuotaRules, at: datetime) -> tuple[datetime, datetime]:
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


def next_exit_after(rules: QuotaRules, exit_at: datetime) -> datetime:
    if rules.quota_mode == CompoundRules.QuotaMode.ROLLING_HOURS:
        return exit_at + timedelta(hours=rules.quota_hours)
    day = timezone.localtime(exit_at).date()
    return _local_midnight(day + timedelta(days=rules.quota_days))


def _quota(
    rules: QuotaRules, quota_exits: QuotaExits, occurred_at: datetime, late: bool
) -> Verdict:
    start, end = quota_window(rules, occurred_at)
    # Online, nothing after "now" exists yet; a late upload must also look forward, since
    # exits decided after it (but happening later) may now be over the quota.
    times = quota_exits(start, end if late else None)
    before = [t for t in times if t <= occurred_at]
    last = before[0] if before else None
    if len(times) < rules.quota_exits:
        return Verdict(counts_quota=True, last_exit_at=last)
    oldest_blocking = before[rules.quota_exits - 1] if len(before) >= rules.quota_exits else None
    next_at = next_exit_after(rules, oldest_blocking) if oldest_blocking else None
    return Verdict(Reason.QUOTA_USED, True, last, next_at)


def _exit(
    *,
    rules: QuotaRules,
    card: CardFacts,
    gate: GateFacts,
    vehicle: bool,
    fever: bool,
    quota_exits: QuotaExits,
    occurred_at: datetime,
    late: bool,
) -> Verdict:
    if fever:
        return Verdict(Reason.FEVER)
    if card.building_sealed:
        return Verdict(Reason.BUILDING_SEALED)
    if card.quarantined_on(timezone.localtime(occurred_at).date()):
        return Verdict(Reason.QUARANTINED)
    if vehicle and gate.vehicle_rule == Opening.VehicleRule.NONE:
        return Verdict(Reason.VEHICLE_BARRED)
    if card.work_pass:
        return Verdict()
    return _quota(rules, quota_exits, occurred_at, late)


def _entry(*, gate: GateFacts, vehicle: bool) -> Verdict:
    # The opening's vehicle rule alone says whether a vehicle comes back in.
    if vehicle and gate.vehicle_rule != Opening.VehicleRule.BOTH:
        return Verdict(Reason.VEHICLE_BARRED)
    return Verdict()


def decide(
    *,
    rules: QuotaRules,
    fever_line: Decimal,
    card: CardFacts | None,
    gate: GateFacts,
    direction: str,
    vehicle: bool,
    temperature: Decimal | None,
    quota_exits: QuotaExits,
    occurred_at: datetime,
    late: bool,
) -> Verdict:
    """The gate's verdict on one passage. ``card`` None: no such card in this compound.
    ``temperature`` None: not measured yet (a preview), so no fever."""
    fever = temperature is not None and temperature >= fever_line
    if gate.sealed:
        verdict = Verdict(Reason.GATE_SEALED)
    elif card is None:
        verdict = Verdict(Reason.CARD_UNKNOWN)
    elif card.revoked:
        verdict = Verdict(Reason.CARD_REVOKED)
    elif direction == Passage.Direction.OUT:
        verdict = _exit(
            rules=rules,
            card=card,
            gate=gate,
            vehicle=vehicle,
            fever=fever,
            quota_exits=quota_exits,
            occurred_at=occurred_at,
            late=late,
        )
    else:
        verdict = _entry(gate=gate, vehicle=vehicle)
    if late and verdict.reason and verdict.reason != Reason.FEVER:
        # The phone decided this offline and the person has passed: store it as it
        # happened and flag the rule it broke for the secretary, never drop or rewrite it.
        counts = verdict.counts_quota or (
            direction == Passage.Direction.OUT and card is not None and not card.work_pass
        )
        return Verdict(
            counts_quota=counts,
            last_exit_at=verdict.last_exit_at,
            next_exit_at=verdict.next_exit_at,
            fever=fever,
            breach=verdict.reason,
        )
    return Verdict(
        verdict.reason,
        verdict.counts_quota and not verdict.reason,
        verdict.last_exit_at,
        verdict.next_exit_at,
        fever,
    )
