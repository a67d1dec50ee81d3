"""The branch's money, to the fen, in double entry.

Every purchase, repayment, reimbursement and gift is one ``Transaction`` whose
``Entry`` amounts sum to zero. An amount is what the account is owed: a volunteer who
paid at the till (垫钱) is owed (+), the household whose bag it was owes (−). An account's
balance is the sum of its entries, nothing stored beside them. A mistake is corrected by
a reversing transaction, never by an edit: rows here are written once
(``supplies.ledger_services``).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compounds.models import Compound
from compounds.text import SingleLineField
from residents.models import Household
from supplies.errors import Code, SupplyError


class WrittenOnce(models.Model):
    """Ledger rows are written once: an edit or a delete would change history."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SupplyError(_history_message(), Code.LEDGER_HISTORY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise SupplyError(_history_message(), Code.LEDGER_HISTORY)


def _history_message() -> str:
    return gettext("The ledger is never edited: reverse the record and post the right one.")


class Account(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer")
        HOUSEHOLD = "household", _("household")
        BRANCH = "branch", _("branch")
        GIFTS = "gifts", _("gifts")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("compound")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("household"),
    )

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "user"],
                condition=models.Q(kind="volunteer"),
                name="account_one_per_volunteer",
            ),
            models.UniqueConstraint(
                fields=["compound", "household"],
                condition=models.Q(kind="household"),
                name="account_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["compound", "kind"],
                condition=models.Q(kind__in=["branch", "gifts"]),
                name="account_one_branch_one_gifts",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="volunteer", user__isnull=False, household__isnull=True)
                    | models.Q(kind="household", user__isnull=True, household__isnull=False)
                    | models.Q(
                        kind__in=["branch", "gifts"], user__isnull=True, household__isnull=True
                    )
                ),
                name="account_holder_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.VOLUNTEER and self.user is not None:
            return f"{self.get_kind_display()} {self.user.get_username()}"
        if self.kind == self.Kind.HOUSEHOLD and self.household is not None:
            return f"{self.get_kind_display()} {self.household.address}"
        return str(self.get_kind_display())


class Transaction(WrittenOnce):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("purchase")
        REPAYMENT = "repayment", _("repayment")
        REIMBURSEMENT = "reimbursement", _("reimbursement")
        GIFT = "gift", _("gift")
        REVERSAL = "reversal", _("reversal")

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        WECHAT = "wechat", _("WeChat")
        TRANSFER = "transfer", _("bank transfer")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="transactions", verbose_name=_("compound")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    method = models.CharField(_("paid with"), max_length=20, choices=Method.choices, blank=True)
    memo = SingleLineField(_("memo"), max_length=200, blank=True)
    order = models.ForeignKey(
        "supplies.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("order"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path = "compound"
    office_read_only = True

    class Meta(WrittenOnce.Meta):
        abstract = False
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Entry(WrittenOnce):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    scope_path = "transaction__compound"
    office_read_only = True

    class Meta(WrittenOnce.Meta):
        abstract = False
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="entry_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_fen}"
