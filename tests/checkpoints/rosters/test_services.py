from datetime import date, timedelta

import pytest
from django.utils import timezone

from checkpoints.rosters import services
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.models import Assignment, Post, Shift
from compounds import people
from compounds.models import AuditEntry
from tests import factories as f

from .conftest import local

DAY = date(2020, 2, 10)


def test_rolling_out_three_shifts_for_four_posts_over_seven_days_makes_84(
    posts_a, three, secretary
):
    made = services.shifts_roll_out(
        template=three, posts=posts_a, first=DAY, last=DAY + timedelta(days=6), actor=secretary
    )
    assert made == 84 == Shift.objects.count()
    again = services.shifts_roll_out(
        template=three, posts=posts_a, first=DAY, last=DAY + timedelta(days=6), actor=secretary
    )
    assert again == 0 and Shift.objects.count() == 84


def test_the_night_shift_of_three_shifts_ends_at_midnight_and_belongs_to_its_day(
    posts_a, three, secretary
):
    services.shifts_roll_out(
        template=three, posts=posts_a[:1], first=DAY, last=DAY, actor=secretary
    )
    night = Shift.objects.order_by("starts_at").last()
    assert night.day == DAY
    assert (night.starts_at, night.ends_at) == (local(DAY, 16), local(DAY + timedelta(days=1), 0))


def test_a_shift_crossing_midnight_belongs_to_the_day_it_starts(compound_a, posts_a, secretary):
    template = services.template_save(
        compound=compound_a,
        actor=secretary,
        name="夜班",
        slots=[(local(DAY, 22).time(), local(DAY, 6).time(), True)],
    )
    services.shifts_roll_out(
        template=template, posts=posts_a[:1], first=DAY, last=DAY, actor=secretary
    )
    shift = Shift.objects.get()
    assert shift.day == DAY and shift.ends_at == local(DAY + timedelta(days=1), 6)


def _shift(post, day, start, end_day, end):
    return Shift.objects.create(
        post=post, day=day, starts_at=local(day, start), ends_at=local(end_day, end), needed=1
    )


def test_a_person_cannot_hold_two_overlapping_shifts_and_the_refusal_names_the_clash(
    posts_a, team_a, secretary
):
    first = _shift(posts_a[0], DAY, 8, DAY, 16)
    second = _shift(posts_a[1], DAY, 12, DAY, 20)
    services.assign(shift=first, member=team_a["wang"], actor=secretary)
    with pytest.raises(RosterError) as refused:
        services.assign(shift=second, member=team_a["wang"], actor=secretary)
    assert refused.value.code == "shift_overlap"
    assert "岗1" in str(refused.value) and "08:00" in str(refused.value)
    assert Assignment.objects.count() == 1


def test_the_overlap_rule_sees_across_midnight(posts_a, team_a, secretary):
    night = _shift(posts_a[0], DAY, 20, DAY + timedelta(days=1), 2)
    early = _shift(posts_a[1], DAY + timedelta(days=1), 0, DAY + timedelta(days=1), 8)
    services.assign(shift=night, member=team_a["li"], actor=secretary)
    with pytest.raises(RosterError) as refused:
        services.assign(shift=early, member=team_a["li"], actor=secretary)
    assert refused.value.code == "shift_overlap"
    # Back to back is no overlap.
    after = _shift(posts_a[2], DAY + timedelta(days=1), 2, DAY + timedelta(days=1), 8)
    services.assign(shift=after, member=team_a["li"], actor=secretary)


def test_the_overlap_rule_sees_the_same_person_in_another_compound_by_phone(
    compound_a, compound_b, posts_a, team_a, secretary, officer
):
    other = services.post_save(compound=compound_b, name="颐和医院执勤岗", actor=officer)
    same_phone = people.member_add(
        compound=compound_b, name="李志愿", phone="13900000002", actor=officer
    )
    services.assign(shift=_shift(other, DAY, 6, DAY, 11), member=same_phone, actor=officer)
    with pytest.raises(RosterError) as refused:
        services.assign(
            shift=_shift(posts_a[0], DAY, 8, DAY, 16), member=team_a["li"], actor=secretary
        )
    assert compound_b.name in str(refused.value)


