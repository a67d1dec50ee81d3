"""The roster's reads: the week grid, gaps, my shifts, the landing rule's facts, hours.

Every read takes the compounds it may show from its caller (who got them through
``compounds.access``), and costs a fixed number of queries whatever the number of shifts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from checkpoints.rosters.models import Assignment, DutyLogEntry, Post, Shift
from compounds.models import Compound

GAP_HORIZON = timedelta(hours=24)
GATE_KINDS = (Post.Kind.OPENING, Post.Kind.DOOR)
# Posts that must never be empty: with no shift running now, they are a gap.
ALWAYS_STAFFED = (Post.Kind.OPENING, Post.Kind.DOOR, Post.Kind.SITE)
LIVE = Q(cancelled_at__isnull=True)


def live_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(cancelled_at__isnull=True).select_related("member")


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass
class GridShift:
    """One shift as the week grid, its print and its Excel file show it."""

    pk: int
    hours: str
    needed: int
    names: list[str] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return len(self.names) < self.needed


@dataclass
class GridRow:
    post: Post
    days: list[list[GridShift]] = field(default_factory=list)


def week_grid(*, compound: Compound, monday: date) -> tuple[list[date], list[GridRow]]:
    """Posts down, days across; each cell the day's shifts with the names on them.

    Three queries whatever the number of shifts: posts, shifts, names. Plain rows, not
    model instances: the grid of a large site has hundreds of shifts."""
    days = [monday + timedelta(days=i) for i in range(7)]
    posts = list(Post.objects.filter(compound=compound, active=True).order_by("kind", "name"))
    in_week = Shift.objects.filter(
        LIVE, post__compound=compound, day__gte=days[0], day__lte=days[-1]
    )
    zone = timezone.get_current_timezone()
    cells: dict[tuple[int, date], list[GridShift]] = defaultdict(list)
    by_pk: dict[int, GridShift] = {}
    for pk, post_id, day, starts_at, ends_at, needed in in_week.order_by("starts_at").values_list(
        "pk", "post_id", "day", "starts_at", "ends_at", "needed"
    ):
        shown = GridShift(pk, hours_between(starts_at, ends_at, zone), needed)
        by_pk[pk] = shown
        cells[(post_id, day)].append(shown)
    names = (
        Assignment.objects.filter(cancelled_at__isnull=True, shift__in=in_week)
        .order_by("member__name")
        .values_list("shift_id", "member__name")
    )
    for shift_id, name in names:
        by_pk[shift_id].names.append(name)
    rows = [GridRow(post, [cells.get((post.pk, d), []) for d in days]) for post in posts]
    return days, rows


def hours_label(shift: Shift, zone: Any = None) -> str:
    return hours_between(shift.starts_at, shift.ends_at, zone)


def hours_between(starts_at: datetime, ends_at: datetime, zone: Any = None) -> str:
    """08:00–16:00; a shift ending at midnight ends at 24:00, one ending later says +1."""
    zone = zone or timezone.get_current_timezone()
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if end.date() != start.date() and end.hour == 0 and end.minute == 0:
        finish = "24:00"
    else:
        finish = f"{end:%H:%M}" + ("+1" if end.date() != start.date() else "")
    return f"{start:%H:%M}–{finish}"


@dataclass(frozen=True)
class Gap:
    post: Post
    shift: Shift | None  # None: a post that must always be staffed has no shift now
    have: int
    needed: int
    now: bool  # now (counts people signed in), else a shift starting within 24 h

    @property
    def missing(self) -> int:
        return self.needed - self.have


def gaps(*, compound_ids: Any, now: datetime | None = None, using: str = "default") -> list[Gap]:
    """Posts short of people: shifts running now with fewer people signed in than needed,
    posts that are always staffed (an opening, a sealed building's door, a site's post)
    with no shift at all right now, and shifts of the next 24 hours with fewer people
    assigned than needed. Two queries."""
    now = now or timezone.now()
    signed = Q(
        assignments__cancelled_at__isnull=True,
        assignments__signed_in_at__isnull=False,
        assignments__signed_out_at__isnull=True,
    )
    shifts = (
        Shift.objects.using(using)
        .filter(LIVE, post__compound__in=compound_ids, post__active=True)
        .filter(starts_at__lt=now + GAP_HORIZON, ends_at__gt=now)
        .annotate(
            signed=Count("assignments", filter=signed),
            assigned=Count("assignments", filter=Q(assignments__cancelled_at__isnull=True)),
        )
        # Only the short ones leave the database (the rule below, as HAVING): a city's
        # 24 hours are 3,600 shifts, and making them all into objects cost 300 ms.
        .filter(
            Q(starts_at__lte=now, signed__lt=F("needed"))
            | Q(starts_at__gt=now, assigned__lt=F("needed"))
        )
        .select_related("post__compound")
        .order_by("starts_at", "post__compound__name", "post__name")
    )
    uncovered = (
        Post.objects.using(using)
        .filter(compound__in=compound_ids, active=True, kind__in=ALWAYS_STAFFED)
        .exclude(shifts__in=Shift.objects.filter(LIVE, starts_at__lte=now, ends_at__gt=now))
        .select_related("compound")
        .order_by("compound__name", "name")
    )
    found = [Gap(post, None, 0, post.needed, True) for post in uncovered]
    zone = timezone.get_current_timezone()
    for shift in shifts:
        shift.hours = hours_label(shift, zone)  # type: ignore[attr-defined]
        running = shift.starts_at <= now
        have: int = shift.signed if running else shift.assigned
        if have < shift.needed:
            found.append(Gap(shift.post, shift, have, shift.needed, running))
    return found


def my_assignments(*, user: Any, now: datetime | None = None, days: int = 14) -> list[Assignment]:
    """The user's live assignments not yet over (and those of the last day, to sign out),
    in every compound, each with ``others``: who else is on that shift."""
    now = now or timezone.now()
    mine = list(
        Assignment.objects.filter(
            member__user=user,
            cancelled_at__isnull=True,
            shift__cancelled_at__isnull=True,
            shift__ends_at__gt=now - timedelta(hours=12),
            shift__starts_at__lt=now + timedelta(days=days),
        )
        .select_related("shift__post__compound", "member")
        .order_by("shift__starts_at")
    )
    others: dict[int, list[str]] = defaultdict(list)
    for row in (
        live_assignments().filter(shift__in=[a.shift_id for a in mine]).exclude(member__user=user)
    ):
        others[row.shift_id].append(row.member.name)
    for a in mine:
        a.others = others.get(a.shift_id, [])  # type: ignore[attr-defined]
        a.running = a.shift.starts_at <= now < a.shift.ends_at  # type: ignore[attr-defined]
        a.over = a.shift.ends_at <= now  # type: ignore[attr-defined]
        label_timing(a)
    return mine


def label_timing(a: Assignment) -> None:
    """``late_minutes`` / ``early_minutes`` of the sign-in, for the pages to show."""
    late = early = 0
    if a.signed_in_at is not None:
        off = round((a.signed_in_at - a.shift.starts_at).total_seconds() / 60)
        late, early = max(off, 0), max(-off, 0)
    a.late_minutes, a.early_minutes = late, early  # type: ignore[attr-defined]


def feed_assignments(*, user: Any, now: datetime | None = None) -> QuerySet[Assignment]:
    """The calendar feed: 30 days back, 60 ahead."""
    now = now or timezone.now()
    return (
        Assignment.objects.filter(
            member__user=user,
            cancelled_at__isnull=True,
            shift__cancelled_at__isnull=True,
            shift__starts_at__gte=now - timedelta(days=30),
            shift__starts_at__lt=now + timedelta(days=60),
        )
        .select_related("shift__post__compound")
        .order_by("shift__starts_at")
    )


def gate_shift_now(*, user: Any, now: datetime | None = None) -> int | None:
    """The compound of the gate or door shift the user is on right now, if any."""
    now = now or timezone.now()
    return (
        Assignment.objects.filter(
            member__user=user,
            cancelled_at__isnull=True,
            shift__cancelled_at__isnull=True,
            shift__post__kind__in=GATE_KINDS,
            shift__starts_at__lte=now,
            shift__ends_at__gt=now,
        )
        .values_list("shift__post__compound_id", flat=True)
        .first()
    )


def compounds_with_roster(compound_ids: Any) -> set[int]:
    return set(
        Post.objects.filter(compound__in=compound_ids, active=True)
        .values_list("compound_id", flat=True)
        .distinct()
    )


def has_shifts(*, user: Any) -> bool:
    return Assignment.objects.filter(member__user=user, cancelled_at__isnull=True).exists()


def effective_sign_out(assignment: Assignment, now: datetime) -> datetime | None:
    """When the person left: their sign-out, or the shift's end once it is over."""
    if assignment.signed_in_at is None:
        return None
    if assignment.signed_out_at is not None:
        return assignment.signed_out_at
    return assignment.shift.ends_at if assignment.shift.ends_at <= now else None


