"""People of a branch and their logins: members added by the secretary, secretaries and
deputies by the community office, one-time links to set a password.

A duty belongs to a ``BranchMember``, with or without a login; many never get one. A
login is given by a *one-time link* built on Django's ``PasswordResetTokenGenerator``:
the token hashes the user's password, last login and active flag, so setting the
password (or logging in, or being deactivated) kills every link issued before, and it
expires after ``LINK_LIFETIME``. Nothing about the link is stored. A forgotten password
takes the same path: the secretary issues a new link.

Who may do what: the secretary or deputy (``Level.MANAGE``) adds members and volunteers
and gives them volunteer logins; a secretary's or deputy's login is the community
office's to give and take away (``Level.OFFICER``), as roles are.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from compounds import audit
from compounds.access import Level, level_for
from compounds.errors import CompoundError
from compounds.models import Branch, BranchMember, Compound, Role
from compounds.services import role_grant, role_revoke, user_sessions_end

LINK_LIFETIME = timedelta(hours=24)
Position = BranchMember.Position
# The role a member's login gets in the compound, by the member's position.
ROLE_OF_POSITION = {
    Position.SECRETARY: Role.Kind.SECRETARY,
    Position.DEPUTY: Role.Kind.DEPUTY,
    Position.MEMBER: Role.Kind.VOLUNTEER,
    Position.VOLUNTEER: Role.Kind.VOLUNTEER,
}
OFFICE_POSITIONS = frozenset({Position.SECRETARY, Position.DEPUTY})
MEMBER_FIELDS = ["name", "phone", "work_unit", "position", "party_member", "active"]
_PHONE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")


class LoginLinkTokens(PasswordResetTokenGenerator):
    """Django's reset tokens, valid ``LINK_LIFETIME`` and dead once the login is inactive."""

    key_salt = "bastion.compounds.people.LoginLinkTokens"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not super().check_token(user, token) or not token:
            return False
        try:
            ts = int(token.split("-")[0], 36)
        except ValueError:
            return False
        return self._num_seconds(self._now()) - ts <= LINK_LIFETIME.total_seconds()


link_tokens = LoginLinkTokens()


@dataclass(frozen=True)
class LoginLink:
    user: Any
    uidb64: str
    token: str
    expires_at: Any


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s()]", "", phone or "")


def _may_manage_person(actor: Any, compound_id: int, position: str) -> bool:
    need = Level.OFFICER if position in OFFICE_POSITIONS else Level.MANAGE
    return actor is None or level_for(actor, compound_id) >= need


def _refuse_unless_may(actor: Any, compound_id: int, position: str) -> None:
    if not _may_manage_person(actor, compound_id, position):
        if position in OFFICE_POSITIONS:
            raise CompoundError(
                _("Secretaries and deputies are added and removed by the community office."),
                "person_office_only",
            )
        raise CompoundError(
            _("Only the branch's secretary or deputy may add people here."), "person_forbidden"
        )


def _clean(name: str, phone: str, position: str) -> tuple[str, str]:
    name, phone = (name or "").strip(), normalise_phone(phone)
    if not name:
        raise CompoundError(_("Give the person's name."), "person_name_required")
    if phone and not _PHONE.match(phone):
        raise CompoundError(
            _("“%(phone)s” is not a phone number.") % {"phone": phone}, "person_phone_invalid"
        )
    if position not in Position.values:
        raise CompoundError(_("Choose a position."), "person_position_invalid")
    return name, phone


def branch_of(compound: Compound, *, actor: Any) -> Branch:
    """The compound's branch (its first), founded today if it has none yet."""
    branch = compound.branches.order_by("founded_on", "pk").first()
    if branch is None:
        branch = Branch.objects.create(
            name=str(_("%(compound)s temporary party branch") % {"compound": compound.name}),
            compound=compound,
            founded_on=timezone.localdate(),
        )
        audit.audit_record(
            compound=compound, actor=actor, action=audit.ADMIN_ADD, obj=branch, changes={}
        )
    return branch


