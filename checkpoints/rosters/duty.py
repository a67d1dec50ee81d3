"""Who is on a shift, sign-in and sign-out, and the duty log.

The overlap rule works per *person*, not per member row: a cadre serving two compounds
has a ``BranchMember`` in each, and is the same person when the rows share a login, or
else a phone number. Taking a shift locks every row of that person, so two secretaries
assigning the same cadre at once are served one after the other. Every duty kind counts:
a grocery run is a shift of a post of its own kind. A round's duty (all day, walked
between other duties) is on the roster but never clashes (``checkpoints.rosters.rounds``).
"""

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.rosters import audit
from checkpoints.rosters.common import SIGN_IN_OPENS, require_manage
from checkpoints.rosters.errors import RosterError, RosterForbidden
from checkpoints.rosters.models import Assignment, DutyLogEntry, DutyLogResident, Post, Shift
from compounds.access import Level, level_for
from compounds.audit import audit_bulk, audit_entry, audit_record
from compounds.models import BranchMember, Compound
from residents.models import Resident

# --- who is on a shift ------------------------------------------------------------------------


def same_person(member: BranchMember, prefix: str = "") -> Q:
    """Rows of the same person as ``member``: the row itself, the same login, else phone."""
    q = Q(**{f"{prefix}pk": member.pk})
    if member.user_id is not None:
        q |= Q(**{f"{prefix}user_id": member.user_id})
    if member.phone:
        q |= Q(**{f"{prefix}phone": member.phone})
    return q


def clash_for(
    member: BranchMember, shift: Shift, *, ignore: Assignment | None = None
) -> Assignment | None:
    """The person's live assignment that overlaps ``shift``, in any compound, or None.

    A round's duty (a post of kind ``round``: all day, walked between other duties, see
    ``checkpoints.rosters.rounds``) neither clashes nor is clashed with."""
    if shift.post.kind == Post.Kind.ROUND:
        return None
    clash = (
        Assignment.objects.exclude(shift__post__kind=Post.Kind.ROUND)
        .filter(
            same_person(member, "member__"),
            cancelled_at__isnull=True,
            shift__cancelled_at__isnull=True,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .select_related("shift__post__compound", "member")
    )
    if ignore is not None:
        clash = clash.exclude(pk=ignore.pk)
    return clash.order_by("shift__starts_at").first()


def _refuse_clash(member: BranchMember, shift: Shift, ignore: Assignment | None = None) -> None:
    clash = clash_for(member, shift, ignore=ignore)
    if clash is None:
        return
    other = clash.shift
    start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
    raise RosterError(
        _(
            "%(name)s is already on %(post)s (%(compound)s) on %(day)s from %(start)s to "
            "%(end)s, which overlaps this shift."
        )
        % {
            "name": member.name,
            "post": other.post.name,
            "compound": other.post.compound.name,
            "day": f"{start:%m-%d}",
            "start": f"{start:%H:%M}",
            "end": f"{end:%m-%d %H:%M}" if end.date() != start.date() else f"{end:%H:%M}",
        },
        "shift_overlap",
        clash_id=other.pk,
    )


def _lock_person(member: BranchMember) -> BranchMember:
    rows = list(
        BranchMember.objects.select_for_update(of=("self",))
        .filter(same_person(member))
        .order_by("pk")
    )
    fresh = next(r for r in rows if r.pk == member.pk)
    return fresh


def _check_member(member: BranchMember, shift: Shift) -> None:
    if member.branch.compound_id != shift.post.compound_id:
        raise RosterError(
            _("%(name)s is not on this compound's team.") % {"name": member.name},
            "member_foreign",
        )
    if not member.active:
        raise RosterError(
            _("%(name)s is no longer active.") % {"name": member.name}, "person_inactive"
        )
    if shift.cancelled_at is not None:
        raise RosterError(_("This shift was cancelled."), "shift_cancelled")


def _assignment_changes(shift: Shift, member: BranchMember) -> dict[str, Any]:
    return {"shift": str(shift), "member": member.name}


@transaction.atomic
def assign(*, shift: Shift, member: BranchMember, actor: Any) -> Assignment:
    """Put ``member`` on ``shift``; refused if the person is on an overlapping shift."""
    require_manage(actor, shift.post.compound_id)
    member = _lock_person(member)
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("post__compound")
        .get(pk=shift.pk)
    )
    _check_member(member, shift)
    if shift.assignments.filter(member=member, cancelled_at__isnull=True).exists():
        raise RosterError(
            _("%(name)s is on this shift already.") % {"name": member.name}, "assigned_already"
        )
    _refuse_clash(member, shift)
    assignment = Assignment.objects.create(shift=shift, member=member, assigned_by=actor)
    audit_record(
        compound=shift.post.compound_id,
        actor=actor,
        action=audit.ASSIGN,
        obj=assignment,
        changes=_assignment_changes(shift, member),
    )
    return assignment


