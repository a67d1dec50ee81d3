from datetime import timedelta

from django.utils import timezone

from checkpoints.rosters import selectors, services
from checkpoints.rosters.models import Shift


def _running(post, needed=2):
    now = timezone.now()
    return Shift.objects.create(
        post=post,
        day=timezone.localdate(),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        needed=needed,
    )


def test_gaps_appear_and_clear_as_people_sign_in_and_out(
    compound_a, posts_a, team_a, secretary, volunteer
):
    shift = _running(posts_a[0])
    assert [(g.shift, g.have, g.now) for g in selectors.gaps(compound_ids=[compound_a.pk])] == [
        (shift, 0, True)
    ]
    wang = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    li = services.assign(shift=shift, member=team_a["li"], actor=secretary)
    services.sign_in(assignment=wang, actor=volunteer)
    assert selectors.gaps(compound_ids=[compound_a.pk])[0].have == 1
    services.sign_in(assignment=li, actor=secretary)
    assert selectors.gaps(compound_ids=[compound_a.pk]) == []
    services.sign_out(assignment=wang, actor=volunteer)
    assert [g.have for g in selectors.gaps(compound_ids=[compound_a.pk])] == [1]


def test_a_shift_of_the_next_24_hours_short_of_people_is_a_gap_until_assigned(
    compound_a, posts_a, team_a, secretary
):
    soon = timezone.now() + timedelta(hours=5)
    shift = Shift.objects.create(
        post=posts_a[0],
        day=timezone.localdate(),
        starts_at=soon,
        ends_at=soon + timedelta(hours=8),
        needed=1,
    )
    later = timezone.now() + timedelta(hours=30)
    Shift.objects.create(
        post=posts_a[0],
        day=timezone.localdate(),
        starts_at=later,
        ends_at=later + timedelta(hours=8),
        needed=1,
    )
    gaps = selectors.gaps(compound_ids=[compound_a.pk])
    assert [(g.shift, g.now) for g in gaps] == [(shift, False)]
    services.assign(shift=shift, member=team_a["li"], actor=secretary)
    assert selectors.gaps(compound_ids=[compound_a.pk]) == []


def test_the_week_grid_costs_the_same_queries_for_more_shifts(
    compound_a, posts_a, three, team_a, secretary, django_assert_max_num_queries
):
    monday = selectors.week_of(timezone.localdate())
    services.shifts_roll_out(
        template=three, posts=posts_a[:1], first=monday, last=monday, actor=secretary
    )
    for shift in Shift.objects.all():
        services.assign(shift=shift, member=team_a["li"], actor=secretary)
    with django_assert_max_num_queries(3):
        days, rows = selectors.week_grid(compound=compound_a, monday=monday)
    services.shifts_roll_out(
        template=three,
        posts=posts_a,
        first=monday,
        last=monday + timedelta(days=6),
        actor=secretary,
    )
    with django_assert_max_num_queries(3):
        days, rows = selectors.week_grid(compound=compound_a, monday=monday)
    assert len(rows) == 4 and sum(len(c) for r in rows for c in r.days) == 84
    assert rows[0].days[0][0].names == ["李志愿"]


def test_a_staffed_opening_with_no_shift_now_is_a_gap_until_one_covers_it(
    compound_a, gate_a, secretary
):
    from checkpoints.rosters.models import Post

    post = services.post_save(compound=compound_a, name="南门岗", opening=gate_a, actor=secretary)
    services.post_save(compound=compound_a, name="巡逻", kind=Post.Kind.PATROL, actor=secretary)
    assert [(g.post, g.shift, g.now) for g in selectors.gaps(compound_ids=[compound_a.pk])] == [
        (post, None, True)
    ]
    shift = _running(post, needed=1)
    assert [(g.post, g.shift) for g in selectors.gaps(compound_ids=[compound_a.pk])] == [
        (post, shift)
    ]
