"""The gate's rule with no database: every reason, their precedence, late uploads."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from checkpoints.errors import Reason
from checkpoints.rules import CardFacts, GateFacts, Verdict, decide, next_exit_after, quota_window

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 14, 10, 0, tzinfo=SH)
TODAY = date(2020, 2, 14)
LINE = Decimal("37.3")


@dataclass(frozen=True)
class Rules:
    quota_mode: str = "calendar_days"
    quota_exits: int = 1
    quota_days: int = 2
    quota_hours: int = 48


def exits(*times: datetime):
    """A household's quota exits as the log would answer: those in [start, end), newest first."""
    asked: list[tuple[datetime, datetime | None]] = []

    def between(start: datetime, end: datetime | None) -> list[datetime]:
        asked.append((start, end))
        found = [t for t in times if t >= start and (end is None or t < end)]
        return sorted(found, reverse=True)

    between.asked = asked  # type: ignore[attr-defined]
    return between


def verdict(**overrides) -> Verdict:
    args = {
        "rules": Rules(),
        "fever_line": LINE,
        "card": CardFacts(),
        "gate": GateFacts(),
        "direction": "out",
        "vehicle": False,
        "temperature": Decimal("36.5"),
        "quota_exits": exits(),
        "occurred_at": NOW,
        "late": False,
    }
    args.update(overrides)
    return decide(**args)


def test_a_first_exit_is_allowed_and_counts_against_the_quota():
    assert verdict() == Verdict(counts_quota=True)


def test_an_entry_is_allowed_and_counts_nothing():
    assert verdict(direction="in") == Verdict()


# Each situation alone, with the reason it gives for an exit.
SITUATIONS = {
    Reason.GATE_SEALED: {"gate": GateFacts(sealed=True)},
    Reason.CARD_UNKNOWN: {"card": None},
    Reason.CARD_REVOKED: {"card": CardFacts(revoked=True)},
    Reason.FEVER: {"temperature": LINE},
    Reason.BUILDING_SEALED: {"card": CardFacts(building_sealed=True)},
    Reason.QUARANTINED: {"card": CardFacts(household_quarantine_until=TODAY)},
    Reason.VEHICLE_BARRED: {"gate": GateFacts(vehicle_rule="none"), "vehicle": True},
    Reason.QUOTA_USED: {"quota_exits": exits(NOW - timedelta(hours=3))},
}


@pytest.mark.parametrize("reason", list(SITUATIONS))
def test_every_reason_refuses_an_exit(reason):
    assert verdict(**SITUATIONS[reason]).reason == reason


def _card(*reasons: str) -> CardFacts:
    card = CardFacts()
    if Reason.CARD_REVOKED in reasons:
        card = replace(card, revoked=True)
    if Reason.BUILDING_SEALED in reasons:
        card = replace(card, building_sealed=True)
    if Reason.QUARANTINED in reasons:
        card = replace(card, household_quarantine_until=TODAY)
    return card


# The order of precedence: the first that applies is the reason given.
PRECEDENCE = [
    Reason.GATE_SEALED,
    Reason.CARD_UNKNOWN,
    Reason.CARD_REVOKED,
    Reason.FEVER,
    Reason.BUILDING_SEALED,
    Reason.QUARANTINED,
    Reason.VEHICLE_BARRED,
    Reason.QUOTA_USED,
]


@pytest.mark.parametrize(
    ("first", "later"),
    [(a, b) for i, a in enumerate(PRECEDENCE) for b in PRECEDENCE[i + 1 :]],
)
def test_the_earlier_reason_wins(first, later):
    args = {**SITUATIONS[later], **SITUATIONS[first]}
    gate_parts = [SITUATIONS[r].get("gate") for r in (first, later)]
    if all(gate_parts):
        args["gate"] = GateFacts(sealed=True, vehicle_rule="none")
    if first != Reason.CARD_UNKNOWN:
        args["card"] = _card(first, later)
    assert verdict(**args).reason == first


def test_everything_at_once_is_a_sealed_gate():
    args = {k: v for situation in SITUATIONS.values() for k, v in situation.items()}
    args["gate"] = GateFacts(sealed=True, vehicle_rule="none")
    assert verdict(**args).reason == Reason.GATE_SEALED