def test_a_grocery_run_counts_for_the_overlap_rule(compound_a, posts_a, team_a, secretary):
    run = services.post_save(
        compound=compound_a, name="菜篮子", kind=Post.Kind.GROCERY, actor=secretary, needed=5
    )
    services.assign(shift=_shift(run, DAY, 8, DAY, 11), member=team_a["wang"], actor=secretary)
    with pytest.raises(RosterError):
        services.assign(
            shift=_shift(posts_a[0], DAY, 8, DAY, 16), member=team_a["wang"], actor=secretary
        )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"first": DAY, "last": DAY - timedelta(days=1)}, "end_before_start"),
        ({"first": DAY, "last": DAY + timedelta(days=90)}, "range_too_long"),
    ],
)
def test_a_bad_range_is_refused_and_makes_nothing(posts_a, three, secretary, kwargs, code):
    with pytest.raises(RosterError) as refused:
        services.shifts_roll_out(template=three, posts=posts_a, actor=secretary, **kwargs)
    assert refused.value.code == code and not Shift.objects.exists()


def test_ninety_days_is_allowed(posts_a, three, secretary):
    made = services.shifts_roll_out(
        template=three, posts=posts_a[:1], first=DAY, last=DAY + timedelta(days=89), actor=secretary
    )
    assert made == 270


@pytest.mark.parametrize("needed", [0, -1])
def test_a_headcount_of_zero_or_less_is_refused(compound_a, secretary, needed):
    with pytest.raises(RosterError) as refused:
        services.post_save(compound=compound_a, name="东门", needed=needed, actor=secretary)
    assert refused.value.code == "needed_invalid" and not Post.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused(compound_a, posts_a, secretary):
    with pytest.raises(RosterError) as refused:
        services.shift_add(
            post=posts_a[0], starts_at=local(DAY, 10), ends_at=local(DAY, 8), actor=secretary
        )
    assert refused.value.code == "end_before_start"
    with pytest.raises(RosterError) as refused:
        services.template_save(
            compound=compound_a,
            actor=secretary,
            name="错",
            slots=[(local(DAY, 10).time(), local(DAY, 8).time(), False)],
        )
    assert refused.value.code == "end_before_start"
    assert not Shift.objects.exists()


def test_an_assignment_in_a_compound_the_user_cannot_manage_is_refused(
    posts_a, team_a, volunteer, volunteer_b
):
    shift = _shift(posts_a[0], DAY, 8, DAY, 16)
    for outsider in (volunteer, volunteer_b):
        with pytest.raises(RosterError) as refused:
            services.assign(shift=shift, member=team_a["li"], actor=outsider)
        assert refused.value.code == "roster_forbidden"
    assert not Assignment.objects.exists()


def test_a_swap_and_a_cancellation_record_who_changed_what_and_when(posts_a, team_a, secretary):
    shift = _shift(posts_a[0], DAY, 8, DAY, 16)
    first = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    second = services.swap(assignment=first, member=team_a["li"], actor=secretary)
    first.refresh_from_db()
    assert first.cancelled_by == secretary and first.cancelled_at is not None
    assert second.replaces == first
    services.unassign(assignment=second, actor=secretary)
    actions = list(
        AuditEntry.objects.filter(action__startswith="shift_").values_list("action", flat=True)
    )
    assert sorted(actions) == ["shift_assign", "shift_swap", "shift_unassign"]


def test_sign_in_early_and_late_is_allowed_and_a_forgotten_sign_out_closes_at_the_end(
    posts_a, team_a, secretary, volunteer
):
    shift = _shift(posts_a[0], DAY, 8, DAY, 16)
    mine = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    with pytest.raises(RosterError) as refused:
        services.sign_in(assignment=mine, actor=volunteer, now=local(DAY, 5))
    assert refused.value.code == "sign_in_too_early"
    services.sign_in(assignment=mine, actor=volunteer, now=local(DAY, 8, 20))
    assert services.forgotten_sign_outs_close(now=local(DAY, 15)) == 0
    assert services.forgotten_sign_outs_close(now=local(DAY, 17)) == 1
    mine.refresh_from_db()
    assert mine.signed_out_at == local(DAY, 16) and mine.sign_out_forgotten


