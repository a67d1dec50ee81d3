"""The help list: requests and open fever alerts side by side, read where they live.

Fever alerts are not copied into requests: the board is a union of the compound's open
requests and its open alerts that no request links to; a linked request shows its
alert's state (``state_of``).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from compounds.models import Compound
from residents.models import FeverAlert, Household
from residents.selectors import open_fever_alerts
from supplies.models import HelpRequest
from supplies.models.help import URGENT_MINUTES, URGENT_UP_TO

State = HelpRequest.State
FEVER_URGENCY = 2  # an open fever alert sorts with the urgent requests

_ALERT_STATES: dict[str, tuple[str, str]] = {
    FeverAlert.Status.OPEN: (State.OPEN, ""),
    FeverAlert.Status.REMEASURED: (State.IN_PROGRESS, ""),
    FeverAlert.Status.REPORTED: (State.ESCALATED, HelpRequest.EscalatedTo.COMMUNITY),
    FeverAlert.Status.HOSPITAL: (State.ESCALATED, HelpRequest.EscalatedTo.HOSPITAL),
    FeverAlert.Status.RESOLVED: (State.RESOLVED, ""),
}


def state_of(request: HelpRequest) -> tuple[str, str]:
    """(state, escalated_to) of a request: its alert's while linked to one."""
    if request.fever_alert_id is not None and request.fever_alert is not None:
        return _ALERT_STATES[request.fever_alert.status]
    return request.state, request.escalated_to


def state_label(request: HelpRequest) -> str:
    state, escalated_to = state_of(request)
    label = str(State(state).label)
    if escalated_to:
        label += f" · {HelpRequest.EscalatedTo(escalated_to).label}"
    return label


@dataclass
class BoardRow:
    kind: str  # "request" or "fever"
    urgency: int
    at: datetime
    state: str
    state_label: str
    household: Household | None
    request: HelpRequest | None = None
    alert: FeverAlert | None = None
    overdue: bool = False


def requests_of(*, compound: Compound) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(compound=compound).select_related(
        "household__building", "household__unit", "handler", "fever_alert"
    )


def _overdue(urgency: int, at: datetime, state: str, now: datetime) -> bool:
    return (
        urgency <= URGENT_UP_TO
        and state != State.RESOLVED
        and now - at > timedelta(minutes=URGENT_MINUTES)
    )


def help_board(*, compound: Compound, include_resolved: bool = False) -> list[BoardRow]:
    """Requests not resolved, and open fever alerts no request links to: most urgent
    first, then oldest. Urgent ones open past 30 minutes are ``overdue``."""
    now = timezone.now()
    rows: list[BoardRow] = []
    for request in requests_of(compound=compound):
        state, _escalated = state_of(request)
        if state == State.RESOLVED and not include_resolved:
            continue
        rows.append(
            BoardRow(
                "request",
                request.urgency,
                request.created_at,
                state,
                state_label(request),
                request.household,
                request=request,
                overdue=_overdue(request.urgency, request.created_at, state, now),
            )
        )
    for alert in open_fever_alerts(compound=compound).filter(help_request__isnull=True):
        state = _ALERT_STATES[alert.status][0]
        rows.append(
            BoardRow(
                "fever",
                FEVER_URGENCY,
                alert.created_at,
                state,
                str(alert.get_status_display()),
                alert.household,
                alert=alert,
                overdue=_overdue(FEVER_URGENCY, alert.created_at, state, now),
            )
        )
    rows.sort(key=lambda r: (r.urgency, r.at))
    return rows


def open_counts_by_kind(*, compound: Compound) -> dict[str, int]:
    """Open requests counted by kind (the group chat's summary), fevers beside them."""
    counts: Counter[str] = Counter()
    for row in help_board(compound=compound):
        key = row.request.kind if row.request is not None else "fever"
        counts[key] += 1
    return dict(counts)


def history_of(request: HelpRequest) -> dict[str, Any]:
    return {
        "events": list(request.events.select_related("actor")),
        "follow_ups": list(request.follow_ups.select_related("actor")),
        "alert_steps": list(request.fever_alert.actions.select_related("actor"))
        if request.fever_alert is not None
        else [],
    }
