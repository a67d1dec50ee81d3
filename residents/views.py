"""Registry pages: buildings, households, residents, and the lists the branch works from.

Read pages are for anyone who can see the compound (volunteers see masked ID and phone
numbers); create and edit pages are for the branch's managers.
"""

import copy
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds import access
from compounds.access import Level
from compounds.errors import BastionError, RateLimited
from compounds.models import Building, Compound
from residents import selectors, services
from residents.errors import ResidentError
from residents.forms import (
    FeverStepForm,
    HouseholdForm,
    HouseholdSearchForm,
    ResidentEraseForm,
    ResidentForm,
    VulnerableFilterForm,
)
from residents.models import FeverAlert, Household

PAGE_SIZE = 50


def _compound(request: HttpRequest, compound_id: int, need: Level = Level.VOLUNTEER) -> Compound:
    return access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id, need=need)


def _household(
    request: HttpRequest, compound: Compound, household_id: int, need: Level = Level.VOLUNTEER
) -> Household:
    return access.get_scoped_or_404(
        request.user,
        Household.objects.filter(compound=compound).select_related("building", "unit"),
        pk=household_id,
        need=need,
    )


def _context(request: HttpRequest, compound: Compound, **extra: Any) -> dict[str, Any]:
    level = access.level_for(request.user, compound)
    return {
        "compound": compound,
        "can_manage": level >= Level.MANAGE,
        "personal": access.sees_personal_data(request.user, compound),
        "today": timezone.localdate(),
        **extra,
    }


def _show_error(form: forms.BaseForm, error: BastionError) -> None:
    """Put a service's refusal beside the field it concerns (or above the form)."""
    errors = error.params.get("errors")
    if isinstance(errors, dict):
        for name, messages_ in errors.items():
            form.add_error(name if name in form.fields else None, messages_)
        return
    name = error.params.get("field")
    refusal = forms.ValidationError(str(error.message), code=error.code)
    form.add_error(name if isinstance(name, str) and name in form.fields else None, refusal)


# --- Read pages --------------------------------------------------------------------


@login_required
def buildings(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    rows = selectors.buildings_with_counts(compound=compound)
    return render(request, "residents/buildings.html", _context(request, compound, buildings=rows))


@login_required
def building_detail(request: HttpRequest, compound_id: int, building_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    building = access.get_scoped_or_404(
        request.user, Building.objects.filter(compound=compound), pk=building_id
    )
    households = selectors.building_households(building=building)
    context = _context(request, compound, building=building, households=households)
    return render(request, "residents/building.html", context)


@login_required
def households(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    form = HouseholdSearchForm(request.GET)
    if not form.is_valid():
        # A refused query (an ID number) leaves the address bar and the page at once.
        for error in form.errors.get("q", []):
            messages.error(request, str(error))
        return redirect("residents:households", compound.pk)
    query = form.cleaned_data["q"]
    full_phones = access.sees_personal_data(request.user, compound)
    found = selectors.household_search(compound=compound, query=query, full_phones=full_phones)
    try:
        services.phone_search_check(actor=request.user, compounds=[compound], query=query)
    except RateLimited as error:
        messages.error(request, str(error.message))
        found = found.none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, compound, form=form, query=query, page=page)
    return render(request, "residents/households.html", context)


@login_required
def household_detail(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    household = _household(request, compound, household_id)
    context = _context(request, compound, household=household)
    context["residents"] = list(household.residents.order_by("id"))
    context["audit"] = selectors.audit_lines(
        selectors.household_audit(household=household), personal=context["personal"]
    )
    return render(request, "residents/household.html", context)


@login_required
def vulnerable(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    form = VulnerableFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    residents = selectors.vulnerable_residents(compound=compound, kind=kind or None)
    page = Paginator(residents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, compound, form=form, kind=kind, page=page)
    return render(request, "residents/vulnerable.html", context)


@login_required
def returnees(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    residents = selectors.returnees(compound=compound)
    page = Paginator(residents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "residents/returnees.html", _context(request, compound, page=page))


# --- Create and edit ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    initial = {"building": request.GET.get("building")}
    form = HouseholdForm(request.POST or None, compound=compound, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                compound=compound, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Household %(address)s registered.") % {"address": household.address}
            )
            return redirect("residents:household", compound.pk, household.pk)
    return render(request, "residents/household_form.html", _context(request, compound, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    household = _household(request, compound, household_id, need=Level.MANAGE)
    # The form writes into its instance while validating; the page heading keeps the original.
    form = HouseholdForm(request.POST or None, instance=copy.copy(household), compound=compound)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_update(
                household=household, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Household %(address)s saved.") % {"address": household.address}
            )
            return redirect("residents:household", compound.pk, household.pk)
    context = _context(request, compound, form=form, household=household)
    return render(request, "residents/household_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    household = _household(request, compound, household_id, need=Level.MANAGE)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(
                household=household, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": resident.name})
            return redirect("residents:household", compound.pk, household.pk)
    context = _context(request, compound, form=form, household=household)
    return render(request, "residents/resident_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = access.get_scoped_or_404(
        request.user,
        selectors.residents_of(compound),
        pk=resident_id,
        need=Level.MANAGE,
    )
    household = resident.household
    form = ResidentForm(request.POST or None, instance=copy.copy(resident))
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_update(
                resident=resident, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": resident.name})
            return redirect("residents:household", compound.pk, household.pk)
    context = _context(request, compound, form=form, household=household, resident=resident)
    return render(request, "residents/resident_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resident_erase(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    """Erasure on request: a confirmation page, then ``services.resident_erase``."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = access.get_scoped_or_404(
        request.user, selectors.residents_of(compound), pk=resident_id, need=Level.MANAGE
    )
    form = ResidentEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_erase(
                resident=resident, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The resident's personal data were erased."))
            return redirect("residents:household", compound.pk, resident.household_id)
    context = _context(request, compound, form=form, resident=resident)
    return render(request, "residents/resident_erase.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, compound_id: int, alert_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    alert = access.get_scoped_or_404(
        request.user,
        FeverAlert.objects.filter(compound=compound).select_related(
            "household__building", "household__unit", "resident"
        ),
        pk=alert_id,
    )
    form = FeverStepForm()
    if request.method == "POST":
        access.require(request.user, compound, Level.MANAGE)
        form = FeverStepForm(request.POST)
        if form.is_valid():
            try:
                services.fever_alert_handle(alert=alert, actor=request.user, **form.cleaned_data)
            except ResidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The step is recorded."))
                return redirect("residents:alert", compound.pk, alert.pk)
    context = _context(
        request,
        compound,
        alert=alert,
        steps=list(alert.actions.select_related("actor")),
        form=form,
        resolved=alert.status == FeverAlert.Status.RESOLVED,
    )
    return render(request, "residents/alert.html", context, status=400 if form.errors else 200)
