"""Run pages: the runs, one run's orders, the paste page, the morning list and labels.

Anyone who can see the compound reads them; the run's volunteers and the compound's
managers take orders, paste, tick, pay and deliver (``services.can_work_on``); managers
create runs and export.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compounds import access
from compounds.access import Level
from compounds.models import Compound
from compounds.services import audit_record
from compounds.xlsx import workbook_response
from residents.addresses import parse_address
from residents.selectors import households_at
from supplies import audit, exports, list_services, selectors, services, texts
from supplies.errors import SupplyError
from supplies.forms import (
    BagForm,
    DeliverForm,
    ItemMarkForm,
    LineMarkForm,
    OrderForm,
    RunForm,
    compound_people,
)
from supplies.ledger_services import yuan
from supplies.models import Order, OrderLine, Run


def compound_for(request: HttpRequest, compound_id: int, need: Level = Level.VOLUNTEER) -> Compound:
    return access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id, need=need)


def _run(request: HttpRequest, compound: Compound, run_id: int) -> Run:
    return access.get_scoped_or_404(
        request.user,
        Run.objects.filter(compound=compound).select_related("compound", "building"),
        pk=run_id,
    )


def _work_run(request: HttpRequest, compound: Compound, run_id: int) -> Run:
    run = _run(request, compound, run_id)
    if not services.can_work_on(request.user, run):
        raise Http404
    return run


def context(request: HttpRequest, compound: Compound, **extra: Any) -> dict[str, Any]:
    level = access.level_for(request.user, compound)
    return {
        "compound": compound,
        "can_manage": level >= Level.MANAGE,
        "personal": access.sees_personal_data(request.user, compound),
        "now": timezone.now(),
        **extra,
    }


def int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def show_refusal(
    request: HttpRequest, refusal: SupplyError, form: forms.Form | None = None
) -> None:
    if form is not None:
        form.add_error(None, forms.ValidationError(str(refusal.message), code=refusal.code))
    else:
        messages.error(request, str(refusal.message))


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    form = RunForm(compound=compound)
    if request.method == "POST":
        access.require(request.user, compound, Level.MANAGE)
        if request.POST.get("action") == "stop_recurring":
            recurring = selectors.recurring_orders_of(compound=compound).filter(
                pk=int_or_zero(request.POST.get("recurring"))
            )
            for found in recurring:
                services.recurring_order_stop(recurring=found, actor=request.user)
            return redirect("supplies:runs", compound.pk)
        form = RunForm(request.POST, compound=compound)
        if form.is_valid():
            try:
                run = services.run_create(
                    compound=compound,
                    date=form.cleaned_data["date"],
                    cutoff_at=form.cutoff_at(),
                    building=form.cleaned_data["building"],
                    volunteers=form.cleaned_data["volunteers"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except SupplyError as refusal:
                show_refusal(request, refusal, form)
            else:
                return redirect("supplies:run", compound.pk, run.pk)
    return render(
        request,
        "supplies/runs.html",
        context(
            request,
            compound,
            runs=selectors.runs_of(compound=compound),
            recurring=selectors.recurring_orders_of(compound=compound),
            form=form,
        ),
    )


def _household_at(compound: Compound, text: str) -> Any:
    address = parse_address(text)
    if address is None:
        return None, _("Write the room as 20-1702 or 20-2-1702.")
    found = households_at(compound=compound, addresses=[address])[address]
    if found.household is None:
        if found.ambiguous:
            return None, _("Several households live at this room; pick the unit.")
        return None, _("No household of this compound lives at this room; pick one.")
    return found.household, None


@login_required
@require_http_methods(["GET", "POST"])
def run(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    """The run's orders, and an order typed from a phone call."""
    compound = compound_for(request, compound_id)
    found = _run(request, compound, run_id)
    can_work = services.can_work_on(request.user, found)
    form = OrderForm()
    if request.method == "POST":
        if not can_work:
            raise Http404
        form = OrderForm(request.POST)
        if form.is_valid():
            household, problem = _household_at(compound, form.cleaned_data["address"])
            if household is None:
                form.add_error("address", problem)
            else:
                try:
                    _take_order(request, found, household, form)
                except SupplyError as refusal:
                    show_refusal(request, refusal, form)
                else:
                    messages.success(
                        request, _("Order saved for %(a)s.") % {"a": household.address}
                    )
                    return redirect("supplies:run", compound.pk, found.pk)
    return render(
        request,
        "supplies/run.html",
        context(
            request,
            compound,
            run=found,
            listed=selectors.morning_list(run=found),
            can_work=can_work,
            open=timezone.now() < found.cutoff_at,
            form=form,
        ),
    )


