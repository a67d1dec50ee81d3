"""The city's daily life for ``seed_city``: door-to-door rounds, the roster, grocery runs,
quarantines with their daily checks, and help requests, so that every figure of the
dashboards has data at the size of a city.

The rows go straight into the tables (COPY on PostgreSQL, ``bastion.copyload``) with the
values the services would have written; the services' rules hold by construction:

- one visit per household per round; a closed round's doors not visited carry a reason
  (``round_close`` asks for one); the latest round is open and partly walked;
- nobody on two overlapping shifts (``checkpoints.rosters.duty`` checks it per person,
  by login or phone): each member has a phone of their own and a login only in their own
  compound, and holds at most one seat a day, the three shifts of a day being disjoint;
- the gate's quarantine flags are what ``residents.quarantine.services.flags_sync``
  derives from the quarantine rows: ``quarantine_flags`` states the same rule over the
  planned rows, before the households and residents are written with them.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from django.db import connection
from django.utils import timezone

from bastion.copyload import (
    Log,
    Progress,
    Writer,
    build_indexes,
    drop_secondary_indexes,
    next_id,
)
from checkpoints.rosters.common import THREE_SHIFT_SLOTS, THREE_SHIFTS
from checkpoints.rosters.models import Assignment, Post, Shift, ShiftSlot, ShiftTemplate
from compounds.models import Branch, BranchMember, Compound
from residents.quarantine.models import DEFAULT_DAYS, Quarantine, QuarantineCheck
from residents.rounds.colours import colour_for
from residents.rounds.models import Round, Visit, VisitAttempt
from supplies.models import HelpEvent, HelpRequest, Order, OrderLine, Run

ROUNDS = 5
ROUND_EVERY_DAYS = 12
ROUND_DAYS = 3
POSTS_NEEDED = 2
POOL = 20  # volunteers per compound on the roster (18 seats a day: 3 posts x 3 shifts x 2)
ORDERS_PER_RUN = 10
CONTACT_RATE = 0.003  # residents made close contacts, quarantined at home or centrally
CENTRAL_SITES = ("颐和医院", "锦江之星隔离点", "区委党校隔离点")
# Tables written with ids of the loader's own: their sequences are moved on after the load.
NUMBERED = (Round, Shift, Run, Order, Quarantine, HelpRequest)
# Every table loaded here, for VACUUM and ANALYZE after the load.
LOADED = (Round, Visit, Post, Shift, Assignment, BranchMember, Run, Order, OrderLine,
          Quarantine, QuarantineCheck, HelpRequest, HelpEvent)  # fmt: skip
# Tables big enough to load without their secondary indexes and keys, built after.
BIG = (Visit, Shift, Assignment, Order, OrderLine, QuarantineCheck)


@dataclass
class Town:
    """What the base city made, as daily life needs it."""

    writer: Writer
    log: Log
    rng: random.Random
    now: datetime
    today: date
    days: int
    compounds: Sequence[Compound]
    households: Sequence[tuple[int, int, int]]  # (household, compound, card), by compound
    first_resident: int  # residents are numbered household by household
    per_household: int
    returned: dict[int, date]  # resident id -> returned on
    secretary_of: dict[int, int]  # compound -> user id
    volunteer_of: dict[int, int]
    openings_of: dict[int, list[tuple[int, str]]]  # compound -> (opening id, name)
    by_compound: dict[int, list[int]] = field(default_factory=dict)  # -> household indexes

    def __post_init__(self) -> None:
        for i, (_hh, compound, _card) in enumerate(self.households):
            self.by_compound.setdefault(compound, []).append(i)

    def residents_of(self, index: int) -> range:
        first = self.first_resident + index * self.per_household
        return range(first, first + self.per_household)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``day`` at that hour in the local zone (Asia/Shanghai), aware."""
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def build_life(town: Town, quarantines: "QuarantinePlan") -> dict[str, int]:
    """Quarantines, rounds, roster, runs, help. Returns the rows written, by table."""
    statements = drop_secondary_indexes([m._meta.db_table for m in BIG]) if town.writer.pg else []
    if statements:
        town.log(f"daily life: {len(statements)} secondary indexes and keys dropped for the load")
    rows = quarantines_write(town, quarantines)
    rows.update(_rounds(town))
    rows.update(_roster(town))
    rows.update(_supplies(town))
    rows.update(_help(town))
    if statements:
        started = perf_counter()
        build_indexes(statements, town.log)
        town.log(f"  daily life's indexes built in {perf_counter() - started:.0f} s")
    return rows


