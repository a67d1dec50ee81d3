"""Home and central quarantine, its daily checks, close contacts and the one named contact.

A ``Quarantine`` is the record; ``Household.quarantine_until`` and
``Resident.quarantine_until`` are the gate's denormalised flags of it, written only by
``residents.quarantine.services`` (``flags_sync``), so that the check-in path reads no new
table. Models refer to the registry by name: this module is imported at the end of
``residents.models``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.text import MultiLineField, SingleLineField
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN

DEFAULT_DAYS = 14


class Quarantine(models.Model):
    class Reason(models.TextChoices):
        RETURNEE = "returnee", _("returnee")
        CLOSE_CONTACT = "close_contact", _("close contact")
        OTHER = "other", _("other")

    class Kind(models.TextChoices):
        HOME = "home", _("at home")
        CENTRAL = "central", _("at a central site")

    # The home compound; a central stay is also seen from its site (``site``).
    compound = models.ForeignKey(
        "compounds.Compound",
        on_delete=models.CASCADE,
        related_name="quarantines",
        verbose_name=_("compound"),
    )
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        related_name="quarantines",
        verbose_name=_("household"),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="quarantines",
        verbose_name=_("resident"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOME)
    site = models.ForeignKey(
        "compounds.Compound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="central_stays",
        limit_choices_to={"kind": "site"},
        verbose_name=_("central site"),
    )
    site_name = SingleLineField(
        _("central site (name)"),
        max_length=100,
        blank=True,
        help_text=_("For example 颐和医院, while the site is not registered as a place."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("planned end"))
    # A member's home quarantine confines the whole household unless the secretary says not.
    confines_household = models.BooleanField(_("confines the household"), default=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = MultiLineField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "compound"
    office_read_only = True  # written by the quarantine service only

    class Meta:
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")
        ordering = ["ends_on", "id"]
        indexes = [models.Index(fields=["compound", "ended_on"], name="quarantine_open_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="quarantine_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.starts_on}–{self.ends_on}"

    @property
    def site_label(self) -> str:
        return str(self.site) if self.site_id else self.site_name

    def active_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return self.ended_on is None and self.starts_on <= day <= self.ends_on


class QuarantineEndChange(models.Model):
    """An end date as it was before a change, and why it changed."""

    quarantine = models.ForeignKey(
        Quarantine,
        on_delete=models.CASCADE,
        related_name="end_changes",
        verbose_name=_("quarantine"),
    )
    before = models.DateField(_("old end"))
    after = models.DateField(_("new end"))
    reason = MultiLineField(_("reason"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path = "quarantine__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("quarantine end change")
        verbose_name_plural = _("quarantine end changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"


class QuarantineCheck(models.Model):
    """One day's check of a person in quarantine, created ahead for every day."""

    class Method(models.TextChoices):
        DOOR = "door", _("at the door")
        PHONE = "phone", _("by phone")

    quarantine = models.ForeignKey(
        Quarantine, on_delete=models.CASCADE, related_name="checks", verbose_name=_("quarantine")
    )
    # Beside the quarantine, so that "today's checks of the compound" is one indexed filter.
    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("compound")
    )
    day = models.DateField(_("day"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.BooleanField(_("symptoms"), default=False)
    note = MultiLineField(_("note"), max_length=200, blank=True)
    fever_alert = models.ForeignKey(
        "residents.FeverAlert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fever alert"),
    )

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("quarantine check")
        verbose_name_plural = _("quarantine checks")
        ordering = ["day", "id"]
        indexes = [models.Index(fields=["compound", "day"], name="qcheck_compound_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["quarantine", "day"], name="qcheck_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="qcheck_temperature_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarantine_id} {self.day}"


class CloseContact(models.Model):
    """A close contact (密接) of a resident, and how far the tracing has gone."""

    class State(models.TextChoices):
        TO_TRACE = "to_trace", _("to trace")
        REACHED = "reached", _("reached")
        QUARANTINED = "quarantined", _("in quarantine")
        CLEARED = "cleared", _("cleared")
        ELSEWHERE = "elsewhere", _("lives elsewhere (handed over)")

    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("compound")
    )
    case = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="close_contacts",
        verbose_name=_("contact of"),
    )
    # The contact when registered here; else only the name and phone.
    contact = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_of",
        verbose_name=_("registered resident"),
    )
    name = SingleLineField(_("name"), max_length=50)
    phone = SingleLineField(_("phone"), max_length=20, blank=True)
    last_contact_on = models.DateField(_("last contact on"))
    state = models.CharField(
        _("tracing state"), max_length=20, choices=State.choices, default=State.TO_TRACE
    )
    quarantine = models.ForeignKey(
        Quarantine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quarantine"),
    )
    note = MultiLineField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("close contact")
        verbose_name_plural = _("close contacts")
        ordering = ["-last_contact_on", "id"]

    def __str__(self) -> str:
        return self.name


class NamedContact(models.Model):
    """The one branch member a vulnerable resident calls for anything (单线联系)."""

    resident = models.OneToOneField(
        "residents.Resident",
        on_delete=models.CASCADE,
        related_name="named_contact",
        verbose_name=_("resident"),
    )
    member = models.ForeignKey(
        "compounds.BranchMember",
        on_delete=models.PROTECT,
        related_name="named_for",
        verbose_name=_("branch member"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "resident__household__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("named contact")
        verbose_name_plural = _("named contacts")

    def __str__(self) -> str:
        return f"{self.resident} → {self.member}"
