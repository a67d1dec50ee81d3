"""The ledger's writes and its two reads that matter (balances, the invariant).

Money is integer fen. Each purchase, repayment, reimbursement and gift is one balanced
transaction (``ledger_post`` refuses one that is not); a correction is a reversing
transaction (``transaction_reverse``); rows are never changed or deleted
(``supplies.models.ledger`` refuses it too). An amount is what the account is owed.

- purchase: the volunteer who paid +cost, the household −cost;
- gift (the disinfectant for the elderly): the volunteer +cost, the branch's gifts −cost;
- repayment, to the volunteer: the household +amount, the volunteer −amount;
- repayment through the branch: the household +amount, the branch −amount;
- reimbursement, the branch pays a volunteer back: the branch +amount, the volunteer −amount.
"""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from compounds.access import Level, level_for
from compounds.models import Compound
from compounds.services import audit_record
from compounds.text import check_text_fields
from residents.models import Household
from supplies import audit
from supplies.errors import Code, SupplyError
from supplies.models import Account, Entry, Order, Transaction

# 10,000 yuan: more than any bag or repayment of a grocery run; more is a typing slip.
AMOUNT_MAX_FEN = 1_000_000


def _is_fen(value: object) -> bool:
    """A non-zero whole number of fen (not a float, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value != 0


def check_amount(fen: Any) -> int:
    if not isinstance(fen, int) or isinstance(fen, bool) or not 0 < fen <= AMOUNT_MAX_FEN:
        raise SupplyError(
            _("An amount is above 0 and at most %(max)s yuan.") % {"max": AMOUNT_MAX_FEN // 100},
            Code.AMOUNT_INVALID,
        )
    return fen


def fen_from_yuan(text: Any) -> int:
    """ "12.5" yuan → 1250 fen; refuses a negative, a fraction of a fen, an absurd sum."""
    try:
        value = Decimal(str(text).strip().replace("¥", "").replace("元", ""))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    fen = value * 100 if value.is_finite() else Decimal(-1)
    if fen != fen.to_integral_value():
        fen = Decimal(-1)
    return check_amount(int(fen))


def yuan(fen: int | None) -> str:
    """1250 → "12.50"."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


# --- accounts -------------------------------------------------------------------------------


def volunteer_account(compound: Compound | int, user: Any) -> Account:
    compound_id = compound if isinstance(compound, int) else compound.pk
    return Account.objects.get_or_create(compound_id=compound_id, kind="volunteer", user=user)[0]


def household_account(household: Household) -> Account:
    return Account.objects.get_or_create(
        compound_id=household.compound_id, kind="household", household=household
    )[0]


def branch_account(compound: Compound | int, kind: str = Account.Kind.BRANCH) -> Account:
    compound_id = compound if isinstance(compound, int) else compound.pk
    return Account.objects.get_or_create(compound_id=compound_id, kind=kind)[0]


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def ledger_post(
    *,
    compound: Compound | int,
    kind: str,
    entries: Sequence[tuple[Account, int]],
    actor: Any,
    method: str = "",
    memo: str = "",
    order: Order | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """One balanced transaction: its amounts sum to zero, none is zero."""
    compound_id = compound if isinstance(compound, int) else compound.pk
    if kind not in Transaction.Kind.values:
        raise SupplyError(_("Unknown kind of money record."), Code.INVALID)
    if method and method not in Transaction.Method.values:
        raise SupplyError(_("Choose cash, WeChat or bank transfer."), Code.METHOD_INVALID)
    amounts = [fen for _account, fen in entries]
    if len(entries) < 2 or sum(amounts) != 0 or not all(_is_fen(f) for f in amounts):
        raise SupplyError(_("A money record must balance to the fen."), Code.UNBALANCED)
    if any(account.compound_id != compound_id for account, _fen in entries):
        raise SupplyError(_("Every account must be of this compound."), Code.INVALID)
    record = Transaction(
        compound_id=compound_id,
        kind=kind,
        method=method,
        memo=memo,
        order=order,
        reverses=reverses,
        created_by=actor,
    )
    check_text_fields(record, error=SupplyError)
    record.save()
    Entry.objects.bulk_create(
        Entry(transaction=record, account=account, amount_fen=fen) for account, fen in entries
    )
    audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.LEDGER_REVERSE if reverses else audit.LEDGER_POST,
        obj=record,
        changes={"kind": kind, "fen": sum(f for f in amounts if f > 0), "method": method},
    )
    return record


