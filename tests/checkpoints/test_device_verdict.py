"""Uploads the phone decided itself: its verdict is what happened, the server's is kept
beside it, and a difference is a breach."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from checkpoints.errors import DEVICE_REFUSED, CheckpointError
from checkpoints.models import Passage
from checkpoints.services import passage_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def record(gate, card, volunteer, **kw):
    args = {
        "opening": gate,
        "code": card.number,
        "direction": "out",
        "temperature": Decimal("36.5"),
        "actor": volunteer,
        "client_id": uuid4(),
        "recorded_at": timezone.now() - timedelta(seconds=3),
    }
    args.update(kw)
    return passage_record(**args).passage


@pytest.fixture
def card(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


def test_an_exit_allowed_on_the_phone_is_stored_as_allowed_and_flagged_when_the_server_disagrees(
    gate_a, card, volunteer
):
    first = record(gate_a, card, volunteer)
    assert first.verdict == "allowed" and first.decided_on == "server"
    second = record(gate_a, card, volunteer, device_verdict="allowed")
    assert second.verdict == "allowed"
    assert second.decided_on == "device"
    assert second.server_verdict == "denied" and second.server_reason == "quota_used"
    assert second.breach == "quota_used"
    assert second.counts_quota


def test_a_refusal_on_the_phone_never_becomes_an_allowed_exit(gate_a, card, volunteer):
    p = record(gate_a, card, volunteer, device_verdict="denied", device_reason="quota_used")
    assert p.verdict == "denied" and p.reason == "quota_used"
    assert not p.counts_quota
    assert p.server_verdict == "allowed" and p.breach == DEVICE_REFUSED
    # It used nothing: the next exit is still free.
    assert record(gate_a, card, volunteer).verdict == "allowed"


def test_a_phone_and_server_that_agree_flag_nothing(gate_a, card, volunteer):
    p = record(gate_a, card, volunteer, device_verdict="allowed")
    assert p.verdict == "allowed" and p.breach == "" and p.server_verdict == "allowed"


def test_a_three_second_old_record_decided_on_the_server_is_not_late(gate_a, card, volunteer):
    assert not record(gate_a, card, volunteer).late


def test_a_fever_refused_on_the_phone_still_raises_the_alert(gate_a, card, volunteer):
    p = record(
        gate_a,
        card,
        volunteer,
        temperature=Decimal("38.4"),
        device_verdict="denied",
        device_reason="fever",
    )
    assert p.fever and p.fever_alert_id and p.breach == ""


def test_a_refusal_without_a_known_reason_is_refused(gate_a, card, volunteer):
    with pytest.raises(CheckpointError) as caught:
        record(gate_a, card, volunteer, device_verdict="denied", device_reason="")
    assert caught.value.code == "device_verdict_invalid"
    assert not Passage.objects.exists()


def test_the_api_takes_the_phones_verdict(as_volunteer, gate_a, card):
    body = {
        "gate": gate_a.pk,
        "card": card.number,
        "direction": "out",
        "temperature": 36.5,
        "client_id": str(uuid4()),
        "decided_on": "device",
        "device_verdict": "denied",
        "device_reason": "quota_used",
    }
    answer = as_volunteer.post("/api/v1/passages/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["verdict"] == "denied" and answer.json()["decided_on"] == "device"
    body.update(client_id=str(uuid4()), device_reason="")
    assert as_volunteer.post("/api/v1/passages/", body, format="json").status_code == 400
