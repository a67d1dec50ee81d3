"""Pages that read several apps at once: the landing page and the compound's overview."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from checkpoints import selectors as gate_selectors
from compounds import access
from compounds.models import Compound
from residents.selectors import compound_summary


def landing(user: object, compounds: list[Compound]) -> tuple[str, int] | None:
    """Where a user lands after login, if not on the list of their compounds: a volunteer
    of one compound on its gate, anyone else with one compound on its overview.

    The one place of this rule: "my shifts" (rosters) will refine it for volunteers.
    """
    if len(compounds) != 1:
        return None
    (compound,) = compounds
    if access.level_for(user, compound) == access.Level.VOLUNTEER:
        return ("checkpoints:gate", compound.pk)
    return ("compound-home", compound.pk)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    compounds = list(access.visible_compounds(request.user))
    target = landing(request.user, compounds)
    if target is not None:
        return redirect(*target)
    return render(request, "bastion/home.html", {"compounds": compounds})


@login_required
def compound_home(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id)
    context = {
        "compound": compound,
        "level": access.level_for(request.user, compound),
        "summary": compound_summary(compound=compound),
        **gate_selectors.compound_gate_overview(compound=compound),
    }
    return render(request, "bastion/compound_home.html", context)
