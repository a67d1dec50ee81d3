"""Small builders for test data; each takes what it needs by keyword and returns the row."""

import itertools
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model

from checkpoints.models import CompoundRules, PassCard
from checkpoints.services import card_issue
from compounds.models import (
    Branch,
    BranchMember,
    Building,
    Community,
    Compound,
    Opening,
    Role,
    Unit,
)
from residents.models import HealthRules, Household, Resident
from residents.validators import id_checksum

PASSWORD = "bastion-test"
_seq = itertools.count(1)


def user(username: str, **extra: Any):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def community(name: str = "春龙社区") -> Community:
    return Community.objects.create(name=name, district="渝水区", hotline="0790-6666666")


def compound(*, community: Community, name: str, **extra: Any) -> Compound:
    c = Compound.objects.create(community=community, name=name, address=f"{name}路1号", **extra)
    CompoundRules.objects.create(compound=c)
    HealthRules.objects.create(compound=c)
    return c


def building(*, compound: Compound, number: str = "20", **extra: Any) -> Building:
    return Building.objects.create(compound=compound, number=number, **extra)


def unit(*, building: Building, number: str = "1") -> Unit:
    return Unit.objects.create(building=building, number=number)


def household(
    *, building: Building, room: str = "1702", unit: Unit | None = None, **extra: Any
) -> Household:
    return Household.objects.create(
        compound=building.compound,
        building=building,
        unit=unit,
        room=room,
        contact_phone=extra.pop("contact_phone", "13807901234"),
        **extra,
    )


def id_number(birth: str = "19800101", serial: int = 123) -> str:
    first17 = f"360502{birth}{serial:03d}"
    return first17 + id_checksum(first17)


def resident(*, household: Household, name: str | None = None, **extra: Any) -> Resident:
    n = next(_seq)
    return Resident.objects.create(
        household=household,
        name=name or f"居民{n}",
        sex=extra.pop("sex", "F"),
        birth_year=extra.pop("birth_year", 1980),
        phone=extra.pop("phone", f"139{n:08d}"),
        id_number=extra.pop("id_number", id_number(serial=n % 1000)),
        **extra,
    )


def opening(*, compound: Compound, name: str = "南门", **extra: Any) -> Opening:
    return Opening.objects.create(compound=compound, name=name, **extra)


def role(
    *, user, kind: str, compound: Compound | None = None, community: Community | None = None
) -> Role:
    return Role.objects.create(user=user, kind=kind, compound=compound, community=community)


def card(*, household: Household, actor=None) -> PassCard:
    return card_issue(household=household, actor=actor)


def branch(*, compound: Compound, secretary_user=None) -> Branch:
    b = Branch.objects.create(
        name=f"{compound.name}临时党支部", compound=compound, founded_on=date(2020, 2, 2)
    )
    BranchMember.objects.create(
        branch=b,
        user=secretary_user,
        name="何智勇",
        position="secretary",
        work_unit="区委宣传部",
        phone="13907900001",
    )
    BranchMember.objects.create(
        branch=b, name="刘文峰", position="deputy", work_unit="市委巡察办", phone="13907900002"
    )
    return b
