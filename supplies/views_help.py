"""Help pages: the board (requests beside open fever alerts), one request, the summary."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds import access
from supplies import help_selectors, help_services, texts
from supplies.errors import SupplyError
from supplies.forms import FollowUpForm, HelpRequestForm, MoveForm, TipForm
from supplies.models import HelpRequest
from supplies.views import _household_at, compound_for, context, show_refusal


@login_required
@require_http_methods(["GET", "POST"])
def board(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    form = HelpRequestForm()
    if request.method == "POST":
        form = HelpRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            household, problem = (None, None)
            if data["address"]:
                household, problem = _household_at(compound, data["address"])
            if problem:
                form.add_error("address", problem)
            else:
                try:
                    created = help_services.help_request_create(
                        compound=compound,
                        channel=data["channel"],
                        kind=data["kind"],
                        urgency=data["urgency"],
                        summary=data["summary"],
                        contact=data["contact"],
                        temperature=data["temperature"],
                        household=household,
                        actor=request.user,
                    )
                except SupplyError as refusal:
                    show_refusal(request, refusal, form)
                else:
                    if created.fever_alert_id:
                        messages.warning(request, _("A fever alert was raised for this request."))
                    return redirect("supplies:help-request", compound.pk, created.pk)
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "supplies/help.html",
        context(
            request,
            compound,
            rows=help_selectors.help_board(compound=compound, include_resolved=show_all),
            show_all=show_all,
            form=form,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, compound_id: int, request_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    found = access.get_scoped_or_404(
        request.user,
        help_selectors.requests_of(compound=compound),
        pk=request_id,
    )
    forms_ = {
        "move": MoveForm(compound=compound),
        "follow_up": FollowUpForm(),
        "tip": TipForm(initial=instance_data(found)),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            form: forms.Form
            if action == "move":
                form = forms_["move"] = MoveForm(request.POST, compound=compound)
                if form.is_valid():
                    help_services.help_request_move(
                        request=found,
                        state=form.cleaned_data["state"],
                        escalated_to=form.cleaned_data["escalated_to"],
                        note=form.cleaned_data["note"],
                        handler=form.cleaned_data["handler"],
                        actor=request.user,
                    )
                    return redirect("supplies:help-request", compound.pk, found.pk)
            elif action == "follow_up":
                form = forms_["follow_up"] = FollowUpForm(request.POST)
                if form.is_valid():
                    help_services.help_follow_up(
                        request=found,
                        how=form.cleaned_data["how"],
                        outcome=form.cleaned_data["outcome"],
                        next_at=form.cleaned_data["next_at"],
                        actor=request.user,
                    )
                    return redirect("supplies:help-request", compound.pk, found.pk)
            elif action == "tip":
                form = forms_["tip"] = TipForm(request.POST)
                if form.is_valid():
                    help_services.help_tip_record(
                        request=found,
                        investigation=form.cleaned_data["investigation"],
                        finding=form.cleaned_data["finding"],
                        actor=request.user,
                    )
                    return redirect("supplies:help-request", compound.pk, found.pk)
        except SupplyError as refusal:
            show_refusal(request, refusal)
    state, _escalated = help_selectors.state_of(found)
    return render(
        request,
        "supplies/help_request.html",
        context(
            request,
            compound,
            item=found,
            state=state,
            state_label=help_selectors.state_label(found),
            forms=forms_,
            resolved=state == HelpRequest.State.RESOLVED,
            **help_selectors.history_of(found),
        ),
    )


def instance_data(found: HelpRequest) -> dict[str, str]:
    return {"investigation": found.investigation, "finding": found.finding}


@login_required
def summary(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    return render(
        request,
        "supplies/summary.html",
        context(request, compound, text=texts.help_summary(compound=compound)),
    )