# --- quarantine -------------------------------------------------------------------------


@dataclass
class QuarantinePlan:
    # (id, compound, household, resident, reason, kind, site_name, starts_on, ends_on,
    #  confines_household, ended_on)
    rows: list[tuple[Any, ...]]
    resident_until: dict[int, date]
    household_until: dict[int, date]


def quarantine_flags(
    rows: Iterable[Sequence[Any]],
) -> tuple[dict[int, date], dict[int, date]]:
    """``flags_sync``'s rule over planned rows: a resident's flag is the latest planned end
    of their quarantines not ended; a household's, the latest planned end of its members'
    home quarantines not ended that confine the household."""
    residents: dict[int, date] = {}
    households: dict[int, date] = {}
    for _id, _c, household, resident, _r, kind, _s, _starts, ends, confines, ended in rows:
        if ended is not None:
            continue
        residents[resident] = max(ends, residents.get(resident, ends))
        if kind == Quarantine.Kind.HOME and confines:
            households[household] = max(ends, households.get(household, ends))
    return residents, households


def quarantine_plan(
    *,
    rng: random.Random,
    households: Sequence[tuple[int, int, int]],
    first_resident: int,
    per_household: int,
    returned: dict[int, date],
    today: date,
) -> QuarantinePlan:
    """Every returnee quarantined at home from the day they came back (a third of those
    confine the household), and a few close contacts in each compound, most at a central
    site (the first one there now). Those whose 14 days are over ended on their planned
    end."""
    qid = next_id(Quarantine)
    rows = []
    span = timedelta(days=DEFAULT_DAYS)
    indexes: dict[int, list[int]] = {}
    for i, (_hh, compound, _card) in enumerate(households):
        indexes.setdefault(compound, []).append(i)
    contacts: dict[int, int] = {}  # resident id -> its rank among its compound's contacts
    for mine in indexes.values():
        people = [
            rid
            for i in mine
            for rid in range(
                first_resident + i * per_household, first_resident + (i + 1) * per_household
            )
            if rid not in returned
        ]
        chosen = rng.sample(people, min(len(people), max(1, round(len(people) * CONTACT_RATE))))
        contacts.update((rid, rank) for rank, rid in enumerate(chosen))
    for i, (hh, compound, _card) in enumerate(households):
        for rid in range(
            first_resident + i * per_household, first_resident + (i + 1) * per_household
        ):
            returned_on = returned.get(rid)
            if returned_on is not None:
                reason, kind, starts = Quarantine.Reason.RETURNEE, Quarantine.Kind.HOME, returned_on
                confines = rng.random() < 0.35
                site = ""
            elif rid in contacts:
                reason = Quarantine.Reason.CLOSE_CONTACT
                first = contacts[rid] == 0
                starts = today - timedelta(days=rng.randrange(0, 7 if first else 20))
                central = first or rng.random() < 0.6
                kind = Quarantine.Kind.CENTRAL if central else Quarantine.Kind.HOME
                confines = not central
                site = rng.choice(CENTRAL_SITES) if central else ""
            else:
                continue
            ends = starts + span
            ended = ends if ends < today else None
            rows.append((qid, compound, hh, rid, reason, kind, site, starts, ends, confines, ended))
            qid += 1
    residents, households_until = quarantine_flags(rows)
    return QuarantinePlan(rows, residents, households_until)


