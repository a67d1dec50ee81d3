"""The roster's refusals: each a translated message and a stable code."""

from checkpoints.errors import CheckpointError


class RosterError(CheckpointError):
    """A roster input refused; nothing is written."""


class RosterForbidden(RosterError):
    status_code = 403
