"""DRF throttles on the API: the gate's own rate, the general per-user rate, anonymous."""

import uuid

import pytest
from rest_framework.settings import api_settings

from checkpoints.models import Passage
from compounds import throttles
from tests import factories as f


@pytest.fixture
def rates(monkeypatch):
    """Low rates for the test (DRF reads them once, when the class is defined)."""

    def set_rates(**values):
        rates = {**api_settings.DEFAULT_THROTTLE_RATES, **values}
        for cls in (throttles.AnonThrottle, throttles.UserThrottle, throttles.ScopedThrottle):
            monkeypatch.setattr(cls, "THROTTLE_RATES", rates)

    return set_rates


def checkin(client, opening, card):
    data = {
        "gate": opening.pk,
        "card": card.number,
        "direction": "in",
        "temperature": 36.5,
        "client_id": str(uuid.uuid4()),
    }
    return client.post("/api/v1/passages/", data, content_type="application/json")


def test_the_throttles_are_on_by_default():
    names = [cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert names == ["AnonThrottle", "UserThrottle", "ScopedThrottle"]


def test_the_default_gate_rate_leaves_room_for_a_busy_gate_and_an_offline_queue():
    rate = throttles.ScopedThrottle().parse_rate(api_settings.DEFAULT_THROTTLE_RATES["gate"])
    assert rate[0] / rate[1] >= 10  # ten a second for one account: a queue uploading


def test_a_gate_phone_past_its_rate_gets_429_and_nothing_is_stored(
    as_volunteer, gate_a, household_a, rates
):
    rates(gate="3/min")
    card = f.card(household=household_a)
    statuses = [checkin(as_volunteer, gate_a, card).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert Passage.objects.count() == 3


def test_the_429_says_when_to_come_back(as_volunteer, gate_a, household_a, rates):
    rates(gate="1/min")
    card = f.card(household=household_a)
    checkin(as_volunteer, gate_a, card)
    response = checkin(as_volunteer, gate_a, card)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_gate_rate_counts_per_user(as_volunteer, as_secretary, gate_a, household_a, rates):
    rates(gate="1/min")
    card = f.card(household=household_a)
    assert checkin(as_volunteer, gate_a, card).status_code == 201
    assert checkin(as_secretary, gate_a, card).status_code == 201


def test_other_endpoints_have_the_general_rate_and_not_the_gates(
    as_volunteer, gate_a, household_a, rates
):
    rates(user="2/min", gate="100/min")
    card = f.card(household=household_a)
    assert [as_volunteer.get("/api/v1/compounds/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert checkin(as_volunteer, gate_a, card).status_code == 201


def test_anonymous_clients_have_their_own_rate(client, rates, db):
    rates(anon="2/min")
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
