"""Where a login lands after signing in: one rule, read from the roster and the roles."""

from typing import Any

from checkpoints.rosters import selectors as roster_selectors
from compounds import access
from compounds.access import Level
from compounds.models import Compound


def landing(user: Any, compounds: list[Compound]) -> tuple[str, Any] | None:
    """Where a login lands, as (URL name, argument), or None for the list of compounds.

    A volunteer on a gate shift now lands on that gate; a volunteer whose only compound
    has no roster lands on its gate. Everyone else with shifts lands on "my shifts"
    (which links to the gate); a manager of one compound, on its overview.
    """
    levels = access.compound_levels(user)
    gate_now = roster_selectors.gate_shift_now(user=user)
    if gate_now is not None and levels.get(gate_now) == Level.VOLUNTEER:
        return "checkpoints:gate", gate_now
    if len(compounds) == 1 and levels.get(compounds[0].pk) == Level.VOLUNTEER:
        only = compounds[0]
        if only.kind != Compound.Kind.SITE and not roster_selectors.compounds_with_roster(
            [only.pk]
        ):
            return "checkpoints:gate", only.pk
    if roster_selectors.has_shifts(user=user):
        return "rosters:mine", None
    if len(compounds) == 1:
        return "compound-home", compounds[0].pk
    return None