def test_resident_quarantine_refuses_an_exit_of_that_resident():
    card = CardFacts(resident_quarantine_until=TODAY)
    assert verdict(card=card).reason == Reason.QUARANTINED


def test_quarantine_ending_yesterday_no_longer_applies():
    yesterday = TODAY - timedelta(days=1)
    card = CardFacts(household_quarantine_until=yesterday, resident_quarantine_until=yesterday)
    assert verdict(card=card).allowed


def test_quarantine_day_is_the_shanghai_day():
    # 23:30 UTC on the 13th is already the 14th in Shanghai: the last day of quarantine.
    at = datetime(2020, 2, 13, 23, 30, tzinfo=ZoneInfo("UTC"))
    card = CardFacts(household_quarantine_until=TODAY)
    assert verdict(card=card, occurred_at=at).reason == Reason.QUARANTINED


def test_work_pass_goes_out_off_the_quota():
    used = exits(NOW - timedelta(hours=3))
    result = verdict(card=CardFacts(work_pass=True), quota_exits=used)
    assert result == Verdict()
    assert used.asked == []  # the quota is not even looked at


def test_work_pass_does_not_beat_quarantine_fever_or_a_sealed_building():
    for card, temperature in [
        (CardFacts(work_pass=True, resident_quarantine_until=TODAY), Decimal("36.5")),
        (CardFacts(work_pass=True, building_sealed=True), Decimal("36.5")),
        (CardFacts(work_pass=True), Decimal("38.0")),
    ]:
        assert not verdict(card=card, temperature=temperature).allowed


def test_quota_used_tells_the_last_exit_and_the_next_allowed():
    result = verdict(quota_exits=exits(datetime(2020, 2, 13, 9, 12, tzinfo=SH)))
    assert result == Verdict(
        Reason.QUOTA_USED,
        counts_quota=False,
        last_exit_at=datetime(2020, 2, 13, 9, 12, tzinfo=SH),
        next_exit_at=datetime(2020, 2, 15, tzinfo=SH),
    )


def test_an_exit_before_the_window_is_not_counted():
    assert verdict(quota_exits=exits(datetime(2020, 2, 12, 23, 59, tzinfo=SH))).allowed


def test_two_exits_a_period_allow_a_second():
    rules = Rules(quota_exits=2)
    one = exits(NOW - timedelta(hours=1))
    assert verdict(rules=rules, quota_exits=one) == Verdict(
        counts_quota=True, last_exit_at=NOW - timedelta(hours=1)
    )
    two = exits(NOW - timedelta(hours=1), NOW - timedelta(hours=20))
    result = verdict(rules=rules, quota_exits=two)
    assert result.reason == Reason.QUOTA_USED
    assert result.next_exit_at == datetime(2020, 2, 15, tzinfo=SH)  # the older one frees it


def test_rolling_hours_window():
    rules = Rules(quota_mode="rolling_hours", quota_hours=48)
    assert quota_window(rules, NOW) == (
        NOW - timedelta(hours=48) + timedelta(microseconds=1),
        NOW + timedelta(hours=48),
    )
    assert next_exit_after(rules, NOW) == NOW + timedelta(hours=48)
    result = verdict(rules=rules, quota_exits=exits(NOW - timedelta(hours=47)))
    assert result.next_exit_at == NOW + timedelta(hours=1)
    assert verdict(rules=rules, quota_exits=exits(NOW - timedelta(hours=48))).allowed


def test_online_the_quota_looks_back_only_a_late_upload_looks_forward_too():
    online, late = exits(), exits()
    verdict(quota_exits=online)
    verdict(quota_exits=late, late=True)
    start, end = quota_window(Rules(), NOW)
    assert online.asked == [(start, None)]
    assert late.asked == [(start, end)]


def test_a_later_exit_found_by_a_late_upload_is_a_breach_without_a_next_time():
    later = exits(NOW + timedelta(hours=1))
    result = verdict(quota_exits=later, late=True)
    assert result == Verdict(counts_quota=True, breach=Reason.QUOTA_USED)


def test_fever_is_at_or_above_the_line():
    assert verdict(temperature=LINE).reason == Reason.FEVER
    assert verdict(temperature=LINE - Decimal("0.1")).allowed


