"""Supplies in the community office's admin: read only. Runs, orders, money and requests
are written by their services (audit, locks, the ledger's balance), never here."""

from django.contrib import admin

from compounds.admin import ReadOnlyAdmin
from supplies.models import (
    Account,
    Entry,
    FollowUp,
    HelpEvent,
    HelpRequest,
    Order,
    OrderLine,
    RecurringOrder,
    Run,
    Transaction,
)


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["date", "compound", "building", "cutoff_at"]
    list_select_related = ["compound", "building"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["run", "household", "channel", "state", "cost_fen"]
    list_filter = ["state", "channel"]
    list_select_related = ["run", "household__building", "household__unit"]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = ["order", "name", "quantity", "unit", "status", "medicine"]


@admin.register(RecurringOrder)
class RecurringOrderAdmin(ReadOnlyAdmin):
    list_display = ["household", "every_days", "next_on", "active"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["compound", "kind", "user", "household"]
    list_filter = ["kind"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "compound", "kind", "method", "memo", "created_at"]
    list_filter = ["kind", "method"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["transaction", "account", "amount_fen"]


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "compound", "kind", "channel", "urgency", "state", "created_at"]
    list_filter = ["kind", "channel", "state", "urgency"]


@admin.register(HelpEvent)
class HelpEventAdmin(ReadOnlyAdmin):
    list_display = ["request", "state", "escalated_to", "at"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["request", "how", "at", "next_at"]