@transaction.atomic
def unassign(*, assignment: Assignment, actor: Any) -> Assignment:
    """Take a person off a shift: the row stays, cancelled, with who and when."""
    shift = assignment.shift
    require_manage(actor, shift.post.compound_id)
    locked = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    if locked.cancelled_at is not None:
        raise RosterError(_("This person was taken off the shift already."), "assignment_cancelled")
    locked.cancelled_at, locked.cancelled_by = timezone.now(), actor
    locked.save(update_fields=["cancelled_at", "cancelled_by"])
    audit_record(
        compound=shift.post.compound_id,
        actor=actor,
        action=audit.UNASSIGN,
        obj=locked,
        changes=_assignment_changes(shift, assignment.member),
    )
    return locked


@transaction.atomic
def swap(*, assignment: Assignment, member: BranchMember, actor: Any) -> Assignment:
    """Hand ``assignment``'s shift to ``member``: the old row is cancelled, the new one
    says which it replaces."""
    shift = assignment.shift
    require_manage(actor, shift.post.compound_id)
    member = _lock_person(member)
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("post__compound")
        .get(pk=shift.pk)
    )
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=assignment.pk)
    )
    if locked.cancelled_at is not None:
        raise RosterError(_("This person was taken off the shift already."), "assignment_cancelled")
    _check_member(member, shift)
    _refuse_clash(member, shift, ignore=locked)
    locked.cancelled_at, locked.cancelled_by = timezone.now(), actor
    locked.save(update_fields=["cancelled_at", "cancelled_by"])
    new = Assignment.objects.create(shift=shift, member=member, assigned_by=actor, replaces=locked)
    audit_record(
        compound=shift.post.compound_id,
        actor=actor,
        action=audit.SWAP,
        obj=new,
        changes={"shift": str(shift), "member": [locked.member.name, member.name]},
    )
    return new


# --- sign-in and sign-out ---------------------------------------------------------------------


def _may_sign(actor: Any, assignment: Assignment) -> None:
    if actor is None:  # the system (the demo, an import): no person to check
        return
    mine = assignment.member.user_id == actor.pk
    if not mine and level_for(actor, assignment.shift.post.compound_id) < Level.MANAGE:
        raise RosterForbidden(
            _("Only the person on the shift, or the secretary, may sign for it."), "sign_forbidden"
        )


@transaction.atomic
def sign_in(*, assignment: Assignment, actor: Any, now: datetime | None = None) -> Assignment:
    """Sign in at the post. Early or late is allowed (and shown); a shift over is not."""
    now = now or timezone.now()
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__post", "member")
        .get(pk=assignment.pk)
    )
    _may_sign(actor, locked)
    shift = locked.shift
    if locked.cancelled_at is not None or shift.cancelled_at is not None:
        raise RosterError(_("This shift is no longer yours."), "assignment_cancelled")
    if locked.signed_in_at is not None:
        raise RosterError(_("Signed in already."), "signed_in_already")
    if now < shift.starts_at - SIGN_IN_OPENS:
        raise RosterError(
            _("Too early: sign-in opens %(hours)d hours before the shift.")
            % {"hours": SIGN_IN_OPENS.seconds // 3600},
            "sign_in_too_early",
        )
    if now >= shift.ends_at:
        raise RosterError(_("This shift is over."), "shift_over")
    locked.signed_in_at = now
    locked.save(update_fields=["signed_in_at"])
    audit_record(
        compound=shift.post.compound_id,
        actor=actor,
        action=audit.SIGN_IN,
        obj=locked,
        changes={"minutes_late": round((now - shift.starts_at).total_seconds() / 60)},
    )
    return locked


@transaction.atomic
def sign_out(*, assignment: Assignment, actor: Any, now: datetime | None = None) -> Assignment:
    now = now or timezone.now()
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__post", "member")
        .get(pk=assignment.pk)
    )
    _may_sign(actor, locked)
    if locked.signed_in_at is None:
        raise RosterError(_("Sign in first."), "not_signed_in")
    if locked.signed_out_at is not None:
        raise RosterError(_("Signed out already."), "signed_out_already")
    locked.signed_out_at = max(now, locked.signed_in_at)
    locked.save(update_fields=["signed_out_at"])
    audit_record(
        compound=locked.shift.post.compound_id,
        actor=actor,
        action=audit.SIGN_OUT,
        obj=locked,
        changes={"minutes_early": round((locked.shift.ends_at - now).total_seconds() / 60)},
    )
    return locked


