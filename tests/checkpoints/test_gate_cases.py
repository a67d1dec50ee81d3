"""The shared table of gate cases through the Python rule (the phone's port runs the same
table in Chromium: tests/browser/test_gate_offline.py)."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from checkpoints.rules import CardFacts, GateFacts, decide

CASES = json.loads((Path(__file__).parent / "gate_cases.json").read_text())["cases"]


@dataclass
class Rules:
    quota_mode: str
    quota_exits: int
    quota_days: int
    quota_hours: int


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _card(card: dict | None) -> CardFacts | None:
    if card is None:
        return None
    return CardFacts(
        revoked=card["revoked"],
        building_sealed=card["building_sealed"],
        household_quarantine_until=_date(card["household_quarantine_until"]),
        resident_quarantine_until=_date(card["resident_quarantine_until"]),
        unnamed_quarantine_until=_date(card["unnamed_quarantine_until"]),
        work_pass=card["work_pass"],
    )


def python_verdict(case: dict) -> dict:
    exits = [datetime.fromisoformat(t) for t in case["exits"]]

    def quota_exits(start: datetime, end: datetime | None) -> list[datetime]:
        return sorted((t for t in exits if t >= start and (end is None or t < end)), reverse=True)

    verdict = decide(
        rules=Rules(**case["rules"]),
        fever_line=Decimal(case["fever_line"]),
        card=_card(case["card"]),
        gate=GateFacts(**case["gate"]),
        direction=case["direction"],
        vehicle=case["vehicle"],
        temperature=Decimal(case["temperature"]),
        quota_exits=quota_exits,
        occurred_at=datetime.fromisoformat(case["at"]),
        late=False,
    )
    return {"reason": verdict.reason, "next_exit_at": verdict.next_exit_at}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_python_rule_gives_each_case_its_expected_verdict(case):
    got = python_verdict(case)
    expected = case["expect"]
    assert got["reason"] == expected["reason"]
    want_next = expected["next_exit_at"]
    assert got["next_exit_at"] == (datetime.fromisoformat(want_next) if want_next else None)


def test_the_table_covers_every_situation_the_issue_names():
    names = " ".join(c["name"] for c in CASES)
    reasons = {c["expect"]["reason"] for c in CASES}
    assert {"quota_used", "building_sealed", "quarantined", "fever", "vehicle_barred"} <= reasons
    assert {"rolling", "calendar", "work pass", "return", "vehicle", "UTC"} <= {
        w for w in ("rolling", "calendar", "work pass", "return", "vehicle", "UTC") if w in names
    }
