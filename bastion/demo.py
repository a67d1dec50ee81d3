"""Demo data: the community of the field reports, built from a fixed seed.

``build_compound`` is the reusable part (``seed_demo`` and the benchmark call it): it
writes one compound with its buildings, openings, gate rules, households, residents and
an active pass card per household, with ``bulk_create`` in batches. Every random choice
comes from the ``random.Random`` passed in, so a given seed gives the same people.

The names, numbers and places are invented; ID numbers are well-formed (region, birth
date, sex digit, GB 11643 check digit) but belong to nobody.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from checkpoints.gate_state import gate_state_rebuild
from checkpoints.models import CompoundRules, Passage, PassCard
from checkpoints.rules import next_exit_after
from checkpoints.services import new_card_codes, rules_for
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
from compounds.ordering import natural_key
from residents.models import (
    FeverAlert,
    HealthRules,
    Household,
    Quarantine,
    QuarantineCheck,
    Resident,
    Visit,
)
from residents.validators import id_checksum

Progress = Callable[[str], None]

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 500
PROGRESS_EVERY = 200
CENSUS_YEAR = 2020  # ages are as of the lockdown

# --- people -------------------------------------------------------------------------------

# The commonest surnames, with those frequent in Jiangxi a little heavier.
SURNAMES = (
    "刘李王陈张黄胡罗吴熊邹彭曾肖周杨徐朱赵孙郭何高林郑梁谢宋唐许韩冯邓曹"
    "田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜钟谭陆汪范金廖夏付方邱江万易龚"
)
SURNAME_WEIGHTS = [6] * 16 + [2] * (len(SURNAMES) - 16)
MALE_GIVEN = (
    "伟强军磊洋勇杰涛明超斌鹏辉华建平国志文浩宇俊峰海波亮龙刚林鑫晨轩博睿泽宏东春生荣庆福德根发兵"
)
FEMALE_GIVEN = "芳娜敏静丽艳秀英娟霞燕玲兰红梅琳婷雪慧萍颖欣怡佳悦涵琪晶倩莉凤桂珍玉春华莲娇琴"
# Region prefixes of the ID number: mostly 渝水区 itself, some neighbours, some Hubei.
LOCAL_REGIONS = ("360502",) * 8 + ("360521", "360981", "360102")
HUBEI_REGIONS = {"武汉": "420102", "孝感": "420902", "黄冈": "421102", "荆州": "421002"}
PHONE_PREFIXES: tuple[str, ...] = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
)
PHONE_PREFIXES += ("152", "155", "157", "158", "159", "180", "181", "182", "186", "187", "189")
RETURN_PLACES = ("武汉",) * 6 + ("孝感", "孝感", "黄冈", "黄冈", "荆州", "随州", "鄂州", "咸宁")
TRANSPORTS = (
    (Resident.Transport.CAR, 8),
    (Resident.Transport.TRAIN, 7),
    (Resident.Transport.BUS, 4),
    (Resident.Transport.PLANE, 1),
)
WORK_UNITS = ("区教体局", "区税务局", "区公安分局", "区住建局", "区卫健委", "区城管局", "春龙社区")


class People:
    """Names, phones and ID numbers, unique across one run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]

    def given(self, sex: str) -> str:
        chars = MALE_GIVEN if sex == Resident.Sex.MALE else FEMALE_GIVEN
        if self.rng.random() < 0.3:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def name(self, sex: str, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self, birth_year: int, sex: str, region: str | None = None) -> str:
        region = region or self.rng.choice(LOCAL_REGIONS)
        while True:
            birth = f"{birth_year:04d}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
            # The 17th digit is odd for men and even for women.
            serial = self.rng.randrange(100) * 10 + self.rng.randrange(5) * 2
            serial += 1 if sex == Resident.Sex.MALE else 0
            first17 = f"{region}{birth}{serial:03d}"
            number = first17 + id_checksum(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number


def _relations(size: int, head_born: int, rng: random.Random) -> list[str]:
    R = Resident.Relation
    if size == 1:
        return [R.HEAD]
    if size == 2:
        if head_born < 1960 or rng.random() < 0.7:
            return [R.HEAD, R.SPOUSE]
        return [R.HEAD, rng.choice([R.CHILD, R.PARENT])]
    if size == 3:
        return [R.HEAD, R.SPOUSE, R.CHILD]
    if size == 4:
        return [R.HEAD, R.SPOUSE, R.CHILD, rng.choice([R.CHILD, R.PARENT])]
    base: list[str] = [
        R.HEAD,
        R.SPOUSE,
        R.CHILD,
        R.CHILD,
        R.PARENT,
        R.PARENT,
        R.GRANDCHILD,
        R.RELATIVE,
    ]
    members = base[: min(size, 6)]
    extras = [R.GRANDCHILD, R.RELATIVE, R.TENANT]
    while len(members) < size:
        members.append(rng.choice(extras))
    return members


def _born(relation: str, head_born: int, rng: random.Random) -> int:
    R = Resident.Relation
    if relation == R.SPOUSE:
        year = head_born + rng.randint(-3, 5)
    elif relation == R.CHILD:
        year = head_born + rng.randint(22, 34)
    elif relation == R.PARENT:
        year = max(1926, head_born - rng.randint(22, 32))
    elif relation == R.GRANDCHILD:
        year = head_born + rng.randint(46, 60)
    elif relation == R.TENANT:
        year = rng.randint(1975, 2000)
    else:
        year = head_born + rng.randint(-10, 10)
    return min(year, CENSUS_YEAR - 1 if relation != R.CHILD else CENSUS_YEAR)


def household_people(size: int, people: People) -> list[Resident]:
    """One household's residents (not saved, no household yet), head first."""
    rng = people.rng
    if size == 1:
        head_born = rng.randint(1930, 1955) if rng.random() < 0.45 else rng.randint(1956, 1998)
    else:
        head_born = rng.randint(1945, 1992)
    head_sex = Resident.Sex.MALE if rng.random() < 0.65 else Resident.Sex.FEMALE
    family = people.surname()
    residents: list[Resident] = []
    names: set[str] = set()
    parents = 0
    for relation in _relations(size, head_born, rng):
        born = head_born if relation == Resident.Relation.HEAD else _born(relation, head_born, rng)
        if relation == Resident.Relation.SPOUSE:
            sex = Resident.Sex.FEMALE if head_sex == Resident.Sex.MALE else Resident.Sex.MALE
        elif relation == Resident.Relation.HEAD:
            sex = head_sex
        elif relation == Resident.Relation.PARENT:
            # Two parents are a couple: father first, then mother.
            parents += 1
            sex = Resident.Sex.MALE if parents == 1 else Resident.Sex.FEMALE
        else:
            sex = rng.choice([Resident.Sex.MALE, Resident.Sex.FEMALE])
        shares_name = relation in (Resident.Relation.CHILD, Resident.Relation.GRANDCHILD) or (
            relation == Resident.Relation.PARENT and sex == Resident.Sex.MALE
        )
        if (
            relation in (Resident.Relation.HEAD, Resident.Relation.SPOUSE)
            and sex == Resident.Sex.MALE
        ):
            shares_name = True  # the children carry the father's surname
        name = people.name(sex, family if shares_name else None)
        while name in names:
            name = people.name(sex, family if shares_name else None)
        names.add(name)
        age = CENSUS_YEAR - born
        infant = age <= 1
        has_phone = age >= 16 and rng.random() < (0.55 if age >= 75 else 0.93)
        residents.append(
            Resident(
                name=name,
                sex=sex,
                birth_year=born,
                relation=relation,
                phone=people.phone() if has_phone else "",
                id_number="" if infant and rng.random() < 0.3 else people.id_number(born, sex),
                elderly_alone=size == 1 and age >= 65,
                chronic_illness=rng.random() < (0.25 if age >= 60 else 0.03),
                disability=rng.random() < 0.015,
                pregnant=sex == Resident.Sex.FEMALE and 22 <= age <= 38 and rng.random() < 0.04,
                infant=infant,
                party_member=age >= 18 and rng.random() < 0.07,
            )
        )
    return residents


def split_total(
    total: int, parts: int, rng: random.Random, *, low: int = 1, high: int = 8
) -> list[int]:
    """``parts`` household sizes in [low, high] that add up to exactly ``total``."""
    if parts <= 0:
        return []
    if not parts * low <= total <= parts * high:
        raise ValueError(f"cannot split {total} people into {parts} households")
    sizes = [low] * parts
    for _ in range(total - parts * low):
        i = rng.randrange(parts)
        while sizes[i] >= high:
            i = rng.randrange(parts)
        sizes[i] += 1
    return sizes


# --- places -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningSpec:
    name: str
    state: str = Opening.State.SEALED
    vehicle_rule: str = Opening.VehicleRule.NONE


@dataclass(frozen=True)
class SealedSpec:
    """A building under full closure, with its own exact head counts."""

    number: str = "20"
    households: int = 42
    residents: int = 163
    party_members: int = 24
    note: str = "疑似病例居住楼栋，全封闭管理，6名志愿者5小时一班值守"
    # The household that has to be in it whatever the size (the one in the reports).
    room: str = "1702"


def _rooms(count: int, *, units: int, flats_per_floor: int) -> list[tuple[int, str]]:
    """(unit number or 0, room) for ``count`` flats, filled entrance by entrance, bottom up."""
    entrances = max(units, 1)
    floors = max(1, math.ceil(count / (entrances * flats_per_floor)))
    rooms = [
        (unit if units else 0, f"{floor}{flat:02d}")
        for unit in range(1, entrances + 1)
        for floor in range(1, floors + 1)
        for flat in range(1, flats_per_floor + 1)
    ]
    return rooms[:count]


def _choose_returnees(
    sizes: Sequence[int], households: int, returnees: int, rng: random.Random
) -> dict[int, int]:
    """{household index: returnees in it}: exactly ``households`` households, ``returnees`` people."""
    if households <= 0 or returnees <= 0:
        return {}
    households = min(households, len(sizes), returnees)
    roomy = [i for i, s in enumerate(sizes) if s >= 2]
    pool = roomy if len(roomy) >= households else list(range(len(sizes)))
    chosen = rng.sample(pool, households)
    counts = dict.fromkeys(chosen, 1)
    spare = [i for i in chosen for _ in range(sizes[i] - 1)]
    rng.shuffle(spare)
    for i in spare[: max(0, returnees - households)]:
        counts[i] += 1
    return counts


def _mark_returnees(residents: list[Resident], count: int, people: People, *, today: date) -> None:
    rng = people.rng
    # Working-age members went away to work or study; the elderly mostly stayed.
    order = sorted(
        range(len(residents)),
        key=lambda i: (not 1960 <= (residents[i].birth_year or 0) <= 2004, rng.random()),
    )
    place = rng.choice(RETURN_PLACES)
    # Back within the last fortnight, so that the 14 days at home run from today.
    returned_on = today - timedelta(days=rng.randint(1, 12))
    transport = rng.choices([t for t, _ in TRANSPORTS], weights=[w for _, w in TRANSPORTS])[0]
    for i in order[:count]:
        r = residents[i]
        r.returnee = True
        r.returned_from = f"湖北{place}" if place != "武汉" else "湖北武汉"
        r.returned_on = returned_on
        r.return_transport = transport
        r.quarantine_until = returned_on + timedelta(days=14)
        if place in HUBEI_REGIONS and r.id_number and rng.random() < 0.3:
            people.ids.discard(r.id_number)
            r.id_number = people.id_number(r.birth_year or 1980, r.sex, HUBEI_REGIONS[place])


@dataclass
class _Layout:
    """Where the households go: the sealed building's share first, then the others."""

    sealed_households: int
    sealed_residents: int
    others: int
    other_numbers: list[str]


def _layout(households: int, residents: int, buildings: int, sealed: SealedSpec | None) -> _Layout:
    sealed_households = min(sealed.households, households) if sealed else 0
    sealed_residents = (
        min(sealed.residents, residents - (households - sealed_households)) if sealed else 0
    )
    others = households - sealed_households
    other_numbers = [str(n) for n in range(1, buildings + 1)]
    if sealed:
        if sealed.number in other_numbers:
            other_numbers.remove(sealed.number)
        else:
            other_numbers = other_numbers[:-1]
    if others and not other_numbers:
        other_numbers = ["1"]
    return _Layout(sealed_households, sealed_residents, others, other_numbers)


def _create_compound(
    community: Community,
    name: str,
    rng: random.Random,
    *,
    three_without: bool,
    address: str,
    grid: str,
    openings: Sequence[OpeningSpec],
) -> Compound:
    """The compound row, its default gate rules and its openings."""
    compound = Compound.objects.create(
        community=community,
        name=name,
        address=address,
        three_without=three_without,
        grid=grid,
        supplies_hotline=f"0790-62{rng.randrange(10**5):05d}",
        gas_hotline="0790-6442119",
        hardship_hotline=f"0790-63{rng.randrange(10**5):05d}",
    )
    CompoundRules.objects.create(compound=compound)
    HealthRules.objects.create(compound=compound)
    Opening.objects.bulk_create(
        Opening(compound=compound, name=o.name, state=o.state, vehicle_rule=o.vehicle_rule)
        for o in openings
    )
    return compound


def _create_buildings(
    compound: Compound, layout: _Layout, sealed: SealedSpec | None
) -> dict[str, Building]:
    """The buildings by number, the sealed one last."""
    rows = [Building(compound=compound, number=n) for n in layout.other_numbers]
    if sealed:
        rows.append(
            Building(
                compound=compound,
                number=sealed.number,
                sealed=True,
                sealed_since=datetime(2020, 2, 5, 20, 0, tzinfo=SHANGHAI),
                note=sealed.note,
            )
        )
    created = Building.objects.bulk_create(rows)
    if any(b.pk is None for b in created):  # backends without RETURNING
        created = list(Building.objects.filter(compound=compound))
    return {b.number: b for b in created}


Plan = list[tuple[Building, int, str]]  # (building, unit number or 0, room), one per household


def _plan_addresses(
    by_number: dict[str, Building],
    layout: _Layout,
    sealed: SealedSpec | None,
    *,
    units: int,
    flats_per_floor: int,
) -> Plan:
    plan: Plan = []
    if sealed and layout.sealed_households:
        rooms = _rooms(sealed.households, units=0, flats_per_floor=2)[: layout.sealed_households]
        if (0, sealed.room) not in rooms:
            rooms[-1] = (0, sealed.room)
        plan += [(by_number[sealed.number], u, r) for u, r in rooms]
    if layout.others:
        numbers = layout.other_numbers
        per = [layout.others // len(numbers)] * len(numbers)
        for i in range(layout.others % len(numbers)):
            per[i] += 1
        for number, count in zip(numbers, per, strict=True):
            rooms = _rooms(count, units=units, flats_per_floor=flats_per_floor)
            plan += [(by_number[number], u, r) for u, r in rooms]
    return plan


def _create_units(
    compound: Compound, by_number: dict[str, Building], plan: Plan
) -> dict[tuple[str, int], Unit]:
    """The units the plan uses, by (building number, unit number)."""
    rows = sorted(
        {(b.number, u) for b, u, _r in plan if u}, key=lambda x: (natural_key(x[0]), x[1])
    )
    created = Unit.objects.bulk_create(
        [Unit(building=by_number[b], number=str(u)) for b, u in rows], batch_size=BATCH
    )
    if any(u.pk is None for u in created):
        created = list(Unit.objects.filter(building__compound=compound).select_related("building"))
    return {(u.building.number, int(u.number)): u for u in created}


def _fix_sealed_party_members(
    group: list[Resident], sealed: SealedSpec, rng: random.Random
) -> None:
    """The sealed building's party members are a known number: exactly that many."""
    for r in group:
        r.party_member = False
    adults = [r for r in group if CENSUS_YEAR - (r.birth_year or CENSUS_YEAR) >= 18]
    for r in rng.sample(adults, min(sealed.party_members, len(adults))):
        r.party_member = True


def _populate(
    layout: _Layout,
    residents: int,
    people: People,
    rng: random.Random,
    *,
    returnee_households: int,
    returnees: int,
    quarantined_households: int,
    sealed: SealedSpec | None,
    today: date,
) -> tuple[list[list[Resident]], dict[int, date]]:
    """Each household's residents (plan order), and the end of the quarantine of those in one."""
    sizes = split_total(layout.sealed_residents, layout.sealed_households, rng) + split_total(
        residents - layout.sealed_residents, layout.others, rng
    )
    returning = _choose_returnees(sizes, returnee_households, returnees, rng)
    candidates = sorted(returning)
    quarantined = set(rng.sample(candidates, min(quarantined_households, len(candidates))))
    people_of = [household_people(size, people) for size in sizes]
    for i, count in returning.items():
        _mark_returnees(people_of[i], count, people, today=today)
    if sealed and layout.sealed_households:
        in_sealed = [r for group in people_of[: layout.sealed_households] for r in group]
        _fix_sealed_party_members(in_sealed, sealed, rng)
    # A household is confined by its returnee's home quarantine (the quarantine service's
    # rule): its flag is the latest end of theirs. The draw stays, so the data that follow
    # are the same as before.
    quarantine_until = {}
    for i in sorted(quarantined):
        rng.randint(3, 12)
        ends = [r.quarantine_until for r in people_of[i] if r.quarantine_until]
        if ends:
            quarantine_until[i] = max(ends)
    return people_of, quarantine_until


def _write_households(
    compound: Compound,
    plan: Plan,
    people_of: list[list[Resident]],
    unit_of: dict[tuple[str, int], Unit],
    quarantine_until: dict[int, date],
    *,
    issued_by: Any,
    say: Progress,
) -> None:
    """Households, their residents and an active card each, in chunks with progress."""
    total = len(plan)
    for start in range(0, total, PROGRESS_EVERY):
        chunk = range(start, min(start + PROGRESS_EVERY, total))
        rows = []
        for i in chunk:
            building, unit, room = plan[i]
            rows.append(
                Household(
                    compound=compound,
                    building=building,
                    unit=unit_of[(building.number, unit)] if unit else None,
                    room=room,
                    contact_phone=next((r.phone for r in people_of[i] if r.phone), ""),
                    quarantine_until=quarantine_until.get(i),
                    note="居家隔离：返乡人员同住" if i in quarantine_until else "",
                )
            )
        saved = Household.objects.bulk_create(rows, batch_size=BATCH)
        if any(h.pk is None for h in saved):
            saved = list(Household.objects.filter(compound=compound).order_by("pk")[start:])
        members = []
        for h, i in zip(saved, chunk, strict=True):
            for r in people_of[i]:
                r.household = h
                members.append(r)
        Resident.objects.bulk_create(members, batch_size=BATCH)
        _quarantine_records(
            compound,
            members,
            confined={saved[i - start].pk for i in chunk if i in quarantine_until},
        )
        _issue_cards(compound, saved, issued_by=issued_by)
        say(f"  {compound.name}: {chunk.stop}/{total} households")


def _quarantine_records(compound: Compound, members: list[Resident], *, confined: set[int]) -> None:
    """The quarantine records behind the flags written above, with their daily check rows
    (the flags are what ``residents.quarantine.services.flags_sync`` derives from them)."""
    if members and any(r.pk is None for r in members):
        by_name = {
            (r.household_id, r.name): r
            for r in Resident.objects.filter(household__in={m.household_id for m in members})
        }
        members = [by_name[(m.household.pk, m.name)] for m in members]
    rows = [
        Quarantine(
            compound=compound,
            household_id=r.household_id,
            resident=r,
            reason=Quarantine.Reason.RETURNEE,
            starts_on=r.returned_on or r.quarantine_until - timedelta(days=14),
            ends_on=r.quarantine_until,
            confines_household=r.household_id in confined,
            note="返乡人员居家隔离",
        )
        for r in members
        if r.quarantine_until
    ]
    saved = Quarantine.objects.bulk_create(rows, batch_size=BATCH)
    if any(q.pk is None for q in saved):
        saved = list(Quarantine.objects.filter(resident__in=[q.resident for q in rows]))
    QuarantineCheck.objects.bulk_create(
        [
            QuarantineCheck(quarantine=q, compound=compound, day=q.starts_on + timedelta(days=d))
            for q in saved
            for d in range((q.ends_on - q.starts_on).days + 1)
        ],
        batch_size=BATCH,
    )


def _issue_cards(compound: Compound, households: list[Household], *, issued_by: Any) -> None:
    pairs = new_card_codes(len(households))
    PassCard.objects.bulk_create(
        [
            PassCard(
                compound=compound, household=h, number=number, secret=secret, issued_by=issued_by
            )
            for h, (number, secret) in zip(households, pairs, strict=True)
        ],
        batch_size=BATCH,
    )


def build_compound(
    community: Community,
    name: str,
    households: int,
    residents: int,
    rng: random.Random,
    *,
    buildings: int | None = None,
    units: int = 0,
    flats_per_floor: int = 2,
    three_without: bool = False,
    address: str = "",
    grid: str = "",
    openings: Sequence[OpeningSpec] = (OpeningSpec("南门", Opening.State.STAFFED),),
    returnee_households: int | None = None,
    returnees: int | None = None,
    quarantined_households: int = 0,
    sealed: SealedSpec | None = None,
    people: People | None = None,
    issued_by: Any = None,
    progress: Progress | None = None,
) -> Compound:
    """Write one compound with exactly ``households`` households and ``residents`` residents.

    ``buildings`` counts the sealed building too (default: about 55 households each);
    ``units`` is entrances per building (0: addresses without a unit, like 20-1702).
    Returnees default to about 3 % of households, 1.7 people each. Call inside
    ``transaction.atomic`` for an all-or-nothing write.
    """
    people = people or People(rng)
    if buildings is None:
        buildings = max(1, math.ceil(households / 55))  # about 55 flats a building
    compound = _create_compound(
        community,
        name,
        rng,
        three_without=three_without,
        address=address,
        grid=grid,
        openings=openings,
    )
    layout = _layout(households, residents, buildings, sealed)
    by_number = _create_buildings(compound, layout, sealed)
    plan = _plan_addresses(by_number, layout, sealed, units=units, flats_per_floor=flats_per_floor)
    unit_of = _create_units(compound, by_number, plan)
    if returnee_households is None:
        returnee_households = round(households * 0.03)
    people_of, quarantine_until = _populate(
        layout,
        residents,
        people,
        rng,
        returnee_households=returnee_households,
        returnees=round(returnee_households * 1.7) if returnees is None else returnees,
        quarantined_households=quarantined_households,
        sealed=sealed,
        today=timezone.localdate(),
    )
    _write_households(
        compound,
        plan,
        people_of,
        unit_of,
        quarantine_until,
        issued_by=issued_by,
        say=progress or (lambda _text: None),
    )
    return compound


def build_branch(
    compound: Compound,
    rng: random.Random,
    *,
    people: People | None = None,
    secretary: Any = None,
    volunteers: Iterable[Any] = (),
    members: int = 6,
) -> Branch:
    """The compound's temporary party branch: secretary, deputies, members from work units."""
    people = people or People(rng)
    branch = Branch.objects.create(
        name=f"{compound.name}临时党支部",
        compound=compound,
        founded_on=date(2020, 2, rng.randint(1, 4)),
    )

    def member(position: str, work_unit: str, user: Any = None) -> BranchMember:
        sex = Resident.Sex.MALE if rng.random() < 0.6 else Resident.Sex.FEMALE
        return BranchMember(
            branch=branch,
            user=user,
            name=people.name(sex),
            position=position,
            work_unit=work_unit,
            phone=people.phone(),
        )

    rows = [member(BranchMember.Position.SECRETARY, "区委宣传部", secretary)]
    rows += [
        member(BranchMember.Position.DEPUTY, unit)
        for unit in ("市委巡察办", "春龙社区")[: rng.randint(1, 2)]
    ]
    volunteers = list(volunteers)
    for n in range(max(members, len(volunteers))):
        user = volunteers[n] if n < len(volunteers) else None
        rows.append(member(BranchMember.Position.MEMBER, rng.choice(WORK_UNITS), user))
    BranchMember.objects.bulk_create(rows)
    return branch


def _gate_cards(compound: Compound, today: date) -> list[PassCard]:
    """Cards of households that may go out today: not sealed in, nobody in quarantine."""
    return list(
        PassCard.objects.filter(compound=compound, state=PassCard.State.ACTIVE)
        .exclude(household__building__sealed=True)
        .exclude(household__quarantine_until__gte=today)
        .exclude(household__residents__quarantine_until__gte=today)
        .select_related("household")
        .prefetch_related("household__residents")
        .order_by("pk")[:400]
    )


@dataclass
class _GateLog:
    """Passages at one opening, written as the gate service would have logged them."""

    compound: Compound
    opening: Opening
    volunteer: Any
    rng: random.Random
    now: datetime
    rows: list[Passage] = field(default_factory=list)

    def log(self, card: PassCard, direction: str, minutes_ago: int, **extra: Any) -> Passage:
        at = self.now - timedelta(minutes=minutes_ago)
        residents = sorted(card.household.residents.all(), key=lambda r: r.pk)
        passage = Passage(
            compound=self.compound,
            opening=self.opening,
            card=card,
            household=card.household,
            resident=self.rng.choice(residents) if residents else None,
            direction=direction,
            temperature=extra.pop("temperature", Decimal(f"36.{self.rng.randrange(1, 9)}")),
            occurred_at=at,
            received_at=at,
            volunteer=self.volunteer,
            verdict=extra.pop("verdict", Passage.Verdict.ALLOWED),
            client_id=uuid.uuid4(),
            **extra,
        )
        self.rows.append(passage)
        return passage

    def refused_second_outing(self, card: PassCard) -> None:
        """Out and back earlier, then refused: the quota of the compound's rules is used."""
        first = self.log(card, Passage.Direction.OUT, 260, counts_quota=True)
        self.log(card, Passage.Direction.IN, 200)
        self.log(
            card,
            Passage.Direction.OUT,
            45,
            verdict=Passage.Verdict.DENIED,
            reason="quota_used",
            last_exit_at=first.occurred_at,
            next_exit_at=next_exit_after(rules_for(self.compound), first.occurred_at),
        )


def _raise_fever_alert(passage: Passage) -> None:
    """The alert first, as the gate raises it: the passage points at it."""
    passage.fever_alert = FeverAlert.objects.create(
        compound=passage.compound,
        source=FeverAlert.Source.GATE,
        household=passage.household,
        resident=passage.resident,
        temperature=passage.temperature,
        created_at=passage.occurred_at,
    )


def build_gate_day(compound: Compound, volunteer: Any, rng: random.Random) -> int:
    """A morning at the gate, so the demo's pages have something to show.

    Outings in the hours before the seed ran (most back home), one household out longer
    than the rules allow, a refused second outing and one fever reading with its open
    alert. Nobody sealed in or in quarantine goes out.
    """
    opening = compound.openings.filter(state=Opening.State.STAFFED).order_by("name").first()
    if opening is None:
        return 0
    cards = _gate_cards(compound, timezone.localdate())
    chosen = rng.sample(cards, min(14, len(cards)))
    gate = _GateLog(compound, opening, volunteer, rng, timezone.now())
    for n, card in enumerate(chosen[:10]):
        left = 30 + n * 17
        gate.log(card, Passage.Direction.OUT, left, counts_quota=True)
        if n != 0:  # chosen[0] stays out: the overdue household
            gate.log(card, Passage.Direction.IN, left - rng.randrange(20, 28))
    if len(chosen) > 10:
        gate.log(chosen[10], Passage.Direction.OUT, 190, counts_quota=True)
    if len(chosen) > 11:
        gate.refused_second_outing(chosen[11])
    fever = None
    if len(chosen) > 12:
        fever = gate.log(
            chosen[12],
            Passage.Direction.OUT,
            12,
            temperature=Decimal("38.1"),
            verdict=Passage.Verdict.DENIED,
            reason="fever",
            fever=True,
        )
    if fever is not None:
        _raise_fever_alert(fever)
    if len(chosen) > 13:
        # Let out by the phone while the server did not answer; the server disagreed.
        gate.log(chosen[13], Passage.Direction.OUT, 320, counts_quota=True)
        gate.log(chosen[13], Passage.Direction.IN, 280)
        gate.log(
            chosen[13],
            Passage.Direction.OUT,
            70,
            counts_quota=True,
            decided_on=Passage.DecidedOn.DEVICE,
            server_verdict=Passage.Verdict.DENIED,
            server_reason="quota_used",
            breach="quota_used",
        )
    # A doctor without a pass card: a visitor passage.
    at = gate.now - timedelta(minutes=50)
    gate.rows.append(
        Passage(
            compound=compound,
            opening=opening,
            direction=Passage.Direction.IN,
            temperature=Decimal("36.4"),
            occurred_at=at,
            received_at=at,
            volunteer=volunteer,
            verdict=Passage.Verdict.ALLOWED,
            client_id=uuid.uuid4(),
            visitor_name="刘医生",
            visitor_unit="社区卫生服务中心",
            visitor_reason="medic",
        )
    )
    Passage.objects.bulk_create(gate.rows)
    gate_state_rebuild(compound_ids=[compound.pk])  # written around the service
    return len(gate.rows)


def build_supplies_day(
    compound: Compound, secretary: Any, volunteer: Any, rng: random.Random
) -> dict[str, int]:
    """Tomorrow's grocery run with a few orders (a pasted 接龙 chain, a phone call, weekly
    medicine, disinfectant given free), bags paid by the volunteer, and the help requests
    of the field reports: a feverish baby, a broken internet line, a tip from above.

    Written through the services, so the ledger balances and the audit trail has it all.
    """
    from supplies import (
        help_services,
        jielong_services,
        ledger_services,
        list_services,
        services,
    )
    from supplies.services import LineInput

    households = list(
        Household.objects.filter(compound=compound)
        .select_related("building", "unit")
        .order_by("building__number", "room")[:40]
    )
    if len(households) < 6:
        return {"orders": 0, "requests": 0}
    chosen = rng.sample(households, 6)
    now = timezone.now()
    run = services.run_create(
        compound=compound,
        date=timezone.localdate() + timedelta(days=1),
        cutoff_at=now + timedelta(hours=10),
        volunteers=[volunteer],
        actor=secretary,
        note="08:30 超市集合",
    )
    chain = ["【接龙】明天买菜，今晚8点截止", "例：20-1702 白菜2斤 鸡蛋1盒"]
    goods = ("白菜2斤 鸡蛋1盒", "土豆3斤、番茄两斤🍅", "半斤姜 大米1袋", "面条 酱油一瓶")
    for n, (household, goods_line) in enumerate(zip(chosen[:4], goods, strict=True), start=1):
        chain.append(f"{n}. {household.address} {goods_line}")
    chain.append("谢谢志愿者辛苦了👍")
    jielong_services.jielong_commit(
        run=run,
        text="\n".join(chain),
        fixes=[],
        client_key=uuid.UUID(int=rng.getrandbits(128)),
        actor=volunteer,
    )
    services.order_save(
        run=run,
        household=chosen[4],
        lines=[
            LineInput("硝苯地平", Decimal("2"), "盒", medicine=True, prescription_note="每日两次")
        ],
        actor=volunteer,
    )
    services.recurring_order_create(
        household=chosen[4],
        lines=[
            LineInput("硝苯地平", Decimal("2"), "盒", medicine=True, prescription_note="每日两次")
        ],
        every_days=7,
        next_on=run.date + timedelta(days=7),
        actor=secretary,
    )
    gift = services.order_save(
        run=run,
        household=chosen[5],
        lines=[LineInput("84消毒液", Decimal("1"), "瓶")],
        actor=volunteer,
    )
    orders = list(run.orders.exclude(pk=gift.pk).select_related("household").order_by("pk"))
    bagged = [
        list_services.order_bag(
            order=order, cost_fen=rng.randrange(1500, 6000), paid_by=volunteer, actor=volunteer
        )
        for order in orders[:2]
    ]
    list_services.order_bag(
        order=gift, cost_fen=1280, paid_by=volunteer, gift=True, actor=volunteer
    )
    ledger_services.repayment_record(
        household=bagged[0].household,
        amount_fen=bagged[0].cost_fen or 0,
        method="wechat",
        to_volunteer=volunteer,
        actor=secretary,
    )
    baby = help_services.help_request_create(
        compound=compound,
        channel="in_person",
        kind="medical",
        urgency=1,
        household=chosen[0],
        summary="8个月宝宝发烧，家里没有体温计",
        actor=volunteer,
    )
    help_services.help_request_move(
        request=baby,
        state="escalated",
        escalated_to="hospital",
        note="借体温计 39.3℃，报社区，安排车送定点医院",
        actor=secretary,
    )
    internet = help_services.help_request_create(
        compound=compound,
        channel="phone",
        kind="utilities",
        urgency=3,
        household=chosen[1],
        summary="家里网络断了，孩子明早要上网课",
        actor=volunteer,
    )
    help_services.help_follow_up(
        request=internet, how="phone", outcome="已联系电信，下午上门", actor=volunteer
    )
    help_services.help_request_create(
        compound=compound,
        channel="from_above",
        kind="tip",
        urgency=2,
        summary="20栋旁停有一辆鄂牌车（上级转办）",
        actor=secretary,
    )
    return {"orders": len(orders) + 1, "requests": 3}


def build_gate_history(
    compound: Compound, volunteer: Any, rng: random.Random, *, days: int = 13
) -> int:
    """The ``days`` before today at the gate, for the compound page's 14-day chart: a few
    dozen outings a day (out, then back), and now and then a fever found on a door visit,
    long since resolved. Households with anyone ever quarantined stay in."""
    today = timezone.localdate()
    cards = [
        c
        for c in _gate_cards(compound, today)
        if c.household.quarantine_until is None
        and all(r.quarantine_until is None for r in c.household.residents.all())
    ]
    opening = compound.openings.filter(state=Opening.State.STAFFED).order_by("pk").first()
    if not cards or opening is None:
        return 0
    rows: list[Passage] = []
    for back in range(days, 0, -1):
        midnight = timezone.make_aware(
            datetime.combine(today - timedelta(days=back), datetime.min.time())
        )
        gate = _GateLog(compound, opening, volunteer, rng, midnight)
        for card in rng.sample(cards, min(len(cards), rng.randrange(15, 45))):
            left = -rng.randrange(7 * 60, 18 * 60)  # minutes after midnight, as "ago"
            gate.log(card, Passage.Direction.OUT, left, counts_quota=True)
            gate.log(card, Passage.Direction.IN, left - rng.randrange(30, 150))
        rows += gate.rows
        if back % 4 == 0:
            card = rng.choice(cards)
            FeverAlert.objects.create(
                compound=compound,
                source=FeverAlert.Source.DOOR_VISIT,
                household=card.household,
                temperature=Decimal("37.8"),
                status=FeverAlert.Status.RESOLVED,
                created_at=midnight + timedelta(hours=10),
            )
    Passage.objects.bulk_create(rows)
    gate_state_rebuild(compound_ids=[compound.pk])
    return len(rows)


# --- a screening round and the quarantine's pages ----------------------------------------


def build_round(compound: Compound, rng: random.Random) -> int:
    """The fourth round over the compound (round 3 closed before it): the units assigned
    to the branch's members, the demo volunteer's doors partly walked, a revisit due, a
    central stay at 颐和医院, a close contact and a named contact. Returns the visits made."""
    from residents.rounds import services as rounds

    secretary = Role.objects.filter(compound=compound, kind=Role.Kind.SECRETARY).first()
    branch = compound.branches.first()
    if secretary is None or branch is None:
        return 0
    actor = secretary.user
    today = timezone.localdate()
    third, _ = rounds.round_open(
        compound=compound,
        actor=actor,
        number=3,
        title="第3轮全面排查",
        starts_on=today - timedelta(days=8),
        ends_on=today - timedelta(days=6),
    )
    Visit.objects.filter(round=third).update(
        result=Visit.Result.EVERYONE, colour=Visit.Colour.RED, colour_rule=Visit.Colour.RED
    )
    rounds.round_close(round_=third, actor=actor, reasons={})
    fourth, _ = rounds.round_open(
        compound=compound,
        actor=actor,
        number=4,
        title="第4轮全面排查",
        starts_on=today,
        ends_on=today + timedelta(days=2),
    )
    # Logins first, on every database (PostgreSQL sorts NULL first when descending).
    members = list(branch.members.order_by(F("user_id").desc(nulls_last=True), "pk"))
    units = list(Unit.objects.filter(building__compound=compound).select_related("building"))
    units.sort(key=lambda u: natural_key(u.building.number, u.number))
    with_units = {u.building_id for u in units}
    places = [(u.building, u) for u in units] + [
        (b, None) for b in compound.buildings.exclude(pk__in=with_units)
    ]
    for n, (building, unit) in enumerate(places):
        rounds.assignment_set(
            round_=fourth,
            actor=actor,
            member=members[n % len(members)],
            building=building,
            unit=unit,
        )
    mine = members[0].user or actor
    visits = Visit.objects.filter(round=fourth).filter(rounds.assigned_q(fourth, mine))
    walked = sorted(
        visits.select_related("household__building", "household__unit"),
        key=lambda v: v.household.address_key,
    )[:8]
    made = 0
    for n, visit in enumerate(walked):
        people = list(visit.household.residents.values_list("pk", flat=True))
        result = Visit.Result.NOBODY if n in (2, 6) else Visit.Result.EVERYONE
        rounds.visit_record(
            visit=visit,
            actor=mine,
            client_id=uuid.UUID(int=rng.getrandbits(128)),
            result=result,
            present=people if result == Visit.Result.EVERYONE else [],
            temperature=Decimal("36.5") if result == Visit.Result.EVERYONE else None,
        )
        made += 1
    _demo_quarantines(compound, actor, rng, today)
    return made


def _demo_quarantines(compound: Compound, actor: Any, rng: random.Random, today: date) -> None:
    from residents.quarantine import services as quarantine

    people = list(
        Resident.objects.filter(
            household__compound=compound, quarantine_until__isnull=True, returnee=False
        ).order_by("pk")[:40]
    )
    if len(people) < 3:
        return
    central, case, contact = people[0], people[10 % len(people)], people[20 % len(people)]
    quarantine.quarantine_start(
        resident=central,
        actor=actor,
        reason=Quarantine.Reason.CLOSE_CONTACT,
        kind=Quarantine.Kind.CENTRAL,
        site_name="颐和医院",
        starts_on=today - timedelta(days=3),
    )
    row = quarantine.close_contact_add(
        case=case,
        actor=actor,
        name="",
        contact=contact,
        last_contact_on=today - timedelta(days=1),
    )
    quarantine.close_contact_quarantine(contact=row, actor=actor)
    alone = Resident.objects.filter(household__compound=compound, elderly_alone=True).first()
    branch = compound.branches.first()
    member = branch.members.filter(position="member").first() if branch else None
    if alone is not None and member is not None:
        quarantine.named_contact_set(resident=alone, actor=actor, member=member)