@transaction.atomic
def forgotten_sign_outs_close(*, now: datetime | None = None) -> int:
    """Close every sign-in left open past its shift's end, at that end, and mark it."""
    now = now or timezone.now()
    open_rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(signed_in_at__isnull=False, signed_out_at__isnull=True, shift__ends_at__lte=now)
        .select_related("shift__post")
    )
    for row in open_rows:
        row.signed_out_at, row.sign_out_forgotten = row.shift.ends_at, True
    Assignment.objects.bulk_update(open_rows, ["signed_out_at", "sign_out_forgotten"])
    audit_bulk(
        audit_entry(
            compound=row.shift.post.compound_id,
            actor=None,
            action=audit.SIGN_OUT,
            obj=row,
            changes={"forgotten": True},
        )
        for row in open_rows
    )
    return len(open_rows)


# --- the duty log -----------------------------------------------------------------------------


@transaction.atomic
def log_record(
    *,
    compound: Compound,
    actor: Any,
    kind: str,
    what_happened: str,
    happened_at: datetime | None = None,
    place: str = "",
    people: str = "",
    done: str = "",
    post: Post | None = None,
) -> DutyLogEntry:
    """Record what happened on duty. Names in ``people`` that match residents of the
    compound exactly are linked to them; the rest stay as written."""
    if level_for(actor, compound) < Level.VOLUNTEER:
        raise RosterForbidden(_("You are not on this compound's team."), "log_forbidden")
    if kind not in DutyLogEntry.Kind.values:
        raise RosterError(_("Choose what kind of event it was."), "log_kind_invalid")
    if not (what_happened or "").strip():
        raise RosterError(_("Say what happened."), "log_text_required")
    if post is not None and post.compound_id != compound.pk:
        raise RosterError(_("That belongs to another compound."), "post_foreign")
    now = timezone.now()
    happened_at = happened_at or now
    if happened_at > now + timedelta(minutes=5):
        raise RosterError(_("That time is in the future."), "log_in_future")
    running = (
        Assignment.objects.filter(
            member__user=actor,
            member__branch__compound=compound,
            cancelled_at__isnull=True,
            shift__starts_at__lte=happened_at,
            shift__ends_at__gt=happened_at,
        )
        .select_related("shift__post", "member")
        .first()
    )
    if post is None and running is not None:
        post = running.shift.post
    names = [n.strip() for n in re.split(r"[,，、;；]", people) if n.strip()]
    known = list(
        Resident.objects.filter(household__compound=compound, name__in=names, erased_at=None)
    )
    found = {r.name for r in known}
    entry = DutyLogEntry.objects.create(
        compound=compound,
        post=post,
        shift=running.shift if running is not None else None,
        # Names, not logins, on the page: the author's row of the team, on a shift or not.
        author=running.member
        if running is not None
        else BranchMember.objects.filter(branch__compound=compound, user=actor).first(),
        recorded_by=actor,
        kind=kind,
        happened_at=happened_at,
        place=place.strip(),
        # Residents found in the registry are linked, not copied: erasing one reaches here.
        people="、".join(n for n in names if n not in found),
        what_happened=what_happened.strip(),
        done=done.strip(),
    )
    DutyLogResident.objects.bulk_create(DutyLogResident(entry=entry, resident=r) for r in known)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.LOG_ADD,
        obj=entry,
        changes={"kind": kind, "place": entry.place},
    )
    return entry