def quarantines_write(town: Town, plan: QuarantinePlan) -> dict[str, int]:
    writer, rng, now, today = town.writer, town.rng, town.now, town.today
    notes = {
        Quarantine.Reason.RETURNEE: "返乡人员居家隔离",
        Quarantine.Reason.CLOSE_CONTACT: "密接",
    }
    written = writer.write(
        Quarantine,
        ["id", "compound", "household", "resident", "reason", "kind", "site_name", "starts_on",
         "ends_on", "confines_household", "ended_on", "note", "created_by", "created_at",
         "site"],
        (
            (*row, notes[row[4]], town.secretary_of[row[1]], town.at(row[7], 9), None)
            for row in plan.rows
        ),
        Progress("quarantines", len(plan.rows)),
    )  # fmt: skip

    def checks() -> Iterable[tuple[Any, ...]]:
        for qid, compound, _hh, _rid, _reason, _kind, _site, starts, ends, _c, _ended in plan.rows:
            volunteer = town.volunteer_of[compound]
            day = starts
            while day <= ends:
                at = town.at(day, 8) + timedelta(seconds=rng.randrange(0, 4 * 3600))
                if day < today:
                    checked = rng.random() >= 0.04  # a few missed
                elif day == today:
                    checked = at <= now and rng.random() < 0.7
                else:
                    checked = False
                if checked:
                    phone = rng.random() < 0.4
                    reading = Decimal(rng.randrange(360, 373)) / 10
                    yield (qid, compound, day, at, volunteer, "phone" if phone else "door",
                           reading, False, "", None)  # fmt: skip
                else:
                    yield (qid, compound, day, None, None, "", None, False, "", None)
                day += timedelta(days=1)

    expected = sum((row[8] - row[7]).days + 1 for row in plan.rows)
    checked = writer.write(
        QuarantineCheck,
        ["quarantine", "compound", "day", "checked_at", "checked_by", "method", "temperature",
         "symptoms", "note", "fever_alert"],
        checks(),
        Progress("quarantine checks", expected),
    )  # fmt: skip
    return {"quarantines": written, "quarantine_checks": checked}


# --- rounds -----------------------------------------------------------------------------


def _round_dates(town: Town, number: int) -> tuple[date, date]:
    """Round 5 began yesterday and is open; the others every 12 days before, 3 days each."""
    starts = town.today - timedelta(days=1 + ROUND_EVERY_DAYS * (ROUNDS - number))
    return starts, starts + timedelta(days=ROUND_DAYS - 1)


def _rounds(town: Town) -> dict[str, int]:
    rng, now = town.rng, town.now
    round_id = next_id(Round)
    rounds: list[tuple[Any, ...]] = []
    walks: list[tuple[int, int, int, date, bool]] = []  # round, compound, number, start, open
    for c in town.compounds:
        for number in range(1, ROUNDS + 1):
            starts, ends = _round_dates(town, number)
            open_ = number == ROUNDS
            closed_at = None if open_ else town.at(ends, 20)
            closed_by = None if open_ else town.secretary_of[c.pk]
            rounds.append(
                (round_id, c.pk, number, f"第{number}轮全面排查", starts, ends, Round.Scope.WHOLE,
                 town.secretary_of[c.pk], town.at(starts, 7, 30), closed_at, closed_by)
            )  # fmt: skip
            walks.append((round_id, c.pk, number, starts, open_))
            round_id += 1
    written = town.writer.write(
        Round,
        ["id", "compound", "number", "title", "starts_on", "ends_on", "scope", "opened_by",
         "opened_at", "closed_at", "closed_by"],
        rounds,
    )  # fmt: skip
    Result = Visit.Result
    has_returnee = {
        i
        for i in range(len(town.households))
        if any(r in town.returned for r in town.residents_of(i))
    }

    def visits() -> Iterable[tuple[Any, ...]]:
        random_ = rng.random
        for round_, compound, _number, starts, open_ in walks:
            volunteer = town.volunteer_of[compound]
            first_walk = town.at(starts, 8)
            walked = (now - first_walk).total_seconds()
            for i in town.by_compound[compound]:
                r = random_()
                if open_:  # about two thirds walked so far
                    result = (
                        Result.EVERYONE if r < 0.55 else Result.SOME if r < 0.62
                        else Result.REFUSED if r < 0.63 else Result.NOBODY if r < 0.67
                        else Result.PENDING
                    )  # fmt: skip
                else:
                    result = (
                        Result.EVERYONE if r < 0.80 else Result.SOME if r < 0.90
                        else Result.REFUSED if r < 0.91 else Result.NOBODY if r < 0.96
                        else Result.PENDING
                    )  # fmt: skip
                people = list(town.residents_of(i))
                if result == Result.PENDING:
                    miss = "" if open_ else "多次上门未能入户，已电话联系"
                    yield (round_, compound, town.households[i][0], result, len(people), [],
                           False, "", None, False, False, None, "", "", "", "", miss, None,
                           None, None)  # fmt: skip
                    continue
                if open_:
                    at = first_walk + timedelta(seconds=random_() * max(walked, 0))
                else:
                    at = first_walk + timedelta(
                        days=rng.randrange(ROUND_DAYS), seconds=rng.randrange(12 * 3600)
                    )
                returnee = i in has_returnee
                colour = colour_for(result=result, has_returnee=returnee)
                home = result in (Result.EVERYONE, Result.SOME)
                present = people if result == Result.EVERYONE else people[:1] if home else []
                reading = Decimal(rng.randrange(360, 373)) / 10 if home else None
                miss = "多次上门无人应答" if result == Result.NOBODY and not open_ else ""
                yield (round_, compound, town.households[i][0], result, len(people), present,
                       returnee and home, "", None, False, False, reading, "", colour, colour,
                       "", miss, None, at, volunteer)  # fmt: skip

    visited = town.writer.write(
        Visit,
        ["round", "compound", "household", "result", "registered_count", "present", "returnee",
         "returned_from", "returned_on", "case_contact", "symptoms", "temperature", "notes",
         "colour", "colour_rule", "colour_reason", "miss_reason", "fever_alert", "visited_at",
         "visited_by"],
        visits(),
        Progress("visits", len(town.households) * ROUNDS),
    )  # fmt: skip
    return {"rounds": written, "visits": visited}


