"""The roster's figures: the week grid page and rolling a template out.

- roster_week_grid_ms: the week grid page (20 posts × 3 shifts × 7 days, one or two
  people on each shift) through the full Django stack, median of the trials;
- roster_week_grid_queries: the SQL statements of that page (must not grow with shifts);
- roster_rollout_ms: 三班倒 rolled out over 30 days for 20 posts (1,800 shifts), median.
"""

import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkpoints.rosters import selectors, services
from checkpoints.rosters.models import Assignment, Post, Shift
from compounds import people
from compounds.models import Community, Compound, Role

NAME = "roster"
COMMUNITY = "基准测试社区"
COMPOUND = "颐和医院执勤岗（基准）"
USER = "bench-roster-secretary"


def _build(log: Callable[[str], None], posts: int, days: int) -> tuple[Compound, Any, list[Post]]:
    community, _ = Community.objects.get_or_create(name=COMMUNITY)
    old = Compound.objects.filter(community=community, name=COMPOUND).first()
    if old is not None:
        Assignment.objects.filter(shift__post__compound=old).delete()
        old.delete()
    compound = Compound.objects.create(community=community, name=COMPOUND, kind=Compound.Kind.SITE)
    user = get_user_model().objects.filter(username=USER).first()
    if user is None:
        user = get_user_model().objects.create_user(USER, password=uuid.uuid4().hex)
    Role.objects.create(user=user, kind=Role.Kind.SECRETARY, compound=compound)
    log(f"building {posts} posts, {posts * 3 * days} shifts and their people …")
    with transaction.atomic():
        made = [
            services.post_save(compound=compound, name=f"执勤岗{i:02d}", actor=user, needed=2)
            for i in range(posts)
        ]
        team = [
            people.member_add(
                compound=compound, name=f"队员{i:03d}", phone=f"139{i:08d}", actor=user
            )
            for i in range(posts * 4)
        ]
        monday = selectors.week_of(timezone.localdate())
        three = services.three_shifts(compound=compound, actor=user)
        services.shifts_roll_out(
            template=three,
            posts=made,
            first=monday,
            last=monday + timedelta(days=days - 1),
            actor=user,
        )
        # Each post has its own four people, one per shift of the day and a spare: no
        # overlaps; the first shift of each day gets two people, the others one.
        rows = []
        for shift in Shift.objects.filter(post__compound=compound).order_by("post_id", "starts_at"):
            index = made.index(next(p for p in made if p.pk == shift.post_id))
            slot = timezone.localtime(shift.starts_at).hour // 8
            rows.append(Assignment(shift=shift, member=team[index * 4 + slot], assigned_by=user))
            if slot == 0:
                rows.append(Assignment(shift=shift, member=team[index * 4 + 3], assigned_by=user))
        Assignment.objects.bulk_create(rows, batch_size=500)
    return compound, user, made


def run(log: Callable[[str], None], opts: dict[str, Any]) -> dict[str, float | int | str]:
    quick = bool(opts.get("quick"))
    posts, days, trials = (3, 2, 2) if quick else (20, 7, 25)
    rollout_days = 3 if quick else 30
    compound, user, made = _build(log, posts, days)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/c/{compound.pk}/roster/"
    client.get(url)  # warm: templates compiled, the session's user cached
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    log(
        f"week grid: {Shift.objects.filter(post__compound=compound).count()} shifts, "
        f"{Assignment.objects.filter(shift__post__compound=compound).count()} people on them"
    )

    three = services.three_shifts(compound=compound, actor=user)
    first = timezone.localdate() + timedelta(days=400)
    rollouts = []
    for _ in range(trials):
        start = time.perf_counter()
        services.shifts_roll_out(
            template=three,
            posts=made,
            first=first,
            last=first + timedelta(days=rollout_days - 1),
            actor=user,
        )
        rollouts.append((time.perf_counter() - start) * 1000)
        Shift.objects.filter(post__compound=compound, day__gte=first).delete()
    return {
        "roster_week_grid_ms": round(statistics.median(times), 2),
        "roster_week_grid_queries": len(queries),
        "roster_rollout_ms": round(statistics.median(rollouts), 2),
        "roster_rollout_shifts": posts * 3 * rollout_days,
        "roster_trials": trials,
    }