@transaction.atomic
def member_add(
    *,
    compound: Compound,
    name: str,
    actor: Any,
    phone: str = "",
    work_unit: str = "",
    position: str = Position.VOLUNTEER,
    party_member: bool = False,
    branch: Branch | None = None,
) -> BranchMember:
    """Add a person to the compound's branch (made if missing); no login yet."""
    _refuse_unless_may(actor, compound.pk, position)
    name, phone = _clean(name, phone, position)
    if branch is not None and branch.compound_id != compound.pk:
        raise CompoundError(_("That branch serves another compound."), "person_branch_invalid")
    member = BranchMember.objects.create(
        branch=branch or branch_of(compound, actor=actor),
        name=name,
        phone=phone,
        work_unit=(work_unit or "").strip(),
        position=position,
        party_member=party_member,
    )
    audit.audit_record(
        compound=compound,
        actor=actor,
        action=audit.MEMBER_ADD,
        obj=member,
        changes=audit.snapshot(member, MEMBER_FIELDS),
    )
    return member


@transaction.atomic
def member_update(*, member: BranchMember, actor: Any, **fields: Any) -> BranchMember:
    """Change a person's name, phone, work unit, position or party membership."""
    locked = (
        BranchMember.objects.select_for_update(of=("self",))
        .select_related("branch")
        .get(pk=member.pk)
    )
    compound_id = _compound_of(locked).pk
    _refuse_unless_may(actor, compound_id, locked.position)
    before = audit.snapshot(locked, MEMBER_FIELDS)
    for key in ("name", "phone", "work_unit", "position", "party_member"):
        if key in fields:
            setattr(locked, key, fields[key])
    _refuse_unless_may(actor, compound_id, locked.position)
    locked.name, locked.phone = _clean(locked.name, locked.phone, locked.position)
    locked.work_unit = (locked.work_unit or "").strip()
    locked.save()
    if locked.user_id is not None and before["position"] != locked.position:
        _roles_follow_position(locked, actor)
    audit.audit_record(
        compound=compound_id,
        actor=actor,
        action=audit.MEMBER_UPDATE,
        obj=locked,
        changes=audit.diff(before, audit.snapshot(locked, MEMBER_FIELDS)),
    )
    return locked


def _compound_of(member: BranchMember) -> Compound:
    """The compound the member's branch serves (a site, for a post outside a compound)."""
    compound = member.branch.compound
    if compound is None:
        raise CompoundError(_("This branch serves no compound or site."), "person_branch_invalid")
    return compound


def _roles_follow_position(member: BranchMember, actor: Any) -> None:
    compound = _compound_of(member)
    wanted = ROLE_OF_POSITION[Position(member.position)]
    for role in Role.objects.filter(user=member.user, compound=compound):
        if role.kind != wanted:
            role_revoke(role=role, actor=actor)
    if not Role.objects.filter(user=member.user, compound=compound, kind=wanted).exists():
        role_grant(user=member.user, kind=wanted, compound=compound, actor=actor)


def _login_name(phone: str) -> str:
    """The phone number when no other login has it, else a generated name."""
    users = get_user_model()._default_manager
    if phone and not users.filter(username=phone).exists():
        return phone
    while True:
        name = f"m{secrets.randbelow(10**8):08d}"
        if not users.filter(username=name).exists():
            return name


def _link(user: Any) -> LoginLink:
    return LoginLink(
        user=user,
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=link_tokens.make_token(user),
        expires_at=timezone.now() + LINK_LIFETIME,
    )