# --- the roster -------------------------------------------------------------------------


def _roster(town: Town) -> dict[str, int]:
    """Three posts a compound (its two gates and a patrol, two people each), 三班倒 from
    the first day of the log to tomorrow, the branch's volunteers on them."""
    rng, now, today = town.rng, town.now, town.today
    branches = Branch.objects.bulk_create(
        [
            Branch(name=f"{c.name}临时党支部", compound=c, founded_on=date(2020, 2, 1))
            for c in town.compounds
        ]
    )
    members: list[BranchMember] = []
    for branch, c in zip(branches, town.compounds, strict=True):
        members.append(
            BranchMember(branch=branch, user_id=town.secretary_of[c.pk], name=f"书记{c.pk}",
                         position=BranchMember.Position.SECRETARY, party_member=True)
        )  # fmt: skip
        for n in range(POOL):
            members.append(
                BranchMember(
                    branch=branch,
                    user_id=town.volunteer_of[c.pk] if n == 0 else None,
                    name=f"志愿者{c.pk}-{n + 1}",
                    position=BranchMember.Position.VOLUNTEER,
                    work_unit="区直机关下沉干部" if n % 3 == 0 else "",
                    party_member=n % 2 == 0,
                )
            )
    members = BranchMember.objects.bulk_create(members, batch_size=5000)
    # A phone of their own: the overlap rule takes rows sharing a phone for one person.
    for m in members:
        m.phone = f"139{m.pk:08d}"
    BranchMember.objects.bulk_update(members, ["phone"], batch_size=5000)
    pool_of = {
        c.pk: [m.pk for m in members[k * (POOL + 1) + 1 : (k + 1) * (POOL + 1)]]
        for k, c in enumerate(town.compounds)
    }
    templates = ShiftTemplate.objects.bulk_create(
        [ShiftTemplate(compound=c, name=THREE_SHIFTS) for c in town.compounds]
    )
    ShiftSlot.objects.bulk_create(
        [
            ShiftSlot(template=t, start=start, minutes=8 * 60)
            for t in templates
            for start, _end, _next_day in THREE_SHIFT_SLOTS
        ]
    )
    posts = Post.objects.bulk_create(
        [
            Post(compound=c, name=name, kind=kind, opening_id=opening, needed=POSTS_NEEDED)
            for c in town.compounds
            for name, kind, opening in [
                *(
                    (f"{o_name}岗", Post.Kind.OPENING, o_id)
                    for o_id, o_name in town.openings_of[c.pk]
                ),
                ("巡逻", Post.Kind.PATROL, None),
            ][:3]
        ]
    )
    posts_of: dict[int, list[int]] = {}
    for row in posts:
        posts_of.setdefault(row.compound_id, []).append(row.pk)
    days = [today - timedelta(days=d) for d in range(town.days - 1, -2, -1)]  # to tomorrow
    shift_id = next_id(Shift)
    shifts: list[tuple[Any, ...]] = []
    seats: list[tuple[Any, ...]] = []
    horizon = now + timedelta(hours=24)
    for k, c in enumerate(town.compounds):
        pool, secretary = pool_of[c.pk], town.secretary_of[c.pk]
        for d, day in enumerate(days):
            rotate = 7 * d
            for s, (start, _end, _next_day) in enumerate(THREE_SHIFT_SLOTS):
                starts = town.at(day, start.hour)
                ends = starts + timedelta(hours=8)
                for p, post in enumerate(posts_of[c.pk]):
                    shifts.append((shift_id, post, day, starts, ends, POSTS_NEEDED, None,
                                   starts - timedelta(days=7)))  # fmt: skip
                    # Gaps by a fixed pattern, so that every city has some (the first
                    # compound's first post now): one of 8 posts is one person short on
                    # the shift running now (one not signed in yet), one of 6 shifts of
                    # the next 24 hours is one person short; a few past ones were.
                    running = starts <= now < ends
                    short = (
                        (k + p + d + s) % 6 == 0 if now < starts < horizon
                        else rng.random() < 0.01 if ends <= now else False
                    )  # fmt: skip
                    late = running and (k + p) % 8 == 0
                    for j in range(POSTS_NEEDED - short):
                        # One seat a day per member: seat s*6+p*2+j of the day's 18.
                        member = pool[(s * 6 + p * 2 + j + rotate) % POOL]
                        seats.append(_seat(town, shift_id, starts, ends, member, secretary,
                                           signed=not (late and j == 1)))  # fmt: skip
                    shift_id += 1
    n_shifts = town.writer.write(
        Shift,
        ["id", "post", "day", "starts_at", "ends_at", "needed", "cancelled_at", "created_at"],
        shifts,
        Progress("shifts", len(shifts)),
    )
    n_seats = town.writer.write(
        Assignment,
        ["shift", "member", "assigned_at", "assigned_by", "cancelled_at", "cancelled_by",
         "replaces", "signed_in_at", "signed_out_at", "sign_out_forgotten"],
        seats,
        Progress("shift assignments", len(seats)),
    )  # fmt: skip
    return {"members": len(members), "posts": len(posts), "shifts": n_shifts,
            "assignments": n_seats}  # fmt: skip


