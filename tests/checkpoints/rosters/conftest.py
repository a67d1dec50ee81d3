"""Roster fixtures on top of the cast: a team in compound A, posts, 三班倒."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from checkpoints.rosters import services
from compounds import people

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def team_a(compound_a, secretary, volunteer):
    """Two people of A's team: 王 (with the volunteer's login) and 李 (no login)."""
    wang = people.member_add(
        compound=compound_a, name="王志愿", phone="13900000001", actor=secretary
    )
    wang.user = volunteer
    wang.save(update_fields=["user"])
    li = people.member_add(compound=compound_a, name="李志愿", phone="13900000002", actor=secretary)
    return {"wang": wang, "li": li}


@pytest.fixture
def posts_a(compound_a, secretary, gate_a):
    """Four patrols: posts that are no gap by themselves when no shift runs."""
    return [
        services.post_save(compound=compound_a, name=f"岗{i}", kind="patrol", actor=secretary)
        for i in range(1, 5)
    ]


@pytest.fixture
def three(compound_a, secretary):
    return services.three_shifts(compound=compound_a, actor=secretary)
