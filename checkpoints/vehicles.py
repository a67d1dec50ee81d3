"""Vehicles at the gate: one trip per vehicle with its plate, one passage per person in it.

The opening's vehicle rule is decided once, for the trip (``vehicle_allowed``). Each person
has their own reading and their household's quota, decided as any check-in
(``services._passage_decide``) and pointing at the trip. Going out, a refused vehicle
refuses its people (``vehicle_barred``): they may still walk out through the gate, as a
check-in of their own. Coming in, a refused vehicle never keeps its people out: they are
decided as walking in, and only the vehicle stays outside.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints import services
from checkpoints.errors import CheckpointError, Reason
from checkpoints.models import Passage, VehicleTrip
from compounds.models import Opening
from compounds.text import check_text_fields


@dataclass(frozen=True)
class TripPerson:
    code: str
    temperature: Decimal
    client_id: uuid.UUID
    resident_id: int | None = None


@dataclass(frozen=True)
class TripDecision:
    trip: VehicleTrip
    passages: list[Passage]
    created: bool


def vehicle_allowed(opening: Opening, direction: str) -> bool:
    rule = opening.vehicle_rule
    if direction == Passage.Direction.OUT:
        return rule in (Opening.VehicleRule.BOTH, Opening.VehicleRule.OUT_ONLY)
    return rule == Opening.VehicleRule.BOTH


def vehicle_trip_record(
    *,
    opening: Opening,
    plate: str,
    direction: str,
    people: Sequence[TripPerson],
    actor: Any,
    client_id: uuid.UUID,
    recorded_at: datetime | None = None,
) -> TripDecision:
    """Decide and log a vehicle trip and each person in it, in one transaction. The same
    ``client_id`` again returns the first trip and writes nothing."""
    plate = "".join((plate or "").split()).upper()
    if not plate or not people:
        raise CheckpointError(
            _("Give the plate number and at least one person in the vehicle."),
            "trip_incomplete",
        )
    first = VehicleTrip.objects.filter(client_id=client_id).first()
    if first is not None:
        return TripDecision(first, list(first.passages.order_by("id")), created=False)
    return _trip_decide(
        opening=opening,
        plate=plate,
        direction=direction,
        people=people,
        actor=actor,
        client_id=client_id,
        recorded_at=recorded_at,
    )


@transaction.atomic
def _trip_decide(
    *,
    opening: Opening,
    plate: str,
    direction: str,
    people: Sequence[TripPerson],
    actor: Any,
    client_id: uuid.UUID,
    recorded_at: datetime | None,
) -> TripDecision:
    now = timezone.now()
    allowed = vehicle_allowed(opening, direction) and opening.state != Opening.State.SEALED
    trip = VehicleTrip(
        compound_id=opening.compound_id,
        opening=opening,
        plate=plate,
        direction=direction,
        verdict=Passage.Verdict.ALLOWED if allowed else Passage.Verdict.DENIED,
        reason="" if allowed else Reason.VEHICLE_BARRED,
        occurred_at=recorded_at or now,
        received_at=now,
        volunteer=actor,
        client_id=client_id,
    )
    check_text_fields(trip, error=CheckpointError)
    trip.save()
    # In: a refused vehicle's people walk in. Out: they are refused with the vehicle.
    in_vehicle = allowed or direction == Passage.Direction.OUT
    passages = []
    for person in people:
        temperature = services._validate_temperature(person.temperature)
        fingerprint = services.request_hash(
            opening_id=opening.pk,
            code=person.code,
            direction=direction,
            temperature=temperature,
            resident_id=person.resident_id,
            vehicle=in_vehicle,
            recorded_at=recorded_at,
        )
        services.refuse_capability_link(person.code)
        decision = services._passage_decide(
            opening=opening,
            code=person.code,
            direction=direction,
            temperature=temperature,
            actor=actor,
            client_id=person.client_id,
            resident_id=person.resident_id,
            recorded_at=recorded_at,
            vehicle=in_vehicle,
            fingerprint=fingerprint,
            trip=trip,
        )
        passages.append(decision.passage)
    return TripDecision(trip, passages, created=True)