def _seat(
    town: Town,
    shift: int,
    starts: datetime,
    ends: datetime,
    member: int,
    secretary: int,
    *,
    signed: bool,
) -> tuple[Any, ...]:
    rng, now = town.rng, town.now
    assigned = min(starts - timedelta(days=2), now)
    signed_in = signed_out = None
    forgotten = False
    if starts <= now and signed and rng.random() >= 0.02:  # a few never came
        signed_in = min(starts + timedelta(minutes=rng.randint(-10, 15)), now)
        if ends <= now:
            if rng.random() < 0.03:
                signed_out, forgotten = ends, True  # closed at the end by the system
            else:
                signed_out = min(ends + timedelta(minutes=rng.randint(-5, 10)), now)
    return (shift, member, assigned, secretary, None, None, None, signed_in, signed_out, forgotten)


# --- supplies ---------------------------------------------------------------------------

ITEMS = (
    ("白菜", "斤", False), ("土豆", "斤", False), ("鸡蛋", "个", False), ("大米", "袋", False),
    ("猪肉", "斤", False), ("挂面", "把", False), ("牛奶", "箱", False), ("酱油", "瓶", False),
    ("降压药", "盒", True), ("感冒灵", "盒", True),
)  # fmt: skip
CHANNELS = (Order.Channel.PHONE, Order.Channel.JIELONG, Order.Channel.JIELONG, Order.Channel.PAGE)