def purchase_record(
    *, order: Order, cost_fen: int, payer: Any, actor: Any, gift: bool = False
) -> Transaction:
    compound_id = order.household.compound_id
    paid = volunteer_account(compound_id, payer)
    owes = (
        branch_account(compound_id, Account.Kind.GIFTS)
        if gift
        else household_account(order.household)
    )
    return ledger_post(
        compound=compound_id,
        kind=Transaction.Kind.GIFT if gift else Transaction.Kind.PURCHASE,
        entries=[(paid, check_amount(cost_fen)), (owes, -cost_fen)],
        actor=actor,
        memo=order.household.address,
        order=order,
    )


def repayment_record(
    *,
    household: Household,
    amount_fen: int,
    method: str,
    actor: Any,
    to_volunteer: Any = None,
) -> Transaction:
    """The household pays back: to the volunteer who paid, or to the branch."""
    check_amount(amount_fen)
    if method not in Transaction.Method.values:
        raise SupplyError(_("Choose cash, WeChat or bank transfer."), Code.METHOD_INVALID)
    if to_volunteer is not None:
        if level_for(to_volunteer, household.compound_id) < Level.VOLUNTEER:
            raise SupplyError(_("Say which volunteer of this compound paid."), Code.PAYER_REQUIRED)
        receiver = volunteer_account(household.compound_id, to_volunteer)
    else:
        receiver = branch_account(household.compound_id)
    return ledger_post(
        compound=household.compound_id,
        kind=Transaction.Kind.REPAYMENT,
        entries=[(household_account(household), amount_fen), (receiver, -amount_fen)],
        actor=actor,
        method=method,
        memo=household.address,
    )


def reimbursement_record(
    *, compound: Compound, volunteer: Any, amount_fen: int, method: str, actor: Any
) -> Transaction:
    """The branch pays a volunteer back what they advanced."""
    check_amount(amount_fen)
    if level_for(volunteer, compound) < Level.VOLUNTEER:
        raise SupplyError(_("Say which volunteer of this compound paid."), Code.PAYER_REQUIRED)
    return ledger_post(
        compound=compound,
        kind=Transaction.Kind.REIMBURSEMENT,
        entries=[
            (branch_account(compound), amount_fen),
            (volunteer_account(compound, volunteer), -amount_fen),
        ],
        actor=actor,
        method=method,
        memo=volunteer.get_username(),
    )


@transaction.atomic
def transaction_reverse(*, transaction: Transaction, actor: Any, memo: str = "") -> Transaction:
    """The correction: the same entries with the opposite signs, pointing back."""
    original = Transaction.objects.select_for_update().get(pk=transaction.pk)
    if original.kind == Transaction.Kind.REVERSAL:
        raise SupplyError(
            _("A reversal is not reversed: record the right amount instead."), Code.LEDGER_HISTORY
        )
    if Transaction.objects.filter(reverses=original).exists():
        raise SupplyError(_("This record is already reversed."), Code.ALREADY_REVERSED)
    entries = [(e.account, -e.amount_fen) for e in original.entries.select_related("account")]
    return ledger_post(
        compound=original.compound_id,
        kind=Transaction.Kind.REVERSAL,
        entries=entries,
        actor=actor,
        memo=memo or _("reverses #%(id)d") % {"id": original.pk},
        order=original.order,
        reverses=original,
    )


# --- reads ----------------------------------------------------------------------------------


def balances(*, compound: Compound) -> QuerySet[Account]:
    """Every account of the compound with its balance: the sum of its entries."""
    return (
        Account.objects.filter(compound=compound)
        .select_related("user", "household__building", "household__unit")
        .annotate(balance_fen=Sum("entries__amount_fen"), entries_count=Count("entries"))
        .order_by("kind", "id")
    )


def transactions_of(*, compound: Compound) -> QuerySet[Transaction]:
    return (
        Transaction.objects.filter(compound=compound)
        .select_related("created_by", "reverses")
        .prefetch_related("entries__account__user", "entries__account__household__building")
        .annotate(reversed_count=Count("reversed_by"))
        .order_by("-created_at", "-id")
    )


def unbalanced_transactions(*, compound: Compound) -> list[int]:
    """The ids of transactions whose entries do not sum to zero: always empty."""
    sums = (
        Entry.objects.filter(transaction__compound=compound)
        .values("transaction_id")
        .annotate(total=Sum("amount_fen"))
        .exclude(total=0)
    )
    return [row["transaction_id"] for row in sums]
