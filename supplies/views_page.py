"""The household's own page (a capability link, no login), and the managers' page that
prints its slip. With the link, the household orders on the next run, confirms a bag,
and asks for help; it sees its own orders and requests and nothing of anyone else."""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds import access
from compounds.access import Level
from compounds.capabilities import CapabilityNotFound, capability_view
from residents.models import Household
from supplies import help_services, list_services, own_page, selectors, services
from supplies.errors import SupplyError
from supplies.forms import OwnHelpForm, OwnOrderForm
from supplies.help_selectors import state_label
from supplies.models import HelpRequest, Order
from supplies.views import compound_for, context, int_or_zero, show_refusal


@login_required
@require_http_methods(["GET", "POST"])
def household_page(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    """Managers issue (or replace) and revoke the link, and print its slip."""
    compound = compound_for(request, compound_id, Level.MANAGE)
    household = access.get_scoped_or_404(
        request.user,
        Household.objects.filter(compound=compound).select_related("building", "unit"),
        pk=household_id,
        need=Level.MANAGE,
    )
    link = qr = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            own_page.own_page_revoke(household=household, actor=request.user)
            messages.success(request, _("The link no longer works."))
            return redirect("supplies:household-page", compound.pk, household.pk)
        _capability, token = own_page.own_page_issue(household=household, actor=request.user)
        link = request.build_absolute_uri(reverse("supplies:own-page", args=[token]))
        qr = mark_safe(segno.make(link, error="m").svg_inline(scale=3, border=2))  # noqa: S308
    return render(
        request,
        "supplies/household_page.html",
        context(
            request,
            compound,
            household=household,
            current=own_page.own_page_of(household),
            link=link,
            qr=qr,
        ),
    )


@capability_view(own_page.HOUSEHOLD_PAGE)
@require_http_methods(["GET", "POST"])
def own(request: HttpRequest) -> HttpResponse:
    household = own_page.household_of(request.capability)  # type: ignore[attr-defined]
    if household is None:
        raise CapabilityNotFound
    order_form, help_form = OwnOrderForm(), OwnHelpForm()
    run = selectors.open_runs_for(household=household).first()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "order":
                order_form = OwnOrderForm(request.POST)
                if order_form.is_valid():
                    if run is None:
                        raise SupplyError(_("No run is taking orders now."), "after_cutoff")
                    services.order_save(
                        run=run,
                        household=household,
                        lines=order_form.line_inputs(),
                        channel=Order.Channel.PAGE,
                        actor=None,
                    )
                    messages.success(request, _("Your order is in. Thank you."))
                    return redirect(request.path)
            elif action == "help":
                help_form = OwnHelpForm(request.POST)
                if help_form.is_valid():
                    help_services.help_request_create(
                        compound=household.compound,
                        household=household,
                        channel=HelpRequest.Channel.PAGE,
                        kind=help_form.cleaned_data["kind"],
                        summary=help_form.cleaned_data["summary"],
                        actor=None,
                    )
                    messages.success(request, _("Your request is in: the branch will call you."))
                    return redirect(request.path)
            elif action == "received":
                order = Order.objects.filter(
                    household=household, pk=int_or_zero(request.POST.get("order"))
                ).first()
                if order is not None:
                    list_services.order_deliver(
                        order=order, state=Order.State.CONFIRMED, actor=None
                    )
                    return redirect(request.path)
        except SupplyError as refusal:
            show_refusal(request, refusal, order_form if action == "order" else help_form)
    return render(request, "supplies/own.html", _own_context(household, run, order_form, help_form))


def _own_context(household: Household, run: Any, order_form: Any, help_form: Any) -> dict[str, Any]:
    orders = (
        Order.objects.filter(household=household)
        .select_related("run")
        .prefetch_related("lines")
        .order_by("-run__date", "-id")[:5]
    )
    requests = HelpRequest.objects.filter(household=household).select_related("fever_alert")
    return {
        "household": household,
        "run": run,
        "orders": orders,
        "requests": [(r, state_label(r)) for r in requests.order_by("-created_at")[:5]],
        "order_form": order_form,
        "help_form": help_form,
        "delivered_states": Order.DELIVERED,
    }
