"""People without a card: a visitor passage, with the fever rule and no quota."""

import json
from decimal import Decimal
from uuid import uuid4

import pytest

from checkpoints.errors import CheckpointError
from checkpoints.models import Passage
from checkpoints.visitors import visitor_passage_record

pytestmark = pytest.mark.django_db


def visit(gate, volunteer, **kw):
    args = {
        "opening": gate,
        "name": "刘医生",
        "unit": "社区医院",
        "reason": "medic",
        "direction": "in",
        "temperature": Decimal("36.5"),
        "actor": volunteer,
        "client_id": uuid4(),
    }
    args.update(kw)
    return visitor_passage_record(**args)


def test_a_visitor_passes_as_often_as_needed(gate_a, volunteer):
    for _ in range(3):
        assert visit(gate_a, volunteer, direction="out").passage.verdict == "allowed"
    p = Passage.objects.first()
    assert (p.visitor_name, p.visitor_reason, p.card_id, p.counts_quota) == (
        "刘医生",
        "medic",
        None,
        False,
    )


def test_a_visitor_with_a_fever_is_refused_and_alerted(gate_a, volunteer):
    p = visit(gate_a, volunteer, temperature=Decimal("38.0")).passage
    assert (p.verdict, p.reason) == ("denied", "fever") and p.fever_alert is not None


def test_a_visitor_needs_a_name_and_a_reason(gate_a, volunteer):
    with pytest.raises(CheckpointError) as caught:
        visit(gate_a, volunteer, name=" ")
    assert caught.value.code == "visitor_incomplete"


def test_a_retry_of_a_visitor_record_is_written_once(gate_a, volunteer):
    client_id = uuid4()
    first = visit(gate_a, volunteer, client_id=client_id)
    again = visit(gate_a, volunteer, client_id=client_id)
    assert not again.created and again.passage.pk == first.passage.pk
    assert Passage.objects.count() == 1


def test_the_api_records_a_visitor(as_volunteer, gate_a):
    body = {
        "gate": gate_a.pk,
        "visitor": {"name": "快递小王", "unit": "顺丰", "reason": "delivery"},
        "direction": "in",
        "temperature": 36.6,
        "client_id": str(uuid4()),
    }
    answer = as_volunteer.post(
        "/api/v1/passages/", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert Passage.objects.get().visitor_reason == "delivery"
    both = {**body, "card": "K7P3QX", "client_id": str(uuid4())}
    refused = as_volunteer.post(
        "/api/v1/passages/", json.dumps(both), content_type="application/json"
    )
    assert refused.status_code == 400
