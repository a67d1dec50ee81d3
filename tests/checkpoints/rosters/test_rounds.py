"""A round's assignments as duties on the roster: one all-day shift per round day on the
round's post, for each member who answers for a unit; moved, removed, never doubled, and
never refused by (or refusing) a gate shift the same day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkpoints.rosters import selectors, services
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.models import Assignment, Post, Shift
from residents.rounds import services as rounds
from tests import factories as f
from tests.checkpoints.rosters.conftest import local

TODAY = timezone.localdate
DAYS = 3


@pytest.fixture
def round_a(compound_a, secretary, building_a):
    u1, u2 = f.unit(building=building_a, number="1"), f.unit(building=building_a, number="2")
    for unit in (u1, u2):
        f.household(building=building_a, unit=unit, room="101")
    round_, _ = rounds.round_open(
        compound=compound_a,
        actor=secretary,
        number=4,
        title="第4轮全面排查",
        starts_on=TODAY(),
        ends_on=TODAY() + timedelta(days=DAYS - 1),
    )
    return {"round": round_, "u1": u1, "u2": u2}


def give(round_a, unit, member, actor):
    return rounds.assignment_set(
        round_=round_a["round"], actor=actor, member=member, building=unit.building, unit=unit
    )


def round_duties(member):
    return Assignment.objects.filter(
        member=member, cancelled_at__isnull=True, shift__post__kind=Post.Kind.ROUND
    )


def test_assigning_a_unit_puts_the_round_on_the_members_shifts(
    round_a, team_a, secretary, volunteer
):
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    duties = list(round_duties(team_a["wang"]).select_related("shift__post"))
    assert len(duties) == DAYS
    assert {d.shift.post.name for d in duties} == {"#4 第4轮全面排查"}
    assert sorted(d.shift.day for d in duties) == [TODAY() + timedelta(days=i) for i in range(DAYS)]
    assert all(d.shift.ends_at - d.shift.starts_at == timedelta(days=1) for d in duties)
    mine = selectors.my_assignments(user=volunteer)
    assert [a.shift.post.kind for a in mine][:1] == [Post.Kind.ROUND]


def test_assigning_twice_or_a_second_unit_makes_no_duplicate(round_a, team_a, secretary):
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    give(round_a, round_a["u2"], team_a["wang"], secretary)
    assert round_duties(team_a["wang"]).count() == DAYS
    assert Shift.objects.filter(post__kind=Post.Kind.ROUND).count() == DAYS
    assert Post.objects.filter(kind=Post.Kind.ROUND).count() == 1


def test_reassigning_moves_the_duty_to_the_new_member(round_a, team_a, secretary):
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    give(round_a, round_a["u1"], team_a["li"], secretary)
    assert round_duties(team_a["wang"]).count() == 0
    assert round_duties(team_a["li"]).count() == DAYS
    # The old rows stay, cancelled (who changed what, and when).
    assert Assignment.objects.filter(member=team_a["wang"], cancelled_at__isnull=False).count()


def test_a_member_keeps_the_duty_while_they_answer_for_another_unit(round_a, team_a, secretary):
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    give(round_a, round_a["u2"], team_a["wang"], secretary)
    give(round_a, round_a["u1"], team_a["li"], secretary)
    assert round_duties(team_a["wang"]).count() == DAYS
    assert round_duties(team_a["li"]).count() == DAYS


def test_unassigning_takes_the_duty_off_and_hides_the_empty_round_post(
    round_a, team_a, secretary, volunteer
):
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    unit = round_a["u1"]
    gone = rounds.assignment_clear(
        round_=round_a["round"], actor=secretary, building=unit.building, unit=unit
    )
    assert gone == team_a["wang"]
    assert round_duties(team_a["wang"]).count() == 0
    assert selectors.my_assignments(user=volunteer) == []
    assert not Post.objects.get(kind=Post.Kind.ROUND).active
    give(round_a, unit, team_a["wang"], secretary)
    assert round_duties(team_a["wang"]).count() == DAYS
    assert Post.objects.get(kind=Post.Kind.ROUND).active


def test_a_gate_shift_the_same_day_neither_refuses_nor_is_refused_by_the_round(
    round_a, team_a, secretary, gate_a
):
    post = services.post_save(compound=gate_a.compound, name="东门", actor=secretary)
    today = TODAY()
    morning = services.shift_add(
        post=post, starts_at=local(today, 8), ends_at=local(today, 16), actor=secretary
    )
    services.assign(shift=morning, member=team_a["wang"], actor=secretary)
    give(round_a, round_a["u1"], team_a["wang"], secretary)
    assert round_duties(team_a["wang"]).count() == DAYS
    evening = services.shift_add(
        post=post,
        starts_at=local(today + timedelta(days=1), 16),
        ends_at=local(today + timedelta(days=1), 23),
        actor=secretary,
    )
    services.assign(shift=evening, member=team_a["wang"], actor=secretary)
    # Two gate shifts still refuse each other.
    overlapping = services.shift_add(
        post=post, starts_at=local(today, 12), ends_at=local(today, 18), actor=secretary
    )
    with pytest.raises(RosterError) as refused:
        services.assign(shift=overlapping, member=team_a["wang"], actor=secretary)
    assert refused.value.code == "shift_overlap"


def test_a_member_the_roster_refuses_fails_the_assignment_and_nothing_is_written(
    round_a, team_a, secretary
):
    li = team_a["li"]
    li.active = False
    li.save(update_fields=["active"])
    with pytest.raises(RosterError) as refused:
        give(round_a, round_a["u1"], li, secretary)
    assert refused.value.code == "person_inactive"
    assert not round_a["round"].assignments.exists()