@transaction.atomic
def member_login_link(*, member: BranchMember, actor: Any) -> LoginLink:
    """A one-time link for the member to set a password: a new login with the role of
    their position if they have none, else a fresh link (a forgotten password).

    The token is shown once and never stored."""
    member = (
        BranchMember.objects.select_for_update(of=("self",))
        .select_related("branch__compound")
        .get(pk=member.pk)
    )
    compound = _compound_of(member)
    _refuse_unless_may(actor, compound.pk, member.position)
    if not member.active:
        raise CompoundError(
            _("This person is no longer active: reactivate them first."), "person_inactive"
        )
    user = member.user
    if user is None:
        user = get_user_model()._default_manager.create_user(
            username=_login_name(member.phone), first_name=member.name[:150]
        )
        user.set_unusable_password()
        user.save()
        member.user = user
        member.save(update_fields=["user"])
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    role = ROLE_OF_POSITION[Position(member.position)]
    if not Role.objects.filter(user=user, compound=compound, kind=role).exists():
        role_grant(user=user, kind=role, compound=compound, actor=actor)
    link = _link(user)
    audit.audit_record(
        compound=compound,
        actor=actor,
        action=audit.LOGIN_LINK_ISSUE,
        obj=member,
        changes={"login": user.get_username(), "expires_at": link.expires_at.isoformat()},
    )
    return link


@transaction.atomic
def member_deactivate(*, member: BranchMember, actor: Any) -> BranchMember:
    """Take a person off the team: their login (if any) loses this compound's roles; a
    login with no role left is deactivated, which kills its links and ends its sessions."""
    member = (
        BranchMember.objects.select_for_update(of=("self",))
        .select_related("branch__compound")
        .get(pk=member.pk)
    )
    compound = _compound_of(member)
    _refuse_unless_may(actor, compound.pk, member.position)
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.active = False
    member.save(update_fields=["active"])
    audit.audit_record(
        compound=compound,
        actor=actor,
        action=audit.MEMBER_UPDATE,
        obj=member,
        changes=audit.diff(before, audit.snapshot(member, MEMBER_FIELDS)),
    )
    if member.user_id is not None:
        for role in Role.objects.filter(user_id=member.user_id, compound=compound):
            role_revoke(role=role, actor=actor)
        if not Role.objects.filter(user_id=member.user_id).exists():
            login_deactivate(user=member.user, actor=actor, compound=compound)
    return member


@transaction.atomic
def member_reactivate(*, member: BranchMember, actor: Any) -> BranchMember:
    """Bring a person back onto the team; a login comes back with a new link."""
    member = (
        BranchMember.objects.select_for_update(of=("self",))
        .select_related("branch__compound")
        .get(pk=member.pk)
    )
    compound = _compound_of(member)
    _refuse_unless_may(actor, compound.pk, member.position)
    if not member.active:
        member.active = True
        member.save(update_fields=["active"])
        audit.audit_record(
            compound=compound,
            actor=actor,
            action=audit.MEMBER_UPDATE,
            obj=member,
            changes={"active": [False, True]},
        )
    return member


def login_deactivate(*, user: Any, actor: Any, compound: Compound | None = None) -> None:
    """Deactivate a login: its one-time links die with the flag, its sessions end."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = user_sessions_end(user=user, actor=actor)
    audit.audit_record(
        compound=compound,
        actor=actor,
        action=audit.LOGIN_DEACTIVATE,
        obj=user,
        changes={"sessions_ended": ended},
    )


def link_user(uidb64: str, token: str) -> Any:
    """The login a link is for, if the link still works; else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    if user is None or not link_tokens.check_token(user, token):
        return None
    return user


@transaction.atomic
def password_set_by_link(*, user: Any, password: str) -> Any:
    """Set the password (validated by the caller's form): every link of the login dies."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.audit_record(actor=user, action=audit.PASSWORD_SET_BY_LINK, obj=user, changes={})
    return user


def members_of(compound: Compound) -> Any:
    """The compound's people, for its managers: names first, logins beside them."""
    return (
        BranchMember.objects.filter(branch__compound=compound)
        .select_related("user", "branch")
        .order_by("-active", "position", "name")
    )
