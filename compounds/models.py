"""The places and the people who run them: community → compound → building → unit.

Access to a compound's data is decided by ``Role`` rows (see ``compounds.access``);
the branch (``Branch`` / ``BranchMember``) is the organisational record, which need
not map one-to-one onto logins.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compounds.ordering import NaturalKey
from compounds.text import MultiLineField, SingleLineField


class Community(models.Model):
    name = SingleLineField(_("name"), max_length=100, unique=True)
    district = SingleLineField(_("district"), max_length=100, blank=True)
    hotline = SingleLineField(_("hotline"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    class Kind(models.TextChoices):
        COMPOUND = "compound", _("compound")
        SCATTERED = "scattered", _("scattered dwellings")
        SITE = "site", _("site (a post with no households)")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = SingleLineField(_("name"), max_length=100)
    address = SingleLineField(_("address"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPOUND)
    three_without = models.BooleanField(
        _("three-without compound"),
        default=False,
        help_text=_("No property manager, no owning unit, no guards (三无小区)."),
    )
    grid = SingleLineField(_("grid"), max_length=50, blank=True)
    supplies_hotline = SingleLineField(_("supplies hotline"), max_length=50, blank=True)
    gas_hotline = SingleLineField(_("gas hotline"), max_length=50, blank=True)
    hardship_hotline = SingleLineField(_("hardship hotline"), max_length=50, blank=True)
    # Bumped by every service that changes what the gate decides on, in that service's own
    # transaction (``compounds.services.gate_version_bump``); phones refresh their offline
    # snapshot by delta from the version they hold.
    gate_version = models.PositiveBigIntegerField(
        _("gate version"), default=0, db_default=0, editable=False
    )
    # Set once, when the office archives the compound at the end of the emergency
    # (``bastion.archive``): its personal data are purged and it is read-only for good.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("archived by"),
    )

    scope_path = "pk"

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def hotlines(self) -> list[tuple[str, str]]:
        """The compound's hotlines that are set, labelled: the pass cards, the door cards and
        the public hotlines page list the same ones."""
        pairs = [
            (_("Community"), self.community.hotline),
            (_("Supplies"), self.supplies_hotline),
            (_("Gas"), self.gas_hotline),
            (_("Hardship"), self.hardship_hotline),
        ]
        return [(str(label), number) for label, number in pairs if number]


class Building(models.Model):
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("compound")
    )
    number = SingleLineField(_("number"), max_length=20, help_text=_("For example 20 for 20栋."))
    sealed = models.BooleanField(
        _("sealed"), default=False, help_text=_("Under full closure: nobody leaves.")
    )
    sealed_since = models.DateTimeField(_("sealed since"), null=True, blank=True)
    note = MultiLineField(_("note"), max_length=200, blank=True)

    scope_path = "compound"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["compound", NaturalKey("number")]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="building_unique_number")
        ]

    def __str__(self) -> str:
        return _("Building %(number)s") % {"number": self.number}


class Unit(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="units", verbose_name=_("building")
    )
    number = SingleLineField(_("number"), max_length=20)

    scope_path = "building__compound"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", NaturalKey("number")]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")
        ]

    def __str__(self) -> str:
        return _("Unit %(number)s") % {"number": self.number}


class Opening(models.Model):
    """An opening in the compound's fence: a gate, a side passage, a garage ramp."""

    class State(models.TextChoices):
        STAFFED = "staffed", _("staffed")
        SEALED = "sealed", _("sealed")
        EMERGENCY = "emergency", _("emergency only")

    class VehicleRule(models.TextChoices):
        BOTH = "both", _("vehicles in and out")
        OUT_ONLY = "out_only", _("vehicles out only")
        NONE = "none", _("no vehicles")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="openings", verbose_name=_("compound")
    )
    name = SingleLineField(_("name"), max_length=100)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.STAFFED
    )
    vehicle_rule = models.CharField(
        _("vehicle rule"), max_length=20, choices=VehicleRule.choices, default=VehicleRule.NONE
    )

    scope_path = "compound"

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="opening_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """What a login may do: an officer over a community, or a role in one compound."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("community officer")
        SECRETARY = "secretary", _("branch secretary")
        DEPUTY = "deputy", _("deputy secretary")
        VOLUNTEER = "volunteer", _("volunteer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bastion_roles",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("compound"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="officer", community__isnull=False, compound__isnull=True)
                    | (~Q(kind="officer") & Q(community__isnull=True, compound__isnull=False))
                ),
                name="role_scope_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "community", "compound"], name="role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.compound or self.community}"


