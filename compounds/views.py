from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from compounds import access, selectors
from compounds.models import Compound


@login_required
def home(request: HttpRequest) -> HttpResponse:
    compounds = list(access.visible_compounds(request.user))
    if len(compounds) == 1:
        return redirect("compound-home", compounds[0].pk)
    return render(request, "compounds/home.html", {"compounds": compounds})


@login_required
def compound_home(request: HttpRequest, compound_id: int) -> HttpResponse:
    from checkpoints import selectors as gate_selectors

    compound = access.get_scoped_or_404(
        request.user, Compound.objects.all(), via="", pk=compound_id
    )
    context = {
        "compound": compound,
        "level": access.level_for(request.user, compound),
        "summary": selectors.compound_summary(compound=compound),
        **gate_selectors.compound_gate_overview(compound=compound),
    }
    return render(request, "compounds/compound_home.html", context)


@login_required
def branch(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(
        request.user, Compound.objects.all(), via="", pk=compound_id
    )
    return render(
        request,
        "compounds/branch.html",
        {
            "compound": compound,
            "branches": selectors.branches_for(compound=compound),
            "personal": access.sees_personal_data(request.user, compound),
        },
    )
