"""Help requests (求助) and tips (舆情), with their history and follow-ups (回访).

A medical request with a fever reading is linked to the one ``FeverAlert`` the residents
service raised: while linked, the request's state is read from the alert (``state_of``),
so there is one source of truth for a fever.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compounds.models import Compound
from compounds.text import MultiLineField, SingleLineField
from residents.models import FeverAlert, Household

URGENT = 1  # life at risk; 1 and 2 open longer than URGENT_MINUTES are highlighted
URGENT_UP_TO = 2
URGENT_MINUTES = 30


class HelpRequest(models.Model):
    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("by phone")
        WECHAT = "wechat", _("WeChat")
        DOOR = "door", _("at the door")
        GATE = "gate", _("at the gate")
        PAGE = "page", _("household's own page")
        FROM_ABOVE = "from_above", _("passed down from above (上级转办)")

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("medical emergency")
        MEDICINE = "medicine", _("medicine")
        GROCERIES = "groceries", _("groceries")
        UTILITIES = "utilities", _("utilities or internet")
        PSYCHOLOGICAL = "psychological", _("psychological support")
        TIP = "tip", _("tip / lead")
        OTHER = "other", _("other")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        ESCALATED = "escalated", _("escalated")
        RESOLVED = "resolved", _("resolved")

    class EscalatedTo(models.TextChoices):
        COMMUNITY = "community", _("community")
        HOSPITAL = "hospital", _("hospital")
        POLICE = "police", _("police")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="help_requests", verbose_name=_("compound")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name=_("household"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1: life at risk … 4: can wait."),
    )
    summary = MultiLineField(_("what is needed"), max_length=1000)
    contact = SingleLineField(_("contact"), max_length=50, blank=True)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    escalated_to = models.CharField(
        _("escalated to"), max_length=20, choices=EscalatedTo.choices, blank=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    fever_alert = models.OneToOneField(
        FeverAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_request",
        verbose_name=_("fever alert"),
    )
    # Tips (舆情): what was checked, and what was found.
    investigation = MultiLineField(_("investigation"), max_length=1000, blank=True)
    finding = MultiLineField(_("finding"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    scope_path = "compound"
    office_read_only = True  # written by the services only

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["urgency", "-created_at"]
        indexes = [models.Index(fields=["compound", "state"], name="helprequest_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(urgency__gte=1, urgency__lte=4), name="helprequest_urgency_1_4"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class HelpEvent(models.Model):
    """A step in a request's life: its state (and where it was escalated), who, when."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(_("state"), max_length=20, choices=HelpRequest.State.choices)
    escalated_to = models.CharField(
        _("escalated to"), max_length=20, choices=HelpRequest.EscalatedTo.choices, blank=True
    )
    note = MultiLineField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_path = "request__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("help request step")
        verbose_name_plural = _("help request steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.state}"


class FollowUp(models.Model):
    """回访: when and how somebody went back, what came of it, when to go back next."""

    class How(models.TextChoices):
        PHONE = "phone", _("by phone")
        VISIT = "visit", _("visit")
        WECHAT = "wechat", _("WeChat")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("when"))
    how = models.CharField(_("how"), max_length=20, choices=How.choices)
    outcome = MultiLineField(_("outcome"), max_length=500)
    next_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope_path = "request__compound"
    office_read_only = True

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.at:%Y-%m-%d %H:%M}"
