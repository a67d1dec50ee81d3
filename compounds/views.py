from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from compounds import access, selectors
from compounds.models import Compound


@login_required
def branch(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id)
    return render(
        request,
        "compounds/branch.html",
        {
            "compound": compound,
            "branches": selectors.branches_for(compound=compound),
            "personal": access.sees_personal_data(request.user, compound),
        },
    )
