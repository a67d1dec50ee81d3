"""A screening round's assignments as duties on the roster (issue 10).

When the rounds' services change who answers for a round's units, they send
``compounds.events.round_assignment_changed``; this listener (connected in ``ready()``,
running inside the sender's transaction) makes the roster say the same, through the
roster's own writers:

- one post of kind ``round`` per round, named after it (``#4 第4轮全面排查``);
- one all-day shift (00:00 to 24:00, Asia/Shanghai) per day of the round on that post;
- each member who answers for at least one unit or building is assigned to every one of
  those shifts; a member left with no unit of the round is taken off them (the rows stay,
  cancelled); a round with nobody on it has its post made inactive, so that the week
  grid and the gaps stop showing it, and active again when someone is assigned.

Overlaps: a round is walked between other duties, at whatever hour suits the household,
so a round duty is not a shift of fixed hours. Round duties and other shifts never refuse
one another in the overlap check (``duty.clash_for``): a volunteer on the gate 08:00-16:00
still does their units that day, and assigning them a gate shift during the round is not
refused because of it. A member the roster refuses for another reason (no longer active)
makes the assignment fail with the roster's message, and nothing is written.

Running it twice changes nothing: shifts and assignments are found before being made.
"""

from datetime import time, timedelta
from typing import Any

from checkpoints.rosters import duty
from checkpoints.rosters.common import at
from checkpoints.rosters.models import Assignment, Post, Shift
from checkpoints.rosters.services import post_save, shift_add
from compounds.models import BranchMember
from residents.rounds.models import Assignment as RoundAssignment
from residents.rounds.models import Round

NAME_LENGTH = 100


def post_name(round_: Round) -> str:
    return f"#{round_.number} {round_.title}"[:NAME_LENGTH]


def round_post(round_: Round, *, actor: Any, active: bool) -> Post:
    """The round's post, made if missing; (in)active as asked."""
    post = Post.objects.filter(compound_id=round_.compound_id, name=post_name(round_)).first()
    if post is not None and post.active == active and post.kind == Post.Kind.ROUND:
        return post
    return post_save(
        compound=round_.compound,
        actor=actor,
        name=post_name(round_),
        kind=Post.Kind.ROUND,
        needed=1,
        active=active,
        post=post,
    )


def round_shifts(round_: Round, post: Post, *, actor: Any) -> list[Shift]:
    """One all-day shift per day of the round, made if missing."""
    wanted = []
    day = round_.starts_on
    while day <= round_.ends_on:
        starts = at(day, time(0))
        wanted.append((starts, starts + timedelta(days=1)))
        day += timedelta(days=1)
    found = {
        (s.starts_at, s.ends_at): s
        for s in Shift.objects.filter(
            post=post, starts_at__gte=wanted[0][0], starts_at__lte=wanted[-1][0]
        )
    }
    shifts = []
    for starts, ends in wanted:
        shift = found.get((starts, ends))
        if shift is None:
            shift = shift_add(post=post, starts_at=starts, ends_at=ends, actor=actor, needed=1)
        shifts.append(shift)
    return shifts


def round_duties_sync(*, round_: Round, members: list[BranchMember], actor: Any) -> None:
    """Make the roster's duties of ``members`` for ``round_`` match the round's units."""
    on_round = set(RoundAssignment.objects.filter(round=round_).values_list("member_id", flat=True))
    post = round_post(round_, actor=actor, active=bool(on_round))
    shifts = round_shifts(round_, post, actor=actor)
    live = Assignment.objects.filter(shift__in=shifts, cancelled_at__isnull=True)
    for member in members:
        mine = {a.shift_id: a for a in live.filter(member=member).select_related("shift")}
        if member.pk in on_round:
            for shift in shifts:
                if shift.pk not in mine and shift.cancelled_at is None:
                    duty.assign(shift=shift, member=member, actor=actor)
        else:
            for assignment in mine.values():
                duty.unassign(assignment=assignment, actor=actor)


def on_round_assignment_changed(
    sender: type, *, round: Round, members: list[BranchMember], actor: Any, **kwargs: Any
) -> None:
    round_duties_sync(round_=round, members=members, actor=actor)