def test_fever_on_entry_is_allowed_but_flagged():
    assert verdict(direction="in", temperature=Decimal("38.2")) == Verdict(fever=True)


def test_a_preview_without_a_reading_has_no_fever():
    assert verdict(temperature=None) == Verdict(counts_quota=True)


def test_fever_flag_stays_on_any_refusal():
    result = verdict(temperature=Decimal("38.0"), card=CardFacts(revoked=True))
    assert (result.reason, result.fever) == (Reason.CARD_REVOKED, True)


@pytest.mark.parametrize(
    ("rule", "allowed"), [("both", True), ("out_only", False), ("none", False)]
)
def test_a_vehicle_comes_back_in_only_where_the_opening_lets_vehicles_in(rule, allowed):
    result = verdict(direction="in", vehicle=True, gate=GateFacts(vehicle_rule=rule))
    assert result.allowed is allowed
    assert result.reason == ("" if allowed else Reason.VEHICLE_BARRED)


@pytest.mark.parametrize("rule", ["both", "out_only"])
def test_a_vehicle_goes_out_unless_the_opening_bars_vehicles(rule):
    assert verdict(vehicle=True, gate=GateFacts(vehicle_rule=rule)).allowed


@pytest.mark.parametrize(
    "reason",
    [Reason.FEVER, Reason.BUILDING_SEALED, Reason.QUARANTINED, Reason.VEHICLE_BARRED],
)
def test_entry_ignores_what_only_keeps_people_in(reason):
    situation = dict(SITUATIONS[reason])
    if reason == Reason.VEHICLE_BARRED:
        situation["vehicle"] = False
    assert verdict(direction="in", **situation).allowed


@pytest.mark.parametrize("reason", [Reason.GATE_SEALED, Reason.CARD_UNKNOWN, Reason.CARD_REVOKED])
def test_entry_is_refused_by_the_gate_and_the_card(reason):
    assert verdict(direction="in", **SITUATIONS[reason]).reason == reason


@pytest.mark.parametrize("reason", [r for r in PRECEDENCE if r != Reason.FEVER])
def test_a_late_upload_turns_the_refusal_into_a_breach(reason):
    result = verdict(late=True, **SITUATIONS[reason])
    assert (result.reason, result.breach, result.allowed) == ("", reason, True)


@pytest.mark.parametrize(
    ("reason", "counts"),
    [
        (Reason.CARD_UNKNOWN, False),  # no household to count against
        (Reason.GATE_SEALED, True),
        (Reason.CARD_REVOKED, True),
        (Reason.QUOTA_USED, True),
        (Reason.QUARANTINED, True),
    ],
)
def test_a_late_exit_that_happened_counts_against_the_quota(reason, counts):
    assert verdict(late=True, **SITUATIONS[reason]).counts_quota is counts


def test_a_late_exit_on_a_work_pass_still_does_not_count():
    card = CardFacts(work_pass=True, building_sealed=True)
    assert verdict(late=True, card=card) == Verdict(breach=Reason.BUILDING_SEALED)


def test_a_late_quota_breach_keeps_last_and_next_exit():
    before = datetime(2020, 2, 13, 9, 12, tzinfo=SH)
    result = verdict(late=True, quota_exits=exits(before))
    assert (result.last_exit_at, result.next_exit_at) == (before, datetime(2020, 2, 15, tzinfo=SH))


def test_a_late_fever_is_still_a_refusal():
    result = verdict(late=True, temperature=Decimal("38.5"))
    assert (result.reason, result.breach, result.fever) == (Reason.FEVER, "", True)


def test_a_late_entry_with_a_barred_vehicle_is_a_breach_that_counts_nothing():
    result = verdict(
        late=True, direction="in", vehicle=True, gate=GateFacts(vehicle_rule="out_only")
    )
    assert result == Verdict(breach=Reason.VEHICLE_BARRED)


def test_a_refused_card_costs_no_quota_lookup():
    for reason in (Reason.GATE_SEALED, Reason.CARD_UNKNOWN, Reason.CARD_REVOKED, Reason.FEVER):
        log = exits()
        verdict(quota_exits=log, **SITUATIONS[reason])
        assert log.asked == []
