"""Door-to-door screening rounds (入户排查): a round, who walks which unit, one visit per
household in scope.

A visit row exists for every household from the moment the round opens (``round_open``),
so that "not yet visited" is a count, never a guess. Imported at the end of
``residents.models``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.text import MultiLineField, SingleLineField
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN


class Round(models.Model):
    class Scope(models.TextChoices):
        WHOLE = "whole", _("the whole compound")
        BUILDINGS = "buildings", _("some buildings")

    compound = models.ForeignKey(
        "compounds.Compound",
        on_delete=models.CASCADE,
        related_name="rounds",
        verbose_name=_("compound"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = SingleLineField(_("title"), max_length=100, help_text=_("For example 第4轮全面排查."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.WHOLE)
    buildings = models.ManyToManyField(
        "compounds.Building", blank=True, related_name="+", verbose_name=_("buildings")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["compound", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="round_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="round_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class Assignment(models.Model):
    """A unit (or a building with no units) that one branch member answers for."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("round")
    )
    member = models.ForeignKey(
        "compounds.BranchMember",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch member"),
    )
    building = models.ForeignKey(
        "compounds.Building", on_delete=models.CASCADE, related_name="+", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        "compounds.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )

    scope_path = "round__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("round assignment")
        verbose_name_plural = _("round assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "building", "unit"],
                condition=models.Q(unit__isnull=False),
                name="assignment_one_member_per_unit",
            ),
            models.UniqueConstraint(
                fields=["round", "building"],
                condition=models.Q(unit__isnull=True),
                name="assignment_one_member_per_building",
            ),
        ]

    def __str__(self) -> str:
        place = f"{self.building.number}-{self.unit.number}" if self.unit else self.building.number
        return f"{place} → {self.member}"


class Visit(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("not yet visited")
        EVERYONE = "everyone", _("everyone home")
        SOME = "some", _("some home")
        NOBODY = "nobody", _("nobody home")
        REFUSED = "refused", _("refused to open")

    class Colour(models.TextChoices):
        RED = "red", _("red: residents at home")
        PINK = "pink", _("pink: a returnee in the household")
        YELLOW = "yellow", _("yellow: nobody home")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="visits", verbose_name=_("round")
    )
    compound = models.ForeignKey(
        "compounds.Compound", on_delete=models.CASCADE, related_name="+", verbose_name=_("compound")
    )
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("household"),
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    registered_count = models.PositiveSmallIntegerField(_("people registered"), default=0)
    # Ids of the registered residents found at home (not keys: the visit is a record of
    # that day, and erasure on request leaves nothing of theirs to clear here).
    present = models.JSONField(_("people present"), default=list, blank=True)
    returnee = models.BooleanField(_("returned recently"), default=False)
    returned_from = SingleLineField(_("returned from"), max_length=100, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    case_contact = models.BooleanField(_("contact with a case"), default=False)
    symptoms = models.BooleanField(_("symptoms"), default=False)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    notes = MultiLineField(_("notes"), max_length=300, blank=True)
    colour = models.CharField(_("door card"), max_length=10, choices=Colour.choices, blank=True)
    colour_rule = models.CharField(
        _("colour by the rule"), max_length=10, choices=Colour.choices, blank=True
    )
    colour_reason = SingleLineField(_("why another colour"), max_length=200, blank=True)
    miss_reason = SingleLineField(_("why not visited"), max_length=200, blank=True)
    fever_alert = models.ForeignKey(
        "residents.FeverAlert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fever alert"),
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visited by"),
    )

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("door visit")
        verbose_name_plural = _("door visits")
        indexes = [
            # The visits of a compound's day (the dashboards' "visited today"): without it
            # the dashboards' one query over the latest rounds and the day's visits read
            # every visit of the city (150-220 ms for 500,000; 80 ms with it).
            models.Index(fields=["compound", "visited_at"], name="visit_compound_day_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="visit_one_per_household"),
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="visit_temperature_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.household_id}: {self.result}"

    @property
    def done(self) -> bool:
        return self.result in DONE_RESULTS


# A visit that counts as done; "nobody home" is due a revisit, "pending" not yet walked.
DONE_RESULTS = frozenset({Visit.Result.EVERYONE, Visit.Result.SOME, Visit.Result.REFUSED})


class VisitAttempt(models.Model):
    """Each recording of a visit (a first call, a revisit after "nobody home"), with the
    phone's client id: an upload sent twice is written once."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("visit")
    )
    client_id = models.UUIDField(_("client id"), unique=True)
    result = models.CharField(_("result"), max_length=10, choices=Visit.Result.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    scope_path = "visit__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("visit attempt")
        verbose_name_plural = _("visit attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(self.client_id)
