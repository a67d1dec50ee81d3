"""People without a pass card at the gate: staff, medics, police, deliveries.

Before, they could only be logged as ``card_unknown`` refusals. A visitor passage records
who (name, unit, reason) and the reading. The fever rule applies to it (a reading at or
above the line is refused either way and raises an alert: a visitor is not a resident
coming home); the household quota does not, since there is no household. A sealed
opening refuses visitors as it refuses anyone.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints import gate_sql
from checkpoints.errors import CheckpointError, Reason
from checkpoints.models import Passage, VisitorReason
from checkpoints.services import Decision, _check_device_time, rules_for
from compounds import events
from compounds.models import Opening
from compounds.text import check_text_fields
from residents.models import FeverAlert
from residents.services import fever_alert_raise
from residents.validators import body_temperature


def visitor_reason(*, opening: Opening, temperature: Decimal, fever_line: Decimal) -> str:
    """The refusal for a visitor, or "" when they may pass."""
    if opening.state == Opening.State.SEALED:
        return Reason.GATE_SEALED
    if temperature >= fever_line:
        return Reason.FEVER
    return ""


def visitor_passage_record(
    *,
    opening: Opening,
    name: str,
    unit: str,
    reason: str,
    direction: str,
    temperature: Decimal,
    actor: Any,
    client_id: uuid.UUID,
    recorded_at: datetime | None = None,
) -> Decision:
    """Decide and log a visitor's passage; a retry with the same ``client_id`` gets the
    first decision back (a different record under it: ``client_id_conflict``)."""
    temperature = body_temperature(temperature, error=CheckpointError)
    name, unit = (name or "").strip(), (unit or "").strip()
    if not name or reason not in VisitorReason.values:
        raise CheckpointError(_("Give the visitor's name and why they pass."), "visitor_incomplete")
    try:
        return _visitor_decide(
            opening=opening,
            name=name,
            unit=unit,
            reason=reason,
            direction=direction,
            temperature=temperature,
            actor=actor,
            client_id=client_id,
            recorded_at=recorded_at,
        )
    except IntegrityError:
        first = Passage.objects.filter(client_id=client_id).first()
        if first is None or first.visitor_name != name or first.volunteer_id != actor.pk:
            raise CheckpointError(
                _("Another record was uploaded under this record's number."),
                "client_id_conflict",
            ) from None
        return Decision(passage=first, created=False)


@transaction.atomic
def _visitor_decide(
    *,
    opening: Opening,
    name: str,
    unit: str,
    reason: str,
    direction: str,
    temperature: Decimal,
    actor: Any,
    client_id: uuid.UUID,
    recorded_at: datetime | None,
) -> Decision:
    now = timezone.now()
    occurred_at = recorded_at or now
    _check_device_time(occurred_at, now)
    compound = opening.compound
    refusal = visitor_reason(
        opening=opening, temperature=temperature, fever_line=rules_for(compound).fever_line
    )
    fever = refusal == Reason.FEVER
    alert = None
    if fever:
        alert = fever_alert_raise(
            compound=compound,
            source=FeverAlert.Source.GATE,
            temperature=temperature,
            at=occurred_at,
            actor=actor,
        )
    passage = Passage(
        compound=compound,
        opening=opening,
        direction=direction,
        temperature=temperature,
        occurred_at=occurred_at,
        received_at=now,
        volunteer=actor,
        verdict=Passage.Verdict.DENIED if refusal else Passage.Verdict.ALLOWED,
        reason=refusal,
        fever=fever,
        client_id=client_id,
        fever_alert=alert,
        visitor_name=name,
        visitor_unit=unit,
        visitor_reason=reason,
    )
    check_text_fields(passage, error=CheckpointError)
    gate_sql.passage_insert(passage)
    events.send(events.passage_recorded, sender=Passage, passage=passage, actor=actor)
    return Decision(passage=passage, created=True)
