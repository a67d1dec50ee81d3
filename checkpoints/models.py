"""The gate: pass cards, work passes, the compound's rules and the append-only passage log."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compounds.models import Compound, Opening
from compounds.text import SingleLineField
from residents.models import FeverAlert, Household, Resident
from residents.selectors import health_rules_for
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN


class CompoundRules(models.Model):
    class QuotaMode(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", _("calendar days (Asia/Shanghai)")
        ROLLING_HOURS = "rolling_hours", _("rolling hours")

    compound = models.OneToOneField(
        Compound, on_delete=models.CASCADE, related_name="rules", verbose_name=_("compound")
    )
    quota_mode = models.CharField(
        _("exit quota counted in"),
        max_length=20,
        choices=QuotaMode.choices,
        default=QuotaMode.CALENDAR_DAYS,
    )
    quota_exits = models.PositiveSmallIntegerField(
        _("outings per household per period"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    quota_days = models.PositiveSmallIntegerField(
        _("period in calendar days"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    quota_hours = models.PositiveSmallIntegerField(
        _("period in hours"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    max_minutes_out = models.PositiveSmallIntegerField(
        _("longest time out before an alert (minutes)"),
        default=120,
        validators=[MinValueValidator(10), MaxValueValidator(24 * 60)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("gate rules")
        verbose_name_plural = _("gate rules")

    def __str__(self) -> str:
        return str(_("Gate rules of %(compound)s") % {"compound": self.compound})

    @property
    def max_time_out(self) -> timedelta:
        return timedelta(minutes=self.max_minutes_out)

    @property
    def fever_line(self) -> Decimal:
        """The compound's fever line, as the gate applies it. It is a health rule, kept in
        ``residents.HealthRules`` for every app that measures people; the gate's SQL loads
        it with the rules (``gate_sql.opening_for_gate``), so reading it costs no query."""
        return health_rules_for(self.compound).fever_line


class PassCard(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")

    class RevokeReason(models.TextChoices):
        LOST = "lost", _("lost")
        REISSUED = "reissued", _("reissued")
        WITHDRAWN = "withdrawn", _("withdrawn")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="cards", verbose_name=_("compound")
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="cards", verbose_name=_("household")
    )
    number = SingleLineField(_("card number"), max_length=12, unique=True)
    secret = SingleLineField(_("QR secret"), max_length=32, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Set when the secretary marks the sheet printed: "only cards not printed yet".
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("revoke reason"), max_length=20, choices=RevokeReason.choices, blank=True
    )

    scope_path = "compound"

    class Meta:
        verbose_name = _("pass card")
        verbose_name_plural = _("pass cards")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(state="active"),
                name="passcard_one_active_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.number


class WorkPass(models.Model):
    """Epidemic duty or essential work: exits that do not count against the quota."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="work_passes", verbose_name=_("resident")
    )
    work_unit = SingleLineField(_("work unit"), max_length=100)
    certificate = SingleLineField(
        _("certificate"), max_length=200, help_text=_("The unit's certificate: number or note.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "resident__household__compound"

    class Meta:
        verbose_name = _("work pass")
        verbose_name_plural = _("work passes")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="workpass_valid_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.work_unit}"


class PassageDirection(models.TextChoices):
    OUT = "out", _("out")
    IN = "in", _("in")


class PassageVerdict(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    DENIED = "denied", _("denied")


class VisitorReason(models.TextChoices):
    STAFF = "staff", _("staff or volunteer")
    MEDIC = "medic", _("medical")
    POLICE = "police", _("police")
    DELIVERY = "delivery", _("delivery")
    OTHER = "other", _("other")


class PassageDecidedOn(models.TextChoices):
    SERVER = "server", _("server")
    DEVICE = "device", pgettext_lazy("decided on", "phone")


class VehicleTrip(models.Model):
    """A vehicle through an opening with its plate: its rule is decided once, for the trip;
    each person in it has a passage of their own (their reading, their household's quota)
    pointing here. A vehicle refused coming in never keeps its people out: they walk in."""

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="vehicle_trips", verbose_name=_("compound")
    )
    opening = models.ForeignKey(
        Opening, on_delete=models.PROTECT, related_name="vehicle_trips", verbose_name=_("opening")
    )
    plate = SingleLineField(_("plate number"), max_length=16)
    direction = models.CharField(_("direction"), max_length=3, choices=PassageDirection.choices)
    verdict = models.CharField(_("verdict"), max_length=10, choices=PassageVerdict.choices)
    reason = SingleLineField(_("reason"), max_length=30, blank=True)
    occurred_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vehicle_trips",
        verbose_name=_("volunteer"),
    )
    client_id = models.UUIDField(_("client id"), unique=True)

    scope_path = "compound"
    office_read_only = True

    class Meta:
        verbose_name = _("vehicle trip")
        verbose_name_plural = _("vehicle trips")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plate} {self.direction} {self.verdict}"


