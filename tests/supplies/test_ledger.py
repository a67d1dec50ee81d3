"""The ledger: balanced transactions, balances as sums of entries, reversals not edits."""

import pytest
from django.db.models import Sum

from supplies import ledger_services as ledger
from supplies import list_services, services
from supplies.errors import SupplyError
from supplies.models import Account, Entry, Transaction
from supplies.services import LineInput


@pytest.fixture
def money(run_a, rooms, volunteer, secretary):
    """Two bags paid by the volunteer, one disinfectant given free; repayments both ways,
    a reimbursement, and a correction."""
    bags = [
        services.order_save(run=run_a, household=h, lines=[LineInput("米")], actor=volunteer)
        for h in (rooms["20-1702"], rooms["20-1801"], rooms["20-1902"])
    ]
    list_services.order_bag(order=bags[0], cost_fen=4560, paid_by=volunteer, actor=volunteer)
    list_services.order_bag(order=bags[1], cost_fen=1999, paid_by=volunteer, actor=volunteer)
    list_services.order_bag(
        order=bags[2], cost_fen=800, paid_by=volunteer, gift=True, actor=volunteer
    )
    ledger.repayment_record(
        household=rooms["20-1702"],
        amount_fen=4560,
        method="wechat",
        to_volunteer=volunteer,
        actor=secretary,
    )
    wrong = ledger.repayment_record(
        household=rooms["20-1801"], amount_fen=2000, method="cash", actor=secretary
    )
    ledger.transaction_reverse(transaction=wrong, actor=secretary)
    ledger.repayment_record(
        household=rooms["20-1801"], amount_fen=1999, method="cash", actor=secretary
    )
    ledger.reimbursement_record(
        compound=run_a.compound,
        volunteer=volunteer,
        amount_fen=2799,
        method="transfer",
        actor=secretary,
    )
    return bags


def test_every_transaction_balances_and_every_balance_is_the_sum_of_its_entries(money, compound_a):
    assert ledger.unbalanced_transactions(compound=compound_a) == []
    for record in Transaction.objects.all():
        assert sum(record.entries.values_list("amount_fen", flat=True)) == 0, record
    for account in ledger.balances(compound=compound_a):
        summed = Entry.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        assert account.balance_fen == summed
    assert sum(a.balance_fen or 0 for a in ledger.balances(compound=compound_a)) == 0


def test_the_balances_say_who_owes_whom(money, compound_a, rooms, volunteer):
    balance = {
        (a.kind, a.user_id or a.household_id): a.balance_fen
        for a in ledger.balances(compound=compound_a)
    }
    assert balance[("volunteer", volunteer.pk)] == 0  # paid 73.59, got 45.60 + 27.99 back
    assert balance[("household", rooms["20-1702"].pk)] == 0
    assert balance[("household", rooms["20-1801"].pk)] == 0
    assert ("household", rooms["20-1902"].pk) not in balance  # the gift is no debt
    assert balance[("gifts", None)] == -800
    assert balance[("branch", None)] == 800  # holds 19.99, paid out 27.99


def test_a_transaction_cannot_be_edited_or_deleted(money):
    record = Transaction.objects.first()
    record.memo = "changed"
    with pytest.raises(SupplyError) as refused:
        record.save()
    assert refused.value.code == "ledger_history"
    entry = Entry.objects.first()
    with pytest.raises(SupplyError):
        entry.delete()
    with pytest.raises(SupplyError):
        entry.save()


def test_a_record_is_reversed_once_and_a_reversal_not_at_all(money, secretary):
    reversed_once = Transaction.objects.filter(reversed_by__isnull=False).first()
    with pytest.raises(SupplyError) as refused:
        ledger.transaction_reverse(transaction=reversed_once, actor=secretary)
    assert refused.value.code == "already_reversed"
    reversal = Transaction.objects.filter(kind="reversal").first()
    with pytest.raises(SupplyError) as refused:
        ledger.transaction_reverse(transaction=reversal, actor=secretary)
    assert refused.value.code == "ledger_history"


def test_an_unbalanced_transaction_is_refused_and_nothing_saved(compound_a, secretary, household_a):
    before = Transaction.objects.count()
    household = ledger.household_account(household_a)
    branch = ledger.branch_account(compound_a)
    with pytest.raises(SupplyError) as refused:
        ledger.ledger_post(
            compound=compound_a,
            kind="repayment",
            entries=[(household, 100), (branch, -99)],
            actor=secretary,
        )
    assert refused.value.code == "unbalanced"
    assert Transaction.objects.count() == before


@pytest.mark.parametrize("amount", [0, -100, 1_000_001, 12.5, True])
def test_negative_or_absurd_amounts_are_refused(household_a, secretary, amount):
    with pytest.raises(SupplyError) as refused:
        ledger.repayment_record(
            household=household_a, amount_fen=amount, method="cash", actor=secretary
        )
    assert refused.value.code == "amount_invalid"
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "text,fen",
    [("12.5", 1250), ("0.01", 1), ("¥8", 800), ("45.60元", 4560)],
)
def test_yuan_are_read_to_the_fen(text, fen):
    assert ledger.fen_from_yuan(text) == fen


@pytest.mark.parametrize("text", ["-3", "0.001", "abc", "1e9", ""])
def test_bad_yuan_are_refused(text):
    with pytest.raises(SupplyError):
        ledger.fen_from_yuan(text)


def test_accounts_are_one_per_holder(compound_a, household_a, volunteer):
    assert ledger.household_account(household_a) == ledger.household_account(household_a)
    assert ledger.volunteer_account(compound_a, volunteer) == ledger.volunteer_account(
        compound_a, volunteer
    )
    assert Account.objects.count() == 2
