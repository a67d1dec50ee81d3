"""Grocery runs (菜篮子) and the orders they carry.

A run is one trip to the shop for a compound, or for one sealed building, on one day:
orders come in until its cut-off, then its volunteers buy item by item, one bag per
household, and hand the bags over. An order not delivered stays open for the next run
(``supplies.services.run_create`` carries it over).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, Compound
from compounds.text import MultiLineField, SingleLineField
from residents.models import Household

# What one line may ask for: more is a typing slip (2000 斤 of cabbage), not an order.
QUANTITY_MAX = Decimal("999")


class Run(models.Model):
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="runs", verbose_name=_("compound")
    )
    # Set for a sealed building's own run; empty for the whole compound.
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("building"),
    )
    date = models.DateField(_("date"))
    cutoff_at = models.DateTimeField(_("orders close at"))
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="supply_runs",
        blank=True,
        verbose_name=_("volunteers"),
    )
    note = MultiLineField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("grocery run")
        verbose_name_plural = _("grocery runs")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["compound", "date"], name="run_compound_date_idx")]

    def __str__(self) -> str:
        where = f" · {self.building.number}" if self.building_id and self.building else ""
        return f"{self.date}{where}"


class RecurringOrder(models.Model):
    """An order that comes back by itself (weekly medicine): on the first run on or after
    ``next_on``, its lines join the household's order, and ``next_on`` moves on."""

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="recurring_orders",
        verbose_name=_("household"),
    )
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)
    next_on = models.DateField(_("next on"))
    # [{"name", "quantity", "unit", "note", "medicine", "prescription_note"}]
    lines = models.JSONField(_("lines"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "household__compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("recurring order")
        verbose_name_plural = _("recurring orders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_days__gte=1, every_days__lte=90),
                name="recurringorder_period_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} / {self.every_days}"


class Order(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("phone order")
        JIELONG = "jielong", _("WeChat chain (接龙)")
        PAGE = "page", _("household's own page")
        RECURRING = "recurring", _("recurring order")
        CARRIED = "carried", _("carried over")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        PACKED = "packed", _("bag packed")
        AT_BUILDING = "at_building", _("handed to the building")
        AT_DOOR = "at_door", _("handed to the door")
        CONFIRMED = "confirmed", _("confirmed by the household")
        NOT_REACHED = "not_reached", _("not reached")

    DELIVERED = (State.AT_BUILDING, State.AT_DOOR, State.CONFIRMED)

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="orders")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="orders", verbose_name=_("household")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    note = MultiLineField(_("note"), max_length=300, blank=True)
    # The bag: what it cost, to the fen, and who paid at the till (垫钱).
    cost_fen = models.PositiveIntegerField(_("cost (fen)"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    gift = models.BooleanField(_("given free"), default=False)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "run__compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="order_one_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} · {self.household_id}"

    @property
    def delivered(self) -> bool:
        return self.state in self.DELIVERED


class OrderLine(models.Model):
    class Status(models.TextChoices):
        WANTED = "wanted", _("to buy")
        BOUGHT = "bought", _("bought")
        OUT_OF_STOCK = "out_of_stock", _("out of stock")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    name = SingleLineField(_("item"), max_length=50)
    quantity = models.DecimalField(
        _("quantity"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    unit = SingleLineField(_("unit of measure"), max_length=10, blank=True)
    note = SingleLineField(_("note"), max_length=100, blank=True)
    medicine = models.BooleanField(_("medicine"), default=False)
    prescription_note = SingleLineField(_("prescription note"), max_length=200, blank=True)
    # Where the line came from: a paste replaces its own lines and keeps the others.
    channel = models.CharField(_("channel"), max_length=20, choices=Order.Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WANTED
    )

    scope_path = "order__run__compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True)
                | models.Q(quantity__gt=0, quantity__lte=QUANTITY_MAX),
                name="orderline_quantity_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class JielongPaste(models.Model):
    """A committed paste, kept for its client key: the same key again gets the same
    answer and writes nothing (a double tap, a retried request)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="pastes")
    client_key = models.UUIDField()
    text_hash = SingleLineField(max_length=64)
    answer = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "run__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("pasted chain")
        verbose_name_plural = _("pasted chains")
        constraints = [
            models.UniqueConstraint(fields=["run", "client_key"], name="jielongpaste_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} · {self.client_key}"
