"""Households (户), the people who live in them, and their health: the compound's fever
line and the fever alerts raised about a person, wherever the reading was taken."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, Compound, Unit
from compounds.ordering import NaturalKey, natural_key
from compounds.text import MultiLineField, SingleLineField
from residents.flags import FLAGS, Flag, flag_field
from residents.validators import (
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    validate_id_number,
    validate_phone,
)


def address_order(prefix: str = "") -> NaturalKey:
    """Households in address order (20-1-101, 20-1-1002, 20-2-101): building, unit, room.

    ``prefix`` reaches a household from another model: ``address_order("household__")``.
    """
    return NaturalKey(f"{prefix}building__number", f"{prefix}unit__number", f"{prefix}room")


class Household(models.Model):
    # The compound is stored beside the building (always equal to building.compound)
    # so that scoping and the gate read one row without a join.
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="households", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("unit"),
    )
    room = SingleLineField(_("room"), max_length=20, help_text=_("For example 1702."))
    contact_phone = SingleLineField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    note = MultiLineField(_("note"), max_length=200, blank=True)
    quarantine_until = models.DateField(
        _("household in home quarantine until"),
        null=True,
        blank=True,
        help_text=_("While set and not past, nobody of this household may go out."),
    )
    # The compound's gate_version when a gate input of this household or of one of its
    # members last changed (``residents.services.gate_households_changed``).
    gate_version = models.PositiveBigIntegerField(
        _("gate version"), default=0, db_default=0, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = [address_order()]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"],
                condition=models.Q(unit__isnull=False),
                name="household_unique_address_in_unit",
            ),
            models.UniqueConstraint(
                fields=["building", "room"],
                condition=models.Q(unit__isnull=True),
                name="household_unique_address_no_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address_key(self) -> str:
        """The key of ``address_order`` in Python, for lists already in memory."""
        unit = self.unit.number if self.unit else None
        return natural_key(self.building.number, unit, self.room)

    @property
    def address(self) -> str:
        """The short address volunteers say and type: 20-1702, or 20-2-1702 with a unit."""
        if self.unit:
            return f"{self.building.number}-{self.unit.number}-{self.room}"
        return f"{self.building.number}-{self.room}"


# The name an erased resident carries, stored as is (a stored value, not a message): the
# pages show it as written. ``ERASED_LABEL`` is the translated word for badges and titles.
ERASED_NAME = "已删除"
ERASED_LABEL = _("erased")


class Resident(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        RELATIVE = "relative", _("other relative")
        TENANT = "tenant", _("tenant")
        OTHER = "other", _("other")

    class Transport(models.TextChoices):
        CAR = "car", _("own car")
        TRAIN = "train", _("train")
        BUS = "bus", _("coach")
        PLANE = "plane", _("plane")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("household")
    )
    name = SingleLineField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    phone = SingleLineField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    id_number = SingleLineField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    relation = models.CharField(
        _("relation to head"), max_length=20, choices=Relation.choices, default=Relation.HEAD
    )
    # The flags, their labels and their order are residents.flags.FLAGS.
    party_member = flag_field("party_member")
    elderly_alone = flag_field("elderly_alone")
    chronic_illness = flag_field("chronic_illness")
    disability = flag_field("disability")
    pregnant = flag_field("pregnant")
    infant = flag_field("infant")
    returnee = flag_field("returnee")
    returned_from = SingleLineField(_("returned from"), max_length=100, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, blank=True
    )
    quarantine_until = models.DateField(
        _("in home quarantine until"),
        null=True,
        blank=True,
        help_text=_("While set and not past, this resident may not go out."),
    )
    note = MultiLineField(_("note"), max_length=200, blank=True)
    # Set by ``resident_erase``: the person asked to be forgotten. The row stays, so that
    # passages, visits and ledger entries keep their links and the figures still add up.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # Set by ``resident_move_out`` (a door visit found them gone): the row stays, as the
    # rounds' comparison and the passages keep their links; the gate no longer counts them.
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "household__compound"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "id"]
        indexes = [models.Index(fields=["phone"], name="resident_phone_idx")]
        constraints = [
            # Erased residents all carry ERASED_NAME: two in one household may not clash.
            models.UniqueConstraint(
                fields=["household", "name"],
                condition=models.Q(erased_at__isnull=True),
                name="resident_unique_name_in_household",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def moved_out(self) -> bool:
        return self.moved_out_on is not None

    @property
    def vulnerable(self) -> bool:
        return any(getattr(self, flag.name) for flag in FLAGS if flag.vulnerable)

    @property
    def flags_set(self) -> list[Flag]:
        """The flags this resident has, in the one order (the badges)."""
        return [flag for flag in FLAGS if getattr(self, flag.name)]


DEFAULT_FEVER_LINE = Decimal("37.3")


class HealthRules(models.Model):
    """A compound's health rules, read by every app that measures people: the gate, and
    later door visits and quarantine checks. Here rather than in the gate's rules, since
    a reading taken at a door is a fever at the same line; and here rather than on the
    kernel's ``Compound``, which knows places, not people. A compound without a row has
    the defaults (``health_rules_for``)."""

    compound = models.OneToOneField(
        Compound, on_delete=models.CASCADE, related_name="health_rules", verbose_name=_("compound")
    )
    fever_line = models.DecimalField(
        _("fever line (°C)"),
        max_digits=3,
        decimal_places=1,
        default=DEFAULT_FEVER_LINE,
        validators=[MinValueValidator(Decimal("36.5")), MaxValueValidator(Decimal("39.0"))],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("health rules")
        verbose_name_plural = _("health rules")

    def __str__(self) -> str:
        return str(_("Health rules of %(compound)s") % {"compound": self.compound})


class FeverAlert(models.Model):
    """A reading at or above the fever line, about a person (or a household, or nobody
    known: an unknown card at the gate), and how it was handled (``FeverAction``).

    The alert does not know where it was raised beyond its ``source``: the gate links its
    passage to it (``Passage.fever_alert``), and a door visit will link its own record."""

    class Source(models.TextChoices):
        GATE = "gate", _("gate")
        DOOR_VISIT = "door_visit", _("door visit")
        QUARANTINE_CHECK = "quarantine_check", _("quarantine check")
        PHONE = "phone", _("phone call")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REMEASURED = "remeasured", _("re-measured")
        REPORTED = "reported", _("reported to the community")
        HOSPITAL = "hospital", _("sent to the designated hospital")
        RESOLVED = "resolved", _("resolved")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="fever_alerts", verbose_name=_("compound")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # PROTECT, as the gate's passages do: a household or resident with a fever on record
    # is not deleted with it.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fever_alerts",
        verbose_name=_("household"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fever_alerts",
        verbose_name=_("resident"),
    )
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("raised at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "compound"
    office_read_only = True  # written by the services only (raised, then handled step by step)

    class Meta:
        verbose_name = _("fever alert")
        verbose_name_plural = _("fever alerts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["compound", "status"], name="feveralert_compound_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX
                ),
                name="feveralert_temperature_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.temperature} °C · {self.get_status_display()}"


class FeverAction(models.Model):
    """One step in handling a fever alert: who did what, when, with what reading."""

    alert = models.ForeignKey(
        FeverAlert, on_delete=models.CASCADE, related_name="actions", verbose_name=_("alert")
    )
    status = models.CharField(_("status"), max_length=20, choices=FeverAlert.Status.choices)
    temperature = models.DecimalField(
        _("new reading (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    note = MultiLineField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path = "alert__compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("fever alert step")
        verbose_name_plural = _("fever alert steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.status}"


# The screening rounds' and the quarantines' models live in packages of their own; the app
# finds them here.
from residents.quarantine.models import (  # noqa: E402
    CloseContact as CloseContact,
)
from residents.quarantine.models import (  # noqa: E402
    NamedContact as NamedContact,
)
from residents.quarantine.models import (  # noqa: E402
    Quarantine as Quarantine,
)
from residents.quarantine.models import (  # noqa: E402
    QuarantineCheck as QuarantineCheck,
)
from residents.quarantine.models import (  # noqa: E402
    QuarantineEndChange as QuarantineEndChange,
)
from residents.rounds.models import Assignment as Assignment  # noqa: E402
from residents.rounds.models import Round as Round  # noqa: E402
from residents.rounds.models import Visit as Visit  # noqa: E402
from residents.rounds.models import VisitAttempt as VisitAttempt  # noqa: E402
