"""Demo roster: posts at the large compound's staffed gates, the sealed building's door
and a patrol; 三班倒 for the week around today, 5-hour shifts at the door, the
secretary's 20:00–24:00 night; volunteers on them with a gap or two left open; a few
entries of the duty log. Written through the roster's services, as a secretary would."""

import random
from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from checkpoints.rosters import services
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.models import Post, Shift
from compounds import people as team
from compounds.models import BranchMember, Compound

VOLUNTEERS = 10
WORK_UNITS = ("区教体局", "区税务局", "区公安分局", "区住建局", "区卫健委", "春龙社区")
LOG = (
    ("sent_home", "3栋楼下", "几位居民在楼下晒太阳，劝其回家。", "已劝返，登记在册。"),
    (
        "family_contacted",
        "北门",
        "一位72岁精神疾病患者独自外出，在门口徘徊。",
        "送其回家，与家属沟通，请家属看护。",
    ),
    (
        "police_called",
        "东门",
        "一名男子多次劝阻无效，坚持翻越隔离栏。",
        "已报警，派出所民警到场处理。",
    ),
)


def build_roster(
    compound: Compound, rng: random.Random, *, names: Any, secretary: Any, volunteer: Any
) -> int:
    """The roster of ``compound``; returns the number of shifts made."""
    openings = list(compound.openings.filter(state="staffed").order_by("name"))
    sealed = compound.buildings.filter(sealed=True).first()
    posts = [
        services.post_save(compound=compound, actor=None, name=f"{o.name}岗", opening=o, needed=2)
        for o in openings
    ]
    door = None
    if sealed is not None:
        door = services.post_save(
            compound=compound,
            actor=None,
            name=f"{sealed.number}栋门口",
            kind=Post.Kind.DOOR,
            building=sealed,
            needed=1,
        )
    patrol = services.post_save(
        compound=compound, actor=None, name="巡逻", kind=Post.Kind.PATROL, needed=1
    )
    today = timezone.localdate()
    first, last = today - timedelta(days=1), today + timedelta(days=5)
    made = services.shifts_roll_out(
        template=services.three_shifts(compound=compound, actor=None),
        posts=posts,
        first=first,
        last=last,
        actor=None,
    )
    if door is not None:
        five = services.template_save(
            compound=compound,
            actor=None,
            name="五小时班",
            slots=[
                (time(7), time(12), False),
                (time(12), time(17), False),
                (time(17), time(22), False),
            ],
        )
        made += services.shifts_roll_out(
            template=five, posts=[door], first=first, last=last, actor=None
        )
    night = services.template_save(
        compound=compound, actor=None, name="夜班", slots=[(time(20), time(0), False)]
    )
    made += services.shifts_roll_out(
        template=night, posts=[patrol], first=first, last=last, actor=None
    )
    _staff(compound, rng, names, secretary, volunteer, patrol)
    _log(compound, secretary, posts)
    return made


def _staff(
    compound: Compound, rng: random.Random, names: Any, secretary: Any, volunteer: Any, patrol: Post
) -> None:
    members = [
        team.member_add(
            compound=compound,
            actor=None,
            name=names.name("M" if rng.random() < 0.6 else "F"),
            phone=names.phone(),
            work_unit=rng.choice(WORK_UNITS),
            position=BranchMember.Position.VOLUNTEER,
            party_member=rng.random() < 0.7,
        )
        for _ in range(VOLUNTEERS)
    ]
    mine = BranchMember.objects.filter(branch__compound=compound, user=volunteer).first()
    boss = BranchMember.objects.filter(branch__compound=compound, user=secretary).first()
    now = timezone.now()
    shifts = list(
        Shift.objects.filter(post__compound=compound)
        .select_related("post")
        .order_by("starts_at", "post__name")
    )
    for shift in shifts:
        if shift.post_id == patrol.pk and boss is not None:
            _try(shift, boss)  # the secretary's own 20:00–24:00 night
            continue
        # The volunteer login is on the first gate now, so that it lands on the gate.
        if (
            mine is not None
            and shift.starts_at <= now < shift.ends_at
            and shift.post.kind == "opening"
        ):
            _try(shift, mine)
            mine = None
        # A gap or two: the shifts of the next 24 hours are sometimes one person short.
        wanted = shift.needed - (
            1 if now < shift.starts_at < now + timedelta(hours=24) and rng.random() < 0.3 else 0
        )
        for member in rng.sample(members, len(members)):
            if shift.assignments.filter(cancelled_at=None).count() >= wanted:
                break
            _try(shift, member)
        if shift.starts_at <= now < shift.ends_at:
            # Those on duty now signed in, a few minutes early or late; the volunteer
            # login has not yet (it shows the sign-in button).
            for row in shift.assignments.filter(cancelled_at=None).exclude(member__user=volunteer):
                at = shift.starts_at + timedelta(minutes=rng.randint(-10, 15))
                services.sign_in(assignment=row, actor=None, now=min(at, now))


def _try(shift: Shift, member: BranchMember) -> None:
    try:
        services.assign(shift=shift, member=member, actor=None)
    except RosterError:
        pass  # overlapping: somebody else takes it


def _log(compound: Compound, secretary: Any, posts: list[Post]) -> None:
    now = timezone.now()
    for hours_ago, (kind, place, what, done) in zip((5, 3, 1), LOG, strict=True):
        services.log_record(
            compound=compound,
            actor=secretary,
            kind=kind,
            place=place,
            what_happened=what,
            done=done,
            happened_at=now - timedelta(hours=hours_ago),
            post=posts[0] if posts else None,
        )
