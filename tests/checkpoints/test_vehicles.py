"""Vehicle trips: one rule per trip and opening, one passage per person."""

from decimal import Decimal
from uuid import uuid4

import pytest

from checkpoints.models import Passage, VehicleTrip
from checkpoints.vehicles import TripPerson, vehicle_trip_record
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cards(household_a, building_a, secretary):
    other = f.household(building=building_a, room="0101")
    return f.card(household=household_a, actor=secretary), f.card(household=other, actor=secretary)


def trip(gate, volunteer, cards, direction="out", temperatures=("36.5", "36.6"), **kw):
    people = [
        TripPerson(code=c.number, temperature=Decimal(t), client_id=uuid4())
        for c, t in zip(cards, temperatures, strict=False)
    ]
    return vehicle_trip_record(
        opening=gate,
        plate=kw.pop("plate", "沪A 12345"),
        direction=direction,
        people=people,
        actor=volunteer,
        client_id=kw.pop("client_id", uuid4()),
    )


def test_a_trip_out_records_one_passage_per_person_with_its_own_reading(
    gate_a, volunteer, two_cards
):
    gate_a.vehicle_rule = "both"
    gate_a.save()
    decision = trip(gate_a, volunteer, two_cards, temperatures=("36.5", "38.2"))
    assert decision.trip.plate == "沪A12345" and decision.trip.verdict == "allowed"
    verdicts = [(p.verdict, p.reason, p.vehicle, p.trip_id) for p in decision.passages]
    assert verdicts == [
        ("allowed", "", True, decision.trip.pk),
        ("denied", "fever", True, decision.trip.pk),
    ]


def test_the_quota_stays_per_household(gate_a, volunteer, two_cards):
    gate_a.vehicle_rule = "both"
    gate_a.save()
    trip(gate_a, volunteer, two_cards[:1])
    again = trip(gate_a, volunteer, two_cards)
    assert [p.reason for p in again.passages] == ["quota_used", ""]


def test_a_vehicle_refused_coming_in_lets_its_people_walk_in(gate_a, volunteer, two_cards):
    gate_a.vehicle_rule = "out_only"
    gate_a.save()
    decision = trip(gate_a, volunteer, two_cards, direction="in")
    assert (decision.trip.verdict, decision.trip.reason) == ("denied", "vehicle_barred")
    assert [(p.verdict, p.vehicle) for p in decision.passages] == [
        ("allowed", False),
        ("allowed", False),
    ]


def test_a_vehicle_barred_going_out_refuses_its_people(gate_a, volunteer, two_cards):
    decision = trip(gate_a, volunteer, two_cards)  # the default rule: no vehicles
    assert decision.trip.reason == "vehicle_barred"
    assert {p.reason for p in decision.passages} == {"vehicle_barred"}


def test_a_retried_trip_is_written_once(gate_a, volunteer, two_cards):
    client_id = uuid4()
    trip(gate_a, volunteer, two_cards, client_id=client_id)
    again = trip(gate_a, volunteer, two_cards, client_id=client_id)
    assert not again.created
    assert VehicleTrip.objects.count() == 1 and Passage.objects.count() == 2


def test_the_api_records_a_trip(as_volunteer, gate_a, two_cards):
    import json

    body = {
        "gate": gate_a.pk,
        "plate": "沪A12345",
        "direction": "in",
        "client_id": str(uuid4()),
        "people": [
            {"card": c.number, "temperature": 36.5, "client_id": str(uuid4())} for c in two_cards
        ],
    }
    answer = as_volunteer.post(
        "/api/v1/vehicle-trips/", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["verdict"] == "denied" and [p["verdict"] for p in data["people"]] == [
        "allowed",
        "allowed",
    ]
