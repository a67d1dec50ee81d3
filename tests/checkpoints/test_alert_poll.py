"""The poll an open page asks every 20 s: one query, 304 when nothing changed."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone

from checkpoints.services import passage_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def poll_url(compound) -> str:
    return reverse("checkpoints:alerts-poll", args=[compound.pk])


@pytest.fixture
def card(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


def checkin(gate, card, volunteer, temperature="36.5", **kw):
    return passage_record(
        opening=gate,
        code=card.number,
        direction=kw.pop("direction", "out"),
        temperature=Decimal(temperature),
        actor=volunteer,
        client_id=uuid4(),
        **kw,
    ).passage


def test_a_new_fever_alert_changes_the_answer_and_nothing_else_gives_a_304(
    client, secretary, compound_a, gate_a, card, volunteer, django_assert_max_num_queries
):
    client.force_login(secretary)
    first = client.get(poll_url(compound_a))
    assert first.status_code == 200 and first.json()["alert"] is None
    etag = first["ETag"]
    same = client.get(poll_url(compound_a), HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same.content == b""
    checkin(gate_a, card, volunteer, "38.4")
    changed = client.get(poll_url(compound_a), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    body = changed.json()
    assert body["alert"]["temperature"] == "38.4" and body["alert"]["household"] == "20-1702"
    assert body["alerts_open"] == 1


def test_the_poll_is_one_query(secretary, compound_a, gate_a, card, volunteer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkpoints.alert_poll import poll_answer, poll_row

    checkin(gate_a, card, volunteer, "38.4")
    poll_row(user=secretary, compound_id=compound_a.pk)  # the rules' time out, remembered
    with CaptureQueriesContext(connection) as captured:
        row = poll_row(user=secretary, compound_id=compound_a.pk)
    assert len(captured.captured_queries) == 1
    assert poll_answer(row)["alert"]["temperature"] == "38.4"


def test_the_cached_sql_answers_as_its_orm_twin(
    secretary, volunteer_b, compound_a, gate_a, card, volunteer
):
    from checkpoints.alert_poll import poll_answer, poll_queryset, poll_row
    from compounds import access

    checkin(gate_a, card, volunteer, "38.4")
    checkin(gate_a, card, volunteer, recorded_at=timezone.now() - timedelta(hours=3))
    twin = access.get_scoped_or_404(secretary, poll_queryset(compound_a.pk), pk=compound_a.pk)
    row = poll_row(user=secretary, compound_id=compound_a.pk)
    assert row is not None
    assert poll_answer(row) == poll_answer(twin) and poll_answer(row)["overdue"] is not None
    assert poll_row(user=volunteer_b, compound_id=compound_a.pk) is None


def test_an_outing_becoming_overdue_and_a_breach_change_the_answer(
    client, secretary, compound_a, gate_a, card, volunteer
):
    client.force_login(secretary)
    etag = client.get(poll_url(compound_a))["ETag"]
    checkin(gate_a, card, volunteer, recorded_at=timezone.now() - timedelta(hours=3))
    body = client.get(poll_url(compound_a), HTTP_IF_NONE_MATCH=etag).json()
    assert body["overdue"] is not None
    checkin(gate_a, card, volunteer, device_verdict="allowed")
    assert client.get(poll_url(compound_a)).json()["breach"] is not None


def test_another_compounds_poll_is_a_404(as_volunteer_b, compound_a):
    assert as_volunteer_b.get(poll_url(compound_a)).status_code == 404
