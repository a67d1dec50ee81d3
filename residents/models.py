"""Households (户) and the people who live in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.models import Building, Compound, Unit
from compounds.text import MultiLineField, SingleLineField
from residents.validators import validate_id_number, validate_phone


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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building__number", "unit__number", "room"]
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
    def address(self) -> str:
        """The short address volunteers say and type: 20-1702, or 20-2-1702 with a unit."""
        if self.unit_id:
            return f"{self.building.number}-{self.unit.number}-{self.room}"
        return f"{self.building.number}-{self.room}"


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
    party_member = models.BooleanField(_("party member"), default=False)
    elderly_alone = models.BooleanField(_("elderly living alone"), default=False)
    chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    infant = models.BooleanField(_("infant"), default=False)
    returnee = models.BooleanField(_("returnee"), default=False)
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "household__compound"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "id"]
        indexes = [models.Index(fields=["phone"], name="resident_phone_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "name"], name="resident_unique_name_in_household"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def vulnerable(self) -> bool:
        return (
            self.elderly_alone
            or self.chronic_illness
            or self.disability
            or self.pregnant
            or self.infant
        )
