"""Pages that read several apps at once: the landing page and the compound's overview."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from checkpoints import selectors as gate_selectors
from checkpoints.rosters import selectors as roster_selectors
from compounds import access
from compounds.access import Level
from compounds.models import Compound
from residents.selectors import compound_summary


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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    compounds = list(access.visible_compounds(request.user))
    target = landing(request.user, compounds)
    if target is not None:
        name, argument = target
        return redirect(name, argument) if argument is not None else redirect(name)
    gaps = roster_selectors.gaps(compound_ids=[c.pk for c in compounds]) if compounds else []
    return render(request, "bastion/home.html", {"compounds": compounds, "gaps": gaps})


@login_required
def compound_home(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id)
    context = {
        "compound": compound,
        "level": access.level_for(request.user, compound),
        "summary": compound_summary(compound=compound),
        "gaps": roster_selectors.gaps(compound_ids=[compound.pk]),
        **gate_selectors.compound_gate_overview(compound=compound),
    }
    return render(request, "bastion/compound_home.html", context)