class Branch(models.Model):
    """A temporary party branch (临时党支部) serving a compound, or a post such as a hospital:
    a post outside any compound is a compound of kind ``SITE`` (no households), so the
    branch always points at a compound."""

    name = SingleLineField(_("name"), max_length=150)
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("compound"),
    )
    founded_on = models.DateField(_("founded on"))

    scope_path = "compound"

    class Meta:
        verbose_name = _("temporary branch")
        verbose_name_plural = _("temporary branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BranchMember(models.Model):
    class Position(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY = "deputy", _("deputy secretary")
        MEMBER = "member", _("member")
        VOLUNTEER = "volunteer", _("volunteer")

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="members", verbose_name=_("branch")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branch_memberships",
        verbose_name=_("login"),
    )
    name = SingleLineField(_("name"), max_length=50)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.MEMBER
    )
    work_unit = SingleLineField(_("work unit"), max_length=100, blank=True)
    phone = SingleLineField(_("phone"), max_length=20, blank=True, db_index=True)
    party_member = models.BooleanField(_("party member"), default=False)
    active = models.BooleanField(_("active"), default=True)

    scope_path = "branch__compound"

    class Meta:
        verbose_name = _("branch member")
        verbose_name_plural = _("branch members")
        ordering = ["branch", "position", "name"]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Who changed what, and when: one row per change to a resident's data, a card, money,
    a role, and one per login.

    It belongs to a compound (its data), to a community (an officer's role) or to neither
    (a login): never both, since the compound says its community. Built only through
    ``compounds.audit``; read through ``compounds.selectors.audit_entries_visible``.
    """

    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("compound"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("community"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = SingleLineField(_("action"), max_length=50)
    object_type = SingleLineField(_("object type"), max_length=50, blank=True)
    # None when the entry names nothing stored (a failed login for an unknown name).
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    object_repr = SingleLineField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    # Entries without a compound are no compound's data: the admin lists what
    # audit_entries_visible allows instead of following this path.
    scope_path = "compound"
    office_read_only = True  # written by the gate or the audit trail only
    archive_writable = True  # reading an archived compound's files is recorded too

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(compound__isnull=True) | Q(community__isnull=True),
                name="audit_entry_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class Capability(models.Model):
    """A link or token that works without a login: a calendar feed, a household's own
    page, a device's API token (``compounds.capabilities``).

    Only the token's SHA-256 is stored: a leaked database gives no working link. The
    token is shown once, when it is issued or rotated.
    """

    purpose = SingleLineField(_("purpose"), max_length=50)
    name = SingleLineField(_("name"), max_length=100, blank=True)
    token_hash = SingleLineField(max_length=64, unique=True, editable=False)
    # The token's first characters: enough to tell two devices apart in a list.
    hint = SingleLineField(_("starts with"), max_length=8, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capabilities",
        verbose_name=_("owner"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capabilities",
        verbose_name=_("compound"),
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "object_id")
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    scope_path = "compound"
    office_read_only = True  # issued, rotated and revoked through the services only
    archive_writable = True  # an archived compound's tokens can still be revoked

    class Meta:
        verbose_name = _("capability link")
        verbose_name_plural = _("capability links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "purpose"], name="capability_owner_idx")]

    def __str__(self) -> str:
        return f"{self.name or self.purpose} ({self.hint}…)"
