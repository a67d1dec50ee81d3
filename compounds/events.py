"""Domain events: services say what happened, so that a later app can react to it without
the sending app importing that app (and without the kernel knowing either of them).

Each event is a Django signal with the keyword arguments it always carries, listed below
and checked when it is sent (``send``). The services are the only senders; a model's
``post_save`` is no substitute, since some rows are written with raw SQL (the gate's
passages) or in bulk, and neither fires it.

Two kinds of listener, and the difference matters:

- **A listener that writes to the database** is connected with ``event.connect(...)``.
  It runs inside the sender's transaction, at the moment of ``send``: what it writes is
  committed with the sender's row or rolled back with it, and if it raises, the sender's
  write is rolled back too and the caller sees the error. So a listener can never leave
  half a story (an alert without its follow-up, or a follow-up without its alert).
- **A listener that only notifies** (a log line, a message to a phone, a cache to drop) is
  connected with ``connect_on_commit(event, listener)``. It runs after the sender's
  transaction commits, and never if it rolls back: nobody is told of an alert that was
  not stored. An error in it is logged and does not reach the sender, whose data is
  already committed. Such a listener must not write what the sender's rule depends on.

Events (``sender`` is the model class the event is about):

``fever_alert_raised`` (sender ``residents.FeverAlert``)
    ``alert``: the new alert (saved; its ``source``, ``compound``, ``household``,
    ``resident``, ``temperature`` set); ``actor``: who measured. Sent when the alert is
    written: for a gate alert that is just before the passage that links to it.
``quarantine_changed`` (sender ``residents.Household`` or ``residents.Resident``)
    ``household``: the household; ``resident``: the resident, or None when the household's
    own date changed; ``before``, ``after``: the ``quarantine_until`` dates (None: not in
    quarantine); ``actor``. Sent on a create with a date, and on an update that changes it.
``building_sealed`` (sender ``compounds.Building``)
    ``building``; ``sealed``: True when sealed, False when the seal is lifted; ``actor``.
``round_assignment_changed`` (sender ``residents.rounds.Assignment``)
    ``round``: the screening round; ``members``: the branch members whose share of the
    round may have changed (the new one and the one replaced or removed; no None);
    ``actor``. Sent by the rounds' assignment writers; a listener reads the round's
    assignments as they now stand (the roster puts each member's round on their duties).
``passage_recorded`` (sender ``checkpoints.Passage``)
    ``passage``: the decided passage as written (denials too; never a replay of one
    already stored); ``actor``: the volunteer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


class Event(Signal):
    """A signal that knows the keyword arguments it carries."""

    def __init__(self, name: str, kwargs: tuple[str, ...]) -> None:
        super().__init__()
        self.name = name
        self.kwargs = frozenset(kwargs)

    def __repr__(self) -> str:
        return f"<Event {self.name}>"


fever_alert_raised = Event("fever_alert_raised", ("alert", "actor"))
quarantine_changed = Event(
    "quarantine_changed", ("household", "resident", "before", "after", "actor")
)
building_sealed = Event("building_sealed", ("building", "sealed", "actor"))
passage_recorded = Event("passage_recorded", ("passage", "actor"))
round_assignment_changed = Event("round_assignment_changed", ("round", "members", "actor"))

EVENTS = (
    fever_alert_raised,
    quarantine_changed,
    building_sealed,
    passage_recorded,
    round_assignment_changed,
)


def send(event: Event, *, sender: type, **kwargs: Any) -> None:
    """Send ``event`` now, inside the caller's transaction (see the module docstring).

    Called by services from inside their atomic block. A listener's exception propagates,
    so that the service's transaction rolls back with it.
    """
    if set(kwargs) != event.kwargs:
        raise TypeError(
            f"{event.name} carries {sorted(event.kwargs)}, was sent with {sorted(kwargs)}"
        )
    event.send(sender=sender, **kwargs)


def _uid(listener: Callable[..., Any]) -> str:
    # A function is named once however often ready() runs; any other callable by itself.
    name = getattr(listener, "__qualname__", None)
    if name is None or "<lambda>" in name or "<locals>" in name:
        return f"on_commit:{id(listener)}"
    return f"on_commit:{listener.__module__}.{name}"


def connect_on_commit(
    event: Event,
    listener: Callable[..., Any],
    *,
    sender: type | None = None,
    dispatch_uid: str | None = None,
) -> None:
    """Connect a notification-only ``listener``: it runs once the sender's transaction has
    committed, never if it rolls back, and its errors are logged, not raised."""

    def deferred(sender: type, **kwargs: Any) -> None:
        kwargs.pop("signal", None)
        transaction.on_commit(lambda: listener(sender=sender, **kwargs), robust=True)

    event.connect(
        deferred,
        sender=sender,
        weak=False,
        dispatch_uid=dispatch_uid or _uid(listener),
    )


def disconnect_on_commit(
    event: Event,
    listener: Callable[..., Any],
    *,
    sender: type | None = None,
    dispatch_uid: str | None = None,
) -> None:
    event.disconnect(sender=sender, dispatch_uid=dispatch_uid or _uid(listener))