# An exit that uses the household's quota. The one definition: the partial index, the ORM
# (Passage.quota_exit_q) and the hand-written SQL (gate_sql.quota_exit_condition) read it.
QUOTA_EXIT: dict[str, str | bool] = {
    "verdict": PassageVerdict.ALLOWED,
    "direction": PassageDirection.OUT,
    "counts_quota": True,
}


class Passage(models.Model):
    """One decision at a gate. Append-only: rows are never updated after the decision."""

    Direction = PassageDirection
    Verdict = PassageVerdict
    DecidedOn = PassageDecidedOn

    # No single-column index on compound, opening or household: each leads a composite
    # index below (passage_compound_idx, passage_opening_idx, passage_household_idx), which
    # serves the same lookups; three fewer indexes to write on every check-in and load.
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        related_name="passages",
        verbose_name=_("compound"),
        db_index=False,
    )
    opening = models.ForeignKey(
        Opening,
        on_delete=models.PROTECT,
        related_name="passages",
        verbose_name=_("opening"),
        db_index=False,
    )
    card = models.ForeignKey(
        PassCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("card"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("household"),
        db_index=False,
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("resident"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    vehicle = models.BooleanField(_("by vehicle"), default=False)
    occurred_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"))
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="passages",
        verbose_name=_("volunteer"),
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    reason = SingleLineField(_("reason"), max_length=30, blank=True)
    # Work-pass exits and entries do not count against the household's exit quota.
    counts_quota = models.BooleanField(_("counts against the quota"), default=False)
    fever = models.BooleanField(_("fever"), default=False)
    late = models.BooleanField(_("uploaded late"), default=False)
    # A late upload is stored as it happened; a rule it broke is flagged here for the
    # secretary instead of turning the past into a refusal.
    breach = SingleLineField(_("rule breach found"), max_length=30, blank=True)
    client_id = models.UUIDField(_("client id"), unique=True)
    # A person without a card (staff, medics, police, deliveries): who, from where, why.
    # No card, no household; the fever rule applies, the quota does not (visitors.py).
    visitor_name = SingleLineField(
        _("visitor"), max_length=50, blank=True, default="", db_default=""
    )
    visitor_unit = SingleLineField(
        _("visitor's unit"), max_length=100, blank=True, default="", db_default=""
    )
    visitor_reason = models.CharField(
        _("visitor's reason"),
        max_length=20,
        choices=VisitorReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    # The vehicle this person passed in, if any (its plate and its own verdict).
    trip = models.ForeignKey(
        VehicleTrip,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("vehicle trip"),
    )
    # Who decided: the server, or the phone (offline, or the server too slow to answer).
    # The phone's verdict is what happened at the gate and is stored as ``verdict``; the
    # server's own verdict on the same facts is kept beside it, and any difference is a
    # breach (``services._device_verdict``).
    decided_on = models.CharField(
        _("decided on"),
        max_length=10,
        choices=DecidedOn.choices,
        default=DecidedOn.SERVER,
        db_default=DecidedOn.SERVER,
    )
    # Blank when the server decided (its verdict is ``verdict``). Database defaults: rows
    # written by hand-made SQL (the benchmark's bulk rows) need none of these.
    server_verdict = models.CharField(
        _("server's verdict"),
        max_length=10,
        choices=Verdict.choices,
        blank=True,
        default="",
        db_default="",
    )
    server_reason = SingleLineField(
        _("server's reason"), max_length=30, blank=True, default="", db_default=""
    )
    # The alert a fever reading raised. The alert is the person's (residents), the passage
    # is the gate's: the gate points at the alert, never the other way round.
    fever_alert = models.OneToOneField(
        FeverAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passage",
        verbose_name=_("fever alert"),
    )
    # SHA-256 of the request as decided (services.request_hash): a second upload with the
    # same client_id is a replay only if this matches. Blank on rows from before it.
    request_hash = SingleLineField(_("request hash"), max_length=64, blank=True, default="")
    # Kept with the decision so that a retried upload gets the very same answer back.
    next_exit_at = models.DateTimeField(_("next exit allowed at"), null=True, blank=True)
    last_exit_at = models.DateTimeField(_("last exit"), null=True, blank=True)

    scope_path = "compound"
    office_read_only = True  # written by the gate or the audit trail only

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # "When did this household last go out": only allowed quota exits, so that
            # denied scans piling up at the gate do not slow the lookup down.
            models.Index(
                fields=["household", "occurred_at"],
                condition=Q(**QUOTA_EXIT),
                name="passage_quota_exit_idx",
            ),
            models.Index(fields=["household", "occurred_at"], name="passage_household_idx"),
            models.Index(fields=["opening", "occurred_at"], name="passage_opening_idx"),
            # Covers the dashboards' counts of a compound's passages by day, direction,
            # verdict and reason: read from the index alone (an index-only scan), not
            # from the heap, where one compound's rows of 14 days lie on 22,600 pages
            # of the city's log (228 ms; 22 ms from the index).
            models.Index(
                fields=["compound", "occurred_at"],
                include=["direction", "verdict", "reason", "id"],
                name="passage_compound_idx",
            ),
            models.Index(
                fields=["compound", "occurred_at"],
                condition=~Q(breach=""),
                name="passage_breach_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="passage_temperature_range",
            ),
            models.CheckConstraint(
                condition=Q(verdict="allowed", reason="") | Q(verdict="denied") & ~Q(reason=""),
                name="passage_denied_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.direction} {self.verdict}"

    @staticmethod
    def quota_exit_q() -> Q:
        """The allowed exits that count against the household's quota."""
        return Q(**QUOTA_EXIT)


class RefusedUpload(models.Model):
    """A check-in the server refused outright (device clock too far off, a client_id
    already used for another record). Never a passage: kept apart for the secretary to
    follow up with the volunteer, since the person at the gate was never decided on."""

    scope_path = "compound"

    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        related_name="refused_uploads",
        verbose_name=_("compound"),
    )
    opening = models.ForeignKey(
        Opening,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opening"),
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    code = SingleLineField(_("refusal"), max_length=40)
    client_id = models.UUIDField(_("client id"), null=True, blank=True)
    device_time = SingleLineField(_("device time as sent"), max_length=64, blank=True)
    # What the phone sent, capped in size (services.REFUSED_BODY_MAX_CHARS).
    body = models.JSONField(_("request"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("refused upload")
        verbose_name_plural = _("refused uploads")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["compound", "received_at"], name="refused_compound_idx")]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.code}"


class HouseholdGateState(models.Model):
    """Where a household stands at the gate: derived from the passage log, written in the
    check-in's own transaction (``gate_sql.gate_state_write``), so that "out now" and
    "out too long" for a whole city are an index range, not a replay of the log.

    The latest allowed passage wins by (occurred_at, id), so a late upload of an older
    passage does not overwrite a newer one. ``gate_state.gate_state_rebuild`` recomputes
    rows from the log (after a bulk load); tests compare both with
    ``selectors.households_out_now``.
    """

    household = models.OneToOneField(
        Household,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="gate_state",
        verbose_name=_("household"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("compound"),
        db_index=False,  # led by gatestate_out_idx
    )
    last_passage_at = models.DateTimeField(_("latest passage"))
    last_passage_id = models.BigIntegerField(_("latest passage id"))
    out_since = models.DateTimeField(_("out since"), null=True, blank=True)
    last_exit_at = models.DateTimeField(_("last exit"), null=True, blank=True)

    scope_path = "compound"
    office_read_only = True  # written by the gate only

    class Meta:
        verbose_name = _("household gate state")
        verbose_name_plural = _("household gate states")
        indexes = [
            models.Index(
                fields=["compound", "out_since"],
                condition=Q(out_since__isnull=False),
                name="gatestate_out_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.out_since or '-'}"


# The roster's models live in a module of their own; Django finds them through this one.
from checkpoints.rosters.models import (  # noqa: E402, F401
    Assignment,
    DutyLogEntry,
    DutyLogResident,
    Post,
    Shift,
    ShiftSlot,
    ShiftTemplate,
)