def hours_by_unit(
    *, compound: Compound, first: date, last: date, now: datetime | None = None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Hours per person from ``first`` to ``last``, grouped by the work unit that sent
    them: scheduled hours (live assignments) and hours on duty (signed in to out)."""
    now = now or timezone.now()
    rows = (
        live_assignments()
        .filter(
            shift__post__compound=compound,
            shift__cancelled_at__isnull=True,
            shift__day__gte=first,
            shift__day__lte=last,
        )
        .select_related("shift")
    )
    people: dict[int, dict[str, Any]] = {}
    for a in rows:
        person = people.setdefault(
            a.member_id,
            {"member": a.member, "shifts": 0, "scheduled": 0.0, "on_duty": 0.0, "forgotten": 0},
        )
        person["shifts"] += 1
        person["scheduled"] += (a.shift.ends_at - a.shift.starts_at).total_seconds() / 3600
        out = effective_sign_out(a, now)
        if a.signed_in_at is not None and out is not None:
            person["on_duty"] += max(0.0, (out - a.signed_in_at).total_seconds() / 3600)
        person["forgotten"] += int(
            a.sign_out_forgotten
            or (a.signed_in_at is not None and a.signed_out_at is None and out is not None)
        )
    units: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for person in sorted(people.values(), key=lambda p: p["member"].name):
        units[person["member"].work_unit or ""].append(person)
    return sorted(units.items(), key=lambda item: (item[0] == "", item[0]))


def log_entries(
    *, compound: Compound, day: date | None = None, post_id: int | None = None
) -> QuerySet[DutyLogEntry]:
    entries = DutyLogEntry.objects.filter(compound=compound)
    if day is not None:
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        entries = entries.filter(happened_at__gte=start, happened_at__lt=start + timedelta(days=1))
    if post_id is not None:
        entries = entries.filter(post_id=post_id)
    return entries.select_related("post", "author", "recorded_by").prefetch_related(
        "named__resident__household"
    )