def _supplies(town: Town) -> dict[str, int]:
    """A run a day per compound with ten orders: delivered on the days before, open today."""
    rng, now, today = town.rng, town.now, town.today
    run_id, order_id = next_id(Run), next_id(Order)
    runs: list[tuple[Any, ...]] = []
    helpers: list[tuple[int, int]] = []
    orders: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    State = Order.State
    for c in town.compounds:
        mine = town.by_compound[c.pk]
        volunteer, secretary = town.volunteer_of[c.pk], town.secretary_of[c.pk]
        for d in range(town.days - 1, -1, -1):
            day = today - timedelta(days=d)
            cutoff = town.at(day, 10)
            runs.append((run_id, c.pk, None, day, cutoff, "", secretary,
                         town.at(day - timedelta(days=1), 18)))  # fmt: skip
            helpers.append((run_id, volunteer))
            for i in rng.sample(mine, min(ORDERS_PER_RUN, len(mine))):
                made = cutoff - timedelta(seconds=rng.randrange(600, 14 * 3600))
                made = min(made, now)
                if d == 0:
                    state, status, cost, paid, updated = State.OPEN, "wanted", None, None, made
                else:
                    r = rng.random()
                    state = (
                        State.CONFIRMED if r < 0.6 else State.AT_DOOR if r < 0.85
                        else State.AT_BUILDING if r < 0.98 else State.NOT_REACHED
                    )  # fmt: skip
                    status, cost, paid = "bought", rng.randrange(1500, 20000), volunteer
                    updated = town.at(day, 15) + timedelta(seconds=rng.randrange(4 * 3600))
                channel = rng.choice(CHANNELS)
                orders.append((order_id, run_id, town.households[i][0], channel, state, "",
                               cost, paid, False, None, made, updated))  # fmt: skip
                for position, k in enumerate(rng.sample(range(len(ITEMS)), rng.randint(1, 4))):
                    name, unit, medicine = ITEMS[k]
                    line_status = (
                        "out_of_stock" if status == "bought" and rng.random() < 0.05 else status
                    )
                    lines.append((order_id, position, name, Decimal(rng.randint(1, 5)), unit, "",
                                  medicine, "", channel, line_status))  # fmt: skip
                order_id += 1
            run_id += 1
    writer = town.writer
    n_runs = writer.write(
        Run,
        ["id", "compound", "building", "date", "cutoff_at", "note", "created_by", "created_at"],
        runs,
        Progress("grocery runs", len(runs)),
    )
    writer.write(Run.volunteers.through, ["run", "user"], helpers)
    n_orders = writer.write(
        Order,
        ["id", "run", "household", "channel", "state", "note", "cost_fen", "paid_by", "gift",
         "carried_from", "created_at", "updated_at"],
        orders,
        Progress("orders", len(orders)),
    )  # fmt: skip
    n_lines = writer.write(
        OrderLine,
        ["order", "position", "name", "quantity", "unit", "note", "medicine",
         "prescription_note", "channel", "status"],
        lines,
        Progress("order lines", len(lines)),
    )  # fmt: skip
    return {"runs": n_runs, "orders": n_orders, "order_lines": n_lines}


# --- help requests ----------------------------------------------------------------------

HELP = (
    (HelpRequest.Kind.MEDICINE, "需要代购降压药，家中已断药", 0.3),
    (HelpRequest.Kind.GROCERIES, "独居老人，家中缺米缺菜", 0.25),
    (HelpRequest.Kind.MEDICAL, "老人胸闷气短，需要就医", 0.1),
    (HelpRequest.Kind.UTILITIES, "燃气卡没钱了，需要代充", 0.1),
    (HelpRequest.Kind.PSYCHOLOGICAL, "居家隔离情绪焦虑，希望有人聊聊", 0.1),
    (HelpRequest.Kind.OTHER, "宠物粮食用完，请帮忙代购", 0.1),
    (HelpRequest.Kind.TIP, "有人从后门翻越围栏外出", 0.05),
)
HELP_CHANNELS = tuple(HelpRequest.Channel.values)


