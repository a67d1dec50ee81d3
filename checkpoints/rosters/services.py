"""The roster's writes: posts, templates, rolling shifts out. Who is on a shift, sign-in
and the duty log are in ``checkpoints.rosters.duty``, re-exported here so that callers
find every writer of the roster by one name. Each is atomic, locks what its rule counts
against, and is audited.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints.rosters import audit
from checkpoints.rosters.common import (
    MAX_ROLLOUT_DAYS,
    SIGN_IN_OPENS,
    THREE_SHIFT_SLOTS,
    THREE_SHIFTS,
    at,
    check_needed,
    require_manage,
)
from checkpoints.rosters.duty import (
    assign,
    clash_for,
    forgotten_sign_outs_close,
    log_record,
    same_person,
    sign_in,
    sign_out,
    swap,
    unassign,
)
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.models import Post, Shift, ShiftSlot, ShiftTemplate
from compounds.audit import audit_record, diff, snapshot
from compounds.models import Compound

__all__ = [
    "MAX_ROLLOUT_DAYS",
    "SIGN_IN_OPENS",
    "assign",
    "clash_for",
    "forgotten_sign_outs_close",
    "log_record",
    "post_save",
    "same_person",
    "shift_add",
    "shift_cancel",
    "shifts_roll_out",
    "sign_in",
    "sign_out",
    "swap",
    "template_save",
    "three_shifts",
    "unassign",
]
POST_FIELDS = ["name", "kind", "needed", "opening", "building", "active"]


# --- posts and templates --------------------------------------------------------------------


@transaction.atomic
def post_save(
    *,
    compound: Compound,
    actor: Any,
    name: str,
    kind: str = Post.Kind.OPENING,
    needed: int = 1,
    opening: Any = None,
    building: Any = None,
    active: bool = True,
    post: Post | None = None,
) -> Post:
    """Create a post, or change ``post``."""
    require_manage(actor, compound)
    check_needed(needed)
    name = (name or "").strip()
    if not name:
        raise RosterError(_("Name the post."), "post_name_required")
    for linked in (opening, building):
        if linked is not None and linked.compound_id != compound.pk:
            raise RosterError(_("That belongs to another compound."), "post_foreign")
    if (
        Post.objects.filter(compound=compound, name=name)
        .exclude(pk=post.pk if post is not None else 0)
        .exists()
    ):
        raise RosterError(_("A post of this name exists already."), "post_name_taken")
    target = post or Post(compound=compound)
    before = snapshot(target, POST_FIELDS) if post else {}
    target.name, target.kind, target.needed = name, kind, needed
    target.opening, target.building, target.active = opening, building, active
    target.save()
    if post is not None and before.get("needed") != needed:
        # A new headcount holds from now on: shifts not yet started follow it.
        Shift.objects.filter(post=target, starts_at__gt=timezone.now()).update(needed=needed)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.POST_SAVE,
        obj=target,
        changes=diff(before, snapshot(target, POST_FIELDS)),
    )
    return target


def slot_minutes(start: time, end: time, next_day: bool) -> int:
    """The length of a shift from ``start`` to ``end``; 00:00 as an end is midnight."""
    begin = start.hour * 60 + start.minute
    finish = end.hour * 60 + end.minute
    if next_day or (finish == 0 and begin > 0):
        finish += 24 * 60
    if finish <= begin:
        raise RosterError(
            _(
                "A shift from %(start)s to %(end)s ends before it starts. For a night shift "
                "past midnight, add +1 to its end (22:00-06:00+1)."
            )
            % {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
            "end_before_start",
        )
    if finish - begin > 24 * 60:
        raise RosterError(_("A shift lasts at most 24 hours."), "shift_too_long")
    return finish - begin


@transaction.atomic
def template_save(
    *,
    compound: Compound,
    actor: Any,
    name: str,
    slots: Sequence[tuple[time, time, bool]],
    template: ShiftTemplate | None = None,
) -> ShiftTemplate:
    """A shift template and its shifts, as (start, end, ends the next day) triples."""
    require_manage(actor, compound)
    name = (name or "").strip()
    if not name:
        raise RosterError(_("Name the template."), "template_name_required")
    if not slots:
        raise RosterError(_("A template needs at least one shift."), "template_empty")
    lengths = [(start, slot_minutes(start, end, next_day)) for start, end, next_day in slots]
    taken = ShiftTemplate.objects.filter(compound=compound, name=name)
    if taken.exclude(pk=template.pk if template is not None else 0).exists():
        raise RosterError(_("A template of this name exists already."), "template_name_taken")
    target = template or ShiftTemplate(compound=compound)
    target.name = name
    target.save()
    target.slots.all().delete()
    ShiftSlot.objects.bulk_create(
        ShiftSlot(template=target, start=start, minutes=minutes) for start, minutes in lengths
    )
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.TEMPLATE_SAVE,
        obj=target,
        changes={"slots": [f"{s:%H:%M}+{m}min" for s, m in lengths]},
    )
    return target


def three_shifts(*, compound: Compound, actor: Any) -> ShiftTemplate:
    """The compound's 三班倒 template, made with Bastion's default times if missing."""
    found = ShiftTemplate.objects.filter(compound=compound, name=THREE_SHIFTS).first()
    if found is not None:
        return found
    return template_save(compound=compound, actor=actor, name=THREE_SHIFTS, slots=THREE_SHIFT_SLOTS)


# --- shifts -----------------------------------------------------------------------------------


def rollout_plan(
    *, slots: Iterable[ShiftSlot], posts: Sequence[Post], first: date, last: date
) -> list[Shift]:
    """The shifts a template makes over ``first``..``last`` for ``posts`` (unsaved)."""
    slots = list(slots)
    shifts = []
    day = first
    while day <= last:
        for post in posts:
            for slot in slots:
                starts = at(day, slot.start)
                shifts.append(
                    Shift(
                        post=post,
                        day=day,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=slot.minutes),
                        needed=post.needed,
                    )
                )
        day += timedelta(days=1)
    return shifts


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise RosterError(_("The range ends before it starts."), "end_before_start")
    if (last - first).days + 1 > MAX_ROLLOUT_DAYS:
        raise RosterError(
            _("Roll a roster out over at most %(days)d days at a time.")
            % {"days": MAX_ROLLOUT_DAYS},
            "range_too_long",
        )


@transaction.atomic
def shifts_roll_out(
    *, template: ShiftTemplate, posts: Sequence[Post], first: date, last: date, actor: Any
) -> int:
    """Make the template's shifts for every post and day; those that exist are skipped,
    so rolling out again adds nothing. Returns how many shifts were made."""
    compound = template.compound
    require_manage(actor, compound)
    _check_range(first, last)
    if not posts:
        raise RosterError(_("Choose at least one post."), "posts_required")
    if any(p.compound_id != compound.pk for p in posts):
        raise RosterError(_("That belongs to another compound."), "post_foreign")
    planned = rollout_plan(slots=template.slots.all(), posts=posts, first=first, last=last)
    if not planned:
        return 0
    existing = set(
        Shift.objects.filter(
            post__in=posts,
            starts_at__gte=min(s.starts_at for s in planned),
            starts_at__lte=max(s.starts_at for s in planned),
        ).values_list("post_id", "starts_at", "ends_at")
    )
    new = [s for s in planned if (s.post.pk, s.starts_at, s.ends_at) not in existing]
    Shift.objects.bulk_create(new, batch_size=500)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.ROLLOUT,
        obj=template,
        changes={
            "posts": [p.name for p in posts],
            "from": first.isoformat(),
            "to": last.isoformat(),
            "made": len(new),
        },
    )
    return len(new)


@transaction.atomic
def shift_add(
    *, post: Post, starts_at: datetime, ends_at: datetime, actor: Any, needed: int | None = None
) -> Shift:
    """One shift outside any template (the secretary's 20:00–24:00 night, say)."""
    require_manage(actor, post.compound_id)
    if ends_at <= starts_at:
        raise RosterError(_("The shift ends before it starts."), "end_before_start")
    if ends_at - starts_at > timedelta(hours=24):
        raise RosterError(_("A shift lasts at most 24 hours."), "shift_too_long")
    needed = post.needed if needed is None else needed
    check_needed(needed)
    shift, _made = Shift.objects.get_or_create(
        post=post,
        starts_at=starts_at,
        ends_at=ends_at,
        defaults={"needed": needed, "day": timezone.localtime(starts_at).date()},
    )
    audit_record(
        compound=post.compound_id, actor=actor, action=audit.ROLLOUT, obj=shift, changes={"made": 1}
    )
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, actor: Any) -> Shift:
    require_manage(actor, shift.post.compound_id)
    locked = Shift.objects.select_for_update(of=("self",)).get(pk=shift.pk)
    if locked.cancelled_at is None:
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["cancelled_at"])
        audit_record(
            compound=shift.post.compound_id,
            actor=actor,
            action=audit.SHIFT_CANCEL,
            obj=locked,
            changes={},
        )
    return locked
