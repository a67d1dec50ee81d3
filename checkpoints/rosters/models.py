"""The roster's rows. Times are aware datetimes; a shift's ``day`` is the Asia/Shanghai
date it starts on (a night shift crossing midnight belongs to the day it starts)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compounds.models import BranchMember, Building, Compound, Opening
from compounds.text import MultiLineField, SingleLineField
from residents.models import Resident


class Post(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("staffed opening")
        DOOR = "door", _("sealed building's door")
        PATROL = "patrol", _("patrol")
        SITE = "site", _("site post")
        ROUND = "round", _("door-to-door round")
        GROCERY = "grocery", _("grocery run")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="posts", verbose_name=_("compound")
    )
    name = SingleLineField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OPENING)
    opening = models.ForeignKey(
        Opening,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("opening"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("building"),
    )
    needed = models.PositiveSmallIntegerField(_("people needed per shift"), default=1)
    active = models.BooleanField(_("active"), default=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="post_unique_name"),
            models.CheckConstraint(condition=Q(needed__gte=1), name="post_needs_someone"),
        ]

    def __str__(self) -> str:
        return self.name


class ShiftTemplate(models.Model):
    """A set of shifts for one day: 三班倒 ready-made, or a custom set (5-hour shifts)."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="shift_templates")
    name = SingleLineField(_("name"), max_length=100)

    scope_path = "compound"

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="shift_template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ShiftSlot(models.Model):
    """One shift of a template: a start time and a length (it may end the next day)."""

    template = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="slots")
    start = models.TimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("length in minutes"))

    scope_path = "template__compound"

    class Meta:
        verbose_name = _("shift of a template")
        verbose_name_plural = _("shifts of a template")
        ordering = ["template", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="slot_length_in_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M} +{self.minutes} min"


class Shift(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField(_("day"), db_index=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    needed = models.PositiveSmallIntegerField(_("people needed"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "post__compound"

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "post"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_time_idx")]
        constraints = [
            # Rolling a template out again finds its shifts and adds nothing.
            models.UniqueConstraint(
                fields=["post", "starts_at", "ends_at"], name="shift_unique_time"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(needed__gte=1), name="shift_needs_someone"),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        finish = (
            "24:00"
            if end.date() != start.date() and not (end.hour or end.minute)
            else f"{end:%H:%M}"
        )
        return f"{self.post} {start:%m-%d %H:%M}–{finish}"


class Assignment(models.Model):
    """A person on a shift. Cancelled rows stay (who changed what, and when)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(BranchMember, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A swap cancels this row and makes the other person's; the new row says which it replaced.
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)
    # Nobody signed out: closed at the shift's end by ``forgotten_sign_outs_close``.
    sign_out_forgotten = models.BooleanField(_("sign-out forgotten"), default=False)

    scope_path = "shift__post__compound"

    class Meta:
        verbose_name = _("shift assignment")
        verbose_name_plural = _("shift assignments")
        ordering = ["shift", "member__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "member"],
                condition=Q(cancelled_at__isnull=True),
                name="assignment_once_per_shift",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.shift}"


class DutyLogEntry(models.Model):
    """What happened on a shift (the patrol log)."""

    class Kind(models.TextChoices):
        OUT_WITHOUT_REASON = "out_without_reason", _("person out without reason")
        SENT_HOME = "sent_home", _("sent home")
        FAMILY_CONTACTED = "family_contacted", _("family contacted")
        POLICE_CALLED = "police_called", _("police called")
        BREACH = "breach", _("breach at an opening")
        INSPECTION = "inspection", _("leader's inspection")
        OTHER = "other", _("other")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="duty_log")
    post = models.ForeignKey(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="log_entries",
        verbose_name=_("post"),
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="log_entries"
    )
    author = models.ForeignKey(
        BranchMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    happened_at = models.DateTimeField(_("time"), db_index=True)
    place = SingleLineField(_("place"), max_length=100, blank=True)
    people = SingleLineField(_("people involved"), max_length=200, blank=True)
    what_happened = MultiLineField(_("what happened"), max_length=2000)
    done = MultiLineField(_("what was done"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["-happened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.place}"


class DutyLogResident(models.Model):
    """A resident of the registry named in a log entry. The entry's own text keeps only
    the names that matched nobody, so that erasing a resident erases them from the log."""

    entry = models.ForeignKey(DutyLogEntry, on_delete=models.CASCADE, related_name="named")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")

    scope_path = "entry__compound"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "resident"], name="duty_log_resident_once")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.resident_id}"
