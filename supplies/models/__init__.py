"""Supplies and help: the models, one module per part (runs and orders, the ledger, help)."""

from supplies.models.help import FollowUp, HelpEvent, HelpRequest
from supplies.models.ledger import Account, Entry, Transaction
from supplies.models.runs import (
    JielongPaste,
    Order,
    OrderLine,
    RecurringOrder,
    Run,
)

__all__ = [
    "Account",
    "Entry",
    "FollowUp",
    "HelpEvent",
    "HelpRequest",
    "JielongPaste",
    "Order",
    "OrderLine",
    "RecurringOrder",
    "Run",
    "Transaction",
]
