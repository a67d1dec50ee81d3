"""The ledger page (managers): balances, the transactions, repayments, reimbursements
and reversals. No edit exists: a mistake is reversed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds.access import Level
from supplies import ledger_services
from supplies.errors import SupplyError
from supplies.forms import ReimbursementForm, RepaymentForm
from supplies.models import Transaction
from supplies.views import compound_for, context, int_or_zero, show_refusal


@login_required
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    repay = RepaymentForm(compound=compound)
    reimburse = ReimbursementForm(compound=compound)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "repay":
                repay = RepaymentForm(request.POST, compound=compound)
                if repay.is_valid():
                    ledger_services.repayment_record(
                        household=repay.cleaned_data["household"],
                        amount_fen=repay.cleaned_data["amount"],
                        method=repay.cleaned_data["method"],
                        to_volunteer=repay.cleaned_data["to_volunteer"],
                        actor=request.user,
                    )
                    messages.success(request, _("Repayment recorded."))
                    return redirect("supplies:ledger", compound.pk)
            elif action == "reimburse":
                reimburse = ReimbursementForm(request.POST, compound=compound)
                if reimburse.is_valid():
                    ledger_services.reimbursement_record(
                        compound=compound,
                        volunteer=reimburse.cleaned_data["volunteer"],
                        amount_fen=reimburse.cleaned_data["amount"],
                        method=reimburse.cleaned_data["method"],
                        actor=request.user,
                    )
                    messages.success(request, _("Reimbursement recorded."))
                    return redirect("supplies:ledger", compound.pk)
            elif action == "reverse":
                record = Transaction.objects.filter(
                    compound=compound, pk=int_or_zero(request.POST.get("transaction"))
                ).first()
                if record is None:
                    raise Http404
                ledger_services.transaction_reverse(transaction=record, actor=request.user)
                messages.success(request, _("Record reversed."))
                return redirect("supplies:ledger", compound.pk)
        except SupplyError as refusal:
            show_refusal(request, refusal)
    return render(
        request,
        "supplies/ledger.html",
        context(
            request,
            compound,
            accounts=ledger_services.balances(compound=compound),
            transactions=ledger_services.transactions_of(compound=compound)[:200],
            repay=repay,
            reimburse=reimburse,
            yuan=ledger_services.yuan,
        ),
    )