def _help(town: Town) -> dict[str, int]:
    """About 0.6 requests a compound a day, resolved within a day or so; those of the last
    two days partly open. Every third compound also has an urgent one open for an hour or
    few (a city has some, whatever the draw)."""
    rng, now, today = town.rng, town.now, town.today
    State = HelpRequest.State
    kinds, weights = [(k, text) for k, text, _w in HELP], [w for _k, _t, w in HELP]
    request_id = next_id(HelpRequest)
    requests: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for n, c in enumerate(town.compounds):
        mine = town.by_compound[c.pk]
        secretary = town.secretary_of[c.pk]
        asked: list[tuple[datetime, bool]] = []  # (when, urgent and open)
        for d in range(town.days - 1, -1, -1):
            day = town.at(today - timedelta(days=d), 7)
            for _ in range((rng.random() < 0.5) + (rng.random() < 0.1)):
                asked.append((day + timedelta(seconds=rng.randrange(14 * 3600)), False))
        if n % 3 == 0:
            asked.append((now - timedelta(seconds=rng.randrange(600, 5 * 3600)), True))
        for made, urgent in asked:
            if made > now:
                continue
            kind, text = rng.choices(kinds, weights)[0]
            urgency = rng.choices((1, 2, 3, 4), (0.08, 0.2, 0.42, 0.3))[0]
            recent = now - made < timedelta(days=2)
            state = rng.choice(tuple(State)) if recent else State.RESOLVED
            if urgent:
                urgency, state = rng.choice((1, 2)), State.OPEN
            resolved = None
            if state == State.RESOLVED:
                resolved = min(made + timedelta(seconds=rng.randrange(1800, 30 * 3600)), now)
            escalated = ""
            if state == State.ESCALATED:
                escalated = (
                    HelpRequest.EscalatedTo.HOSPITAL
                    if kind == HelpRequest.Kind.MEDICAL
                    else HelpRequest.EscalatedTo.COMMUNITY
                )
            handler = None if state == State.OPEN else secretary
            moved = min(made + timedelta(minutes=20), now)
            updated = resolved or (made if state == State.OPEN else moved)
            household = town.households[rng.choice(mine)][0]
            requests.append((request_id, c.pk, household, rng.choice(HELP_CHANNELS), kind,
                             urgency, text, "", None, state, escalated, handler, None, "", "",
                             secretary, made, updated, resolved))  # fmt: skip
            events.append((request_id, State.OPEN, "", "", secretary, made))
            if state != State.OPEN:
                events.append((request_id, state, escalated, "", secretary, updated))
            request_id += 1
    n_requests = town.writer.write(
        HelpRequest,
        ["id", "compound", "household", "channel", "kind", "urgency", "summary", "contact",
         "temperature", "state", "escalated_to", "handler", "fever_alert", "investigation",
         "finding", "created_by", "created_at", "updated_at", "resolved_at"],
        requests,
        Progress("help requests", len(requests)),
    )  # fmt: skip
    town.writer.write(
        HelpEvent, ["request", "state", "escalated_to", "note", "actor", "at"], events
    )
    return {"help_requests": n_requests}


# The big tables nothing points at, removed first (then VACUUM, then the rest: see
# ``bastion.city.city_delete``), each with the path from it to its compound.
LEAVES = (
    (OrderLine, "order__run__compound_id__in"),
    (Assignment, "shift__post__compound_id__in"),
    (QuarantineCheck, "compound_id__in"),
    (VisitAttempt, "visit__compound_id__in"),
    (Visit, "compound_id__in"),
    (HelpEvent, "request__compound_id__in"),
)


def leaves_delete(compound_ids: Sequence[int]) -> None:
    """Remove the rows of the big tables that nothing points at, with plain SQL."""
    for model, lookup in LEAVES:
        model._default_manager.filter(**{lookup: compound_ids})._raw_delete(connection.alias)


def life_delete(compound_ids: Sequence[int]) -> None:
    """Remove the rest of the daily life of these compounds: orders and shifts with plain
    SQL, then the small tables through the ORM (which follows whatever else points at
    them)."""
    alias = connection.alias
    leaves_delete(compound_ids)  # none left after ``leaves_delete``, unless made since
    Order.objects.filter(run__compound_id__in=compound_ids)._raw_delete(alias)
    Shift.objects.filter(post__compound_id__in=compound_ids)._raw_delete(alias)
    for kind, path in (
        (HelpRequest, "compound_id__in"),
        (Run, "compound_id__in"),
        (Quarantine, "compound_id__in"),
        (Round, "compound_id__in"),
        (Post, "compound_id__in"),
        (Branch, "compound_id__in"),
    ):
        kind._default_manager.filter(**{path: compound_ids}).delete()