def _take_order(request: HttpRequest, run: Run, household: Any, form: OrderForm) -> None:
    from django.db import transaction

    lines = form.line_inputs()
    with transaction.atomic():
        services.order_save(run=run, household=household, lines=lines, actor=request.user)
        days = form.cleaned_data.get("recurring_days")
        if days:
            from datetime import timedelta

            services.recurring_order_create(
                household=household,
                lines=lines,
                every_days=days,
                next_on=run.date + timedelta(days=days),
                actor=request.user,
            )


@login_required
def run_paste(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    """The paste page: the 接龙 API's preview, fixes of unread lines, then commit."""
    compound = compound_for(request, compound_id)
    found = _work_run(request, compound, run_id)
    return render(
        request,
        "supplies/paste.html",
        context(request, compound, run=found, open=timezone.now() < found.cutoff_at),
    )


@login_required
def run_list(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    """The morning list: what to buy summed by item, and the bag per household."""
    compound = compound_for(request, compound_id)
    found = _run(request, compound, run_id)
    return render(
        request,
        "supplies/list.html",
        context(
            request,
            compound,
            run=found,
            listed=selectors.morning_list(run=found),
            can_work=services.can_work_on(request.user, found),
            payers=list(compound_people(compound)),
            states=[c for c in Order.State.choices if c[0] != Order.State.OPEN],
            yuan=yuan,
        ),
    )


@login_required
@require_POST
def run_mark(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    """Tick a line, record a bag's cost and payer, or its delivery (POST, then back)."""
    compound = compound_for(request, compound_id)
    found = _work_run(request, compound, run_id)
    action = request.POST.get("action")
    anchor = ""
    try:
        if action == "line":
            form: forms.Form = LineMarkForm(request.POST)
            if form.is_valid():
                line = OrderLine.objects.filter(
                    order__run=found, pk=form.cleaned_data["line"]
                ).first()
                if line is None:
                    raise Http404
                list_services.order_line_mark(
                    line=line, status=form.cleaned_data["status"], actor=request.user
                )
                anchor = f"#bag-{line.order_id}"
        elif action == "item":
            form = ItemMarkForm(request.POST)
            if form.is_valid():
                list_services.shopping_item_mark(run=found, actor=request.user, **form.cleaned_data)
                anchor = "#shopping"
        elif action == "bag":
            form = BagForm(request.POST, compound=compound)
            if form.is_valid():
                order = _order(found, form.cleaned_data["order"])
                list_services.order_bag(
                    order=order,
                    cost_fen=form.cleaned_data["cost"],
                    paid_by=form.cleaned_data["paid_by"],
                    gift=form.cleaned_data["gift"],
                    actor=request.user,
                )
                anchor = f"#bag-{order.pk}"
        elif action == "deliver":
            form = DeliverForm(request.POST)
            if form.is_valid():
                order = _order(found, form.cleaned_data["order"])
                list_services.order_deliver(
                    order=order, state=form.cleaned_data["state"], actor=request.user
                )
                anchor = f"#bag-{order.pk}"
        else:
            raise Http404
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
    except SupplyError as refusal:
        show_refusal(request, refusal)
    return redirect(f"{_list_url(compound, found)}{anchor}")


def _list_url(compound: Compound, run: Run) -> str:
    from django.urls import reverse

    return reverse("supplies:run-list", args=[compound.pk, run.pk])


def _order(run: Run, order_id: int) -> Order:
    order = Order.objects.filter(run=run, pk=order_id).select_related("household").first()
    if order is None:
        raise Http404
    return order


@login_required
def run_labels(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    """A label per bag: room, masked name, item count. A4, cut along the lines."""
    compound = compound_for(request, compound_id)
    found = _run(request, compound, run_id)
    return render(
        request,
        "supplies/labels.html",
        context(request, compound, run=found, listed=selectors.morning_list(run=found)),
    )


@login_required
def run_summary(request: HttpRequest, compound_id: int, run_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    found = _run(request, compound, run_id)
    return render(
        request,
        "supplies/summary.html",
        context(request, compound, run=found, text=texts.run_summary(run=found)),
    )


@login_required
def export(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    book = exports.supplies_workbook(
        compound=compound, personal=access.sees_personal_data(request.user, compound)
    )
    audit_record(compound=compound, actor=request.user, action=audit.EXPORT_SUPPLIES, obj=compound)
    stamp = timezone.localdate().isoformat()
    return workbook_response(book, f"{compound.name}-{_('supplies')}-{stamp}.xlsx")