def test_only_the_person_or_a_manager_signs_for_a_shift(posts_a, team_a, secretary, volunteer_b):
    shift = _shift(posts_a[0], DAY, 8, DAY, 16)
    theirs = services.assign(shift=shift, member=team_a["li"], actor=secretary)
    with pytest.raises(RosterError) as refused:
        services.sign_in(assignment=theirs, actor=volunteer_b, now=local(DAY, 8))
    assert refused.value.code == "sign_forbidden"


def test_the_duty_log_links_residents_named_and_the_running_shift(
    compound_a, posts_a, team_a, secretary, volunteer, resident_a
):
    now = timezone.now()
    shift = Shift.objects.create(
        post=posts_a[0],
        day=timezone.localdate(),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        needed=1,
    )
    services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    entry = services.log_record(
        compound=compound_a,
        actor=volunteer,
        kind="sent_home",
        what_happened="晒太阳的居民劝返",
        people=f"{resident_a.name}、路人甲",
        place="3栋楼下",
    )
    assert entry.post == posts_a[0] and entry.author == team_a["wang"]
    assert [n.resident for n in entry.named.all()] == [resident_a]
    assert entry.people == "路人甲"  # the resident's name lives in the registry only


def test_a_volunteer_of_another_compound_cannot_write_the_log(compound_a, volunteer_b):
    with pytest.raises(RosterError):
        services.log_record(compound=compound_a, actor=volunteer_b, kind="other", what_happened="x")


def test_a_post_of_another_compound_cannot_be_rolled_out_here(compound_b, posts_a, three, officer):
    foreign = f.opening(compound=compound_b, name="北门")
    with pytest.raises(RosterError):
        services.post_save(compound=posts_a[0].compound, name="x", opening=foreign, actor=officer)


def test_the_cron_command_closes_forgotten_sign_outs(posts_a, team_a, secretary, volunteer):
    from django.core.management import call_command

    now = timezone.now()
    shift = Shift.objects.create(
        post=posts_a[0],
        day=timezone.localdate(),
        starts_at=now - timedelta(hours=9),
        ends_at=now - timedelta(hours=1),
        needed=1,
    )
    mine = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    services.sign_in(assignment=mine, actor=volunteer, now=shift.starts_at)
    call_command("roster_close")
    mine.refresh_from_db()
    assert mine.sign_out_forgotten and mine.signed_out_at == shift.ends_at


def test_a_new_headcount_holds_for_the_shifts_not_yet_started(compound_a, posts_a, secretary):
    now = timezone.now()
    past = Shift.objects.create(
        post=posts_a[0], day=DAY, starts_at=now - timedelta(hours=2), ends_at=now, needed=1
    )
    coming = Shift.objects.create(
        post=posts_a[0],
        day=DAY,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=9),
        needed=1,
    )
    services.post_save(compound=compound_a, post=posts_a[0], name="岗1", needed=3, actor=secretary)
    past.refresh_from_db()
    coming.refresh_from_db()
    assert (past.needed, coming.needed) == (1, 3)


def test_a_cancelled_shift_is_no_gap_and_takes_nobody(compound_a, posts_a, team_a, secretary):
    from checkpoints.rosters import selectors

    now = timezone.now()
    shift = Shift.objects.create(
        post=posts_a[0], day=DAY, starts_at=now, ends_at=now + timedelta(hours=8), needed=1
    )
    services.shift_cancel(shift=shift, actor=secretary)
    assert selectors.gaps(compound_ids=[compound_a.pk]) == []
    with pytest.raises(RosterError) as refused:
        services.assign(shift=shift, member=team_a["li"], actor=secretary)
    assert refused.value.code == "shift_cancelled"
