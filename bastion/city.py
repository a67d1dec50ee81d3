"""A city on one server: ``seed_city`` loads it, ``make bench-city`` measures on it.

300 compounds of 65 to 1,300 households (three of 1,300) in ten communities of 30:
100,000 households, 300,000 residents, a pass card each, and 60 days at the gates,
about 9 million passages. Then its daily life (``bastion.city_life``): 5 door-to-door
rounds with a visit per household (500,000 visits; the latest round open, partly
walked), 3 posts x 3 shifts a day x 60 days per compound with the branch's volunteers
on them (signed in and out; a few gaps now and in the next 24 hours), a grocery run a
day per compound with 10 orders, quarantines at home and at central sites with their
daily checks (some missed), and help requests (a few urgent ones open).

``bulk_create`` wrote 7–9 k passages/s, so on PostgreSQL the big tables are loaded with
COPY, with their secondary indexes and foreign keys dropped first and built again after
the load (one pass over the data instead of one update per row; ``bastion.copyload``).
On SQLite there is no COPY: the same rows go through ``executemany`` (slow; fine for the
few compounds of ``--quick`` and the tests).

The per-household gate state is computed while the passages are generated (the loader
knows each household's last passage), not by a second pass over the log; the gate's
quarantine flags are computed from the planned quarantines before the households and
residents are written.

A seed stamp (the spec and the loader's version) is kept as a comment on the passage
table: a city with the same stamp is reused, ``REBUILD=1`` (or ``--rebuild``) builds it
again.
"""

import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from bastion import city_life
from bastion.copyload import (
    CHUNK,
    Log,
    Progress,
    Writer,
    build_indexes,
    columns_of,
    drop_secondary_indexes,
    next_id,
    reset_sequences,
    vacuum_analyze,
)
from checkpoints import codes
from checkpoints.models import CompoundRules, HouseholdGateState, Passage, PassCard
from compounds.models import Building, Community, Compound, Opening, Role
from residents.flags import FLAG_NAMES
from residents.models import FeverAlert, HealthRules, Household, Resident

# 2: passages generated day by day (a real log's physical order); 3: daily life (rounds,
# roster, runs, quarantines, help) and the quarantine flags derived from its quarantines.
LOADER_VERSION = 3
COMMUNITY_PREFIX = "基准城市"
STAMP_PREFIX = "bastion-city "
USER_PREFIX = "city-"


@dataclass(frozen=True)
class CitySpec:
    compounds: int = 300
    households: int = 100_000
    largest: int = 1300
    smallest: int = 65
    large_compounds: int = 3
    residents_per_household: int = 3
    per_community: int = 30
    days: int = 60
    outing_rate: float = 0.75  # household-days with an outing (an exit and an entry)
    denied_rate: float = 0.025  # household-days with a refused second exit
    fevers_per_compound_day: float = 0.3
    seed: int = 2020

    @classmethod
    def scaled(cls, compounds: int, *, days: int = 60) -> "CitySpec":
        """A smaller city with the same shape (100,000 households per 300 compounds)."""
        households = max(compounds * 65, round(100_000 * compounds / 300))
        return cls(
            compounds=compounds,
            households=households,
            large_compounds=min(3, max(1, compounds // 30 or 1)),
            days=days,
        )

    def stamp(self) -> str:
        return json.dumps({"v": LOADER_VERSION, **asdict(self)}, sort_keys=True)


def compound_sizes(spec: CitySpec, rng: random.Random) -> list[int]:
    """Households per compound: ``large_compounds`` at the largest, the rest between the
    smallest and the largest, skewed small, adding up to ``spec.households``."""
    large = min(spec.large_compounds, spec.compounds)
    rest = spec.compounds - large
    largest = min(spec.largest, (spec.households - rest * spec.smallest) // large)
    if largest < spec.smallest:
        raise ValueError("too few households for that many compounds")
    left = spec.households - large * largest
    if rest == 0:
        return [largest] * large
    raw = [rng.random() ** 3.8 for _ in range(rest)]
    spread = left - rest * spec.smallest
    scale = spread / max(sum(raw), 1e-9)
    sizes = [min(largest, spec.smallest + int(r * scale)) for r in raw]
    i = 0
    while sum(sizes) < left and i < 10 * rest:  # hand out what rounding and clipping left
        j = i % rest
        if sizes[j] < largest:
            sizes[j] += 1
        i += 1
    return [largest] * large + sizes


# --- the stamp ---------------------------------------------------------------------


def stored_stamp() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [Passage._meta.db_table])
        comment = cursor.fetchone()[0] or ""
    return comment[len(STAMP_PREFIX) :] if comment.startswith(STAMP_PREFIX) else None


def store_stamp(stamp: str | None) -> None:
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Passage._meta.db_table)
    with connection.cursor() as cursor:
        if stamp is None:
            cursor.execute(f"COMMENT ON TABLE {table} IS NULL")
        else:
            cursor.execute(f"COMMENT ON TABLE {table} IS %s", [STAMP_PREFIX + stamp])


def city_compounds() -> models.QuerySet[Compound]:
    return Compound.objects.filter(community__name__startswith=COMMUNITY_PREFIX)


def city_present(spec: CitySpec) -> bool:
    """A city built from this very spec is in the database."""
    return stored_stamp() == spec.stamp() and city_compounds().count() == spec.compounds


def city_delete(log: Log) -> None:
    """Remove a city built earlier (and only it), big tables first, with plain SQL.

    In two steps on PostgreSQL, with a VACUUM between: first the big tables that nothing
    points at (passages, visits, shift assignments, ...), then the rest. Removing a row
    checks at commit that nothing points at it, one index probe per row, and each probe
    visits in the heap every row that pointed at it, removed or not, until a VACUUM takes
    them out of the indexes: in one step, 398 s for the full city. The stamp is
    cleared first: a city half removed is removed again, then rebuilt."""
    ids = list(city_compounds().values_list("pk", flat=True))
    store_stamp(None)
    if not ids:
        return
    log(f"removing the previous city ({len(ids)} compounds) …")
    t = time.perf_counter()
    alias = connection.alias
    with transaction.atomic():
        city_life.leaves_delete(ids)
        for model in (Passage, HouseholdGateState):
            model.objects.filter(compound_id__in=ids)._raw_delete(alias)
    log(f"  passages, visits and the other big tables removed in {time.perf_counter() - t:.0f} s")
    vacuum_analyze([Passage, HouseholdGateState, *(model for model, _path in city_life.LEAVES)])
    log(f"  vacuumed at {time.perf_counter() - t:.0f} s")
    with transaction.atomic():
        city_life.life_delete(ids)
        FeverAlert.objects.filter(compound_id__in=ids)._raw_delete(alias)
        PassCard.objects.filter(compound_id__in=ids)._raw_delete(alias)
        Resident.objects.filter(
            household_id__in=Household.objects.filter(compound_id__in=ids).values("pk")
        )._raw_delete(alias)
        Household.objects.filter(compound_id__in=ids)._raw_delete(alias)
        Compound.objects.filter(pk__in=ids).delete()
        Community.objects.filter(name__startswith=COMMUNITY_PREFIX).delete()
        get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
    log(f"  removed in {time.perf_counter() - t:.0f} s")


# --- building ----------------------------------------------------------------------


def _card_code(n: int, length: int, salt: int) -> str:
    """A distinct code for each n (a bijection of n modulo the code space)."""
    base = len(codes.ALPHABET)
    space = base**length
    value = (n * 2654435761 + salt) % space  # 2654435761 is prime, coprime with 31**k
    out = []
    for _ in range(length):
        value, digit = divmod(value, base)
        out.append(codes.ALPHABET[digit])
    return "".join(out)


@dataclass
class Built:
    communities: list[Community]
    compounds: list[Compound]
    seconds: float
    rows: dict[str, int]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华飞鹏辉"


def build_city(spec: CitySpec, log: Log) -> Built:
    """Build the city in one transaction (an interrupted load leaves nothing half-made)."""
    started = time.perf_counter()
    rng = random.Random(spec.seed)
    writer = Writer(log)
    rows: dict[str, int] = {}
    now = timezone.now()
    today = timezone.localdate()
    User = get_user_model()
    with transaction.atomic():
        sizes = compound_sizes(spec, rng)
        communities = Community.objects.bulk_create(
            [
                Community(name=f"{COMMUNITY_PREFIX}第{i + 1:02d}社区", district="基准区")
                for i in range((spec.compounds + spec.per_community - 1) // spec.per_community)
            ]
        )
        compounds = Compound.objects.bulk_create(
            [
                Compound(
                    community=communities[i // spec.per_community],
                    name=f"基准{i + 1:03d}小区",
                    address=f"基准大道{i + 1}号",
                )
                for i in range(spec.compounds)
            ]
        )
        CompoundRules.objects.bulk_create([CompoundRules(compound=c) for c in compounds])
        HealthRules.objects.bulk_create([HealthRules(compound=c) for c in compounds])
        openings = Opening.objects.bulk_create(
            [
                Opening(compound=c, name=name, state=Opening.State.STAFFED)
                for c in compounds
                for name in ("南门", "北门")
            ]
        )
        volunteers = User.objects.bulk_create(
            [User(username=f"{USER_PREFIX}v{c.pk}", password="!") for c in compounds]  # noqa: S106
        )
        officers = User.objects.bulk_create(
            [User(username=f"{USER_PREFIX}officer{k.pk}", password="!") for k in communities]  # noqa: S106
        )
        secretaries = User.objects.bulk_create(
            [User(username=f"{USER_PREFIX}s{c.pk}", password="!") for c in compounds]  # noqa: S106
        )
        User.objects.bulk_create(
            [User(username=f"{USER_PREFIX}admin", password="!", is_superuser=True, is_staff=True)]  # noqa: S106
        )
        Role.objects.bulk_create(
            [
                Role(user=u, kind=Role.Kind.VOLUNTEER, compound=c)
                for u, c in zip(volunteers, compounds, strict=True)
            ]
            + [
                Role(user=u, kind=Role.Kind.SECRETARY, compound=c)
                for u, c in zip(secretaries, compounds, strict=True)
            ]
            + [
                Role(user=u, kind=Role.Kind.OFFICER, community=k)
                for u, k in zip(officers, communities, strict=True)
            ]
        )
        per_building = 54
        buildings = Building.objects.bulk_create(
            [
                Building(compound=c, number=str(b + 1))
                for c, size in zip(compounds, sizes, strict=True)
                for b in range((size + per_building - 1) // per_building)
            ],
            batch_size=5000,
        )
        by_compound: dict[int, list[Building]] = {}
        for b in buildings:
            by_compound.setdefault(b.compound_id, []).append(b)
        log(f"{len(compounds)} compounds, {len(buildings)} buildings, {sum(sizes):,} households")

        # Households, residents, cards.
        hh_id, res_id, card_id = next_id(Household), next_id(Resident), next_id(PassCard)
        first_resident = res_id
        households: list[tuple[int, int, int]] = []  # (id, compound, card id)
        hh_rows, card_rows = [], []
        # Residents are numbered household by household; 3 % came back in the last 20 days.
        returned: dict[int, date] = {}
        salt = rng.randrange(1, 10**6)
        for c, size in zip(compounds, sizes, strict=True):
            for i in range(size):
                building = by_compound[c.pk][i // per_building]
                flat = i % per_building
                room = f"{flat // 4 + 1}{flat % 4 + 1:02d}"
                for _k in range(spec.residents_per_household):
                    if rng.random() < 0.03:
                        returned[res_id] = today - timedelta(days=rng.randrange(0, 20))
                    res_id += 1
                hh_rows.append(
                    (
                        hh_id,
                        c.pk,
                        building.pk,
                        None,
                        room,
                        f"138{hh_id:08d}",
                        "",
                        None,  # quarantine_until: from the quarantine plan, below
                        0,
                        now,
                        now,
                    )
                )
                card_rows.append(
                    (
                        card_id,
                        c.pk,
                        hh_id,
                        _card_code(card_id, codes.NUMBER_LENGTH, salt),
                        _card_code(card_id, codes.SECRET_LENGTH, salt),
                        PassCard.State.ACTIVE,
                        now,
                        None,
                        "",
                    )
                )
                households.append((hh_id, c.pk, card_id))
                hh_id += 1
                card_id += 1
        _avoid_card_clashes(card_rows)
        # The quarantines first: the gate's flags on households and residents derive from
        # them (``flags_sync``'s rule, ``city_life.quarantine_flags``).
        plan = city_life.quarantine_plan(
            rng=rng,
            households=households,
            first_resident=first_resident,
            per_household=spec.residents_per_household,
            returned=returned,
            today=today,
        )
        household_until, resident_until = plan.household_until, plan.resident_until
        rows["households"] = writer.write(
            Household,
            ["id", "compound", "building", "unit", "room", "contact_phone", "note",
             "quarantine_until", "gate_version", "created_at", "updated_at"],
            ((*row[:7], household_until.get(row[0]), *row[8:]) for row in hh_rows),
            Progress("households", len(hh_rows)),
        )  # fmt: skip
        rows["cards"] = writer.write(
            PassCard,
            [
                "id",
                "compound",
                "household",
                "number",
                "secret",
                "state",
                "issued_at",
                "issued_by",
                "revoke_reason",
            ],
            card_rows,
        )
        del hh_rows, card_rows

        def residents() -> Iterable[tuple[Any, ...]]:
            relations = ["head", "spouse", "child"]
            rid = first_resident
            for hh, _c, _card in households:
                surname = SURNAMES[hh % len(SURNAMES)]
                for k in range(spec.residents_per_household):
                    returned_on = returned.get(rid)
                    returnee = returned_on is not None
                    yield (
                        rid, hh, f"{surname}{GIVEN[(rid * 7 + k) % len(GIVEN)]}{k}",
                        "MF"[k % 2], 1950 + (rid % 60), "", "", relations[k % 3],
                        *(
                            (flag == "party_member" and k == 0 and hh % 9 == 0)
                            or (flag == "returnee" and returnee)
                            for flag in FLAG_NAMES
                        ),
                        "武汉" if returnee else "", returned_on, "", resident_until.get(rid),
                        "", None, now, now,
                    )  # fmt: skip
                    rid += 1

        rows["residents"] = writer.write(
            Resident,
            ["id", "household", "name", "sex", "birth_year", "phone", "id_number", "relation",
             *FLAG_NAMES, "returned_from", "returned_on", "return_transport",
             "quarantine_until", "note", "erased_at", "created_at", "updated_at"],
            residents(),
            Progress("residents", len(households) * spec.residents_per_household),
        )  # fmt: skip
        log(f"{rows['residents']:,} residents")

        first_opening = {o.compound_id: o.pk for o in openings if o.name == "南门"}
        volunteer_of = {c.pk: u.pk for c, u in zip(compounds, volunteers, strict=True)}
        rows["passages"], states = _passages(
            spec, rng, writer, households, first_opening, volunteer_of, now, log
        )
        rows["gate_states"] = writer.write(
            HouseholdGateState,
            ["household", "compound", "last_passage_at", "last_passage_id", "out_since",
             "last_exit_at"],
            states,
        )  # fmt: skip
        rows["fever_alerts"] = _fever_alerts(spec, rng, compounds, households, now)
        town = city_life.Town(
            writer=writer,
            log=log,
            rng=rng,
            now=now,
            today=today,
            days=spec.days,
            compounds=compounds,
            households=households,
            first_resident=first_resident,
            per_household=spec.residents_per_household,
            returned=returned,
            secretary_of={c.pk: u.pk for c, u in zip(compounds, secretaries, strict=True)},
            volunteer_of=volunteer_of,
            openings_of={
                c.pk: [(o.pk, o.name) for o in openings if o.compound_id == c.pk] for c in compounds
            },
        )
        rows.update(city_life.build_life(town, plan))
        reset_sequences([Household, Resident, PassCard, Passage, *city_life.NUMBERED])
        store_stamp(spec.stamp())
    t = time.perf_counter()
    vacuum_analyze(
        [Household, Resident, PassCard, Passage, HouseholdGateState, FeverAlert, *city_life.LOADED]
    )
    log(f"vacuumed and analysed in {time.perf_counter() - t:.0f} s")
    return Built(communities, compounds, time.perf_counter() - started, rows)


def _avoid_card_clashes(card_rows: list[tuple[Any, ...]]) -> None:
    """Cards already in the database (the demo, the gate bench) keep their codes: a city
    card that would repeat one is given the code of a number beyond the city's."""
    numbers = {row[3] for row in card_rows}
    secrets_ = {row[4] for row in card_rows}
    taken: set[str] = set()
    existing = PassCard.objects.values_list("number", "secret")
    for number, secret in existing.iterator(chunk_size=10_000):
        if number in numbers or secret in secrets_:
            taken |= {number, secret}
    if not taken:
        return
    extra = len(card_rows) + 10**7
    for i, row in enumerate(card_rows):
        if row[3] in taken or row[4] in taken:
            extra += 1
            card_rows[i] = (
                *row[:3],
                _card_code(extra, codes.NUMBER_LENGTH, 7),
                _card_code(extra, codes.SECRET_LENGTH, 7),
                *row[5:],
            )


PASSAGE_COLUMNS = [
    "id", "compound", "opening", "card", "household", "direction", "temperature", "vehicle",
    "occurred_at", "received_at", "volunteer", "verdict", "reason", "counts_quota", "fever",
    "late", "breach", "client_id", "request_hash",
]  # fmt: skip


def _passages(
    spec: CitySpec,
    rng: random.Random,
    writer: Writer,
    households: Sequence[tuple[int, int, int]],
    opening_of: dict[int, int],
    volunteer_of: dict[int, int],
    now: datetime,
    log: Log,
) -> tuple[int, list[tuple[Any, ...]]]:
    """Every household's days at the gate, oldest first: an outing (out, then back in) on
    most days, a refused second exit now and then. Returns the rows written and each
    household's gate state."""
    expected = int(len(households) * spec.days * (2 * spec.outing_rate + spec.denied_rate))
    progress = Progress("passages", expected)
    pg = writer.pg
    first_id = next_id(Passage)
    state: list[tuple[Any, ...]] = []
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    midnights = [
        datetime.combine(today - timedelta(days=d), datetime.min.time(), tzinfo=tz)
        for d in range(spec.days - 1, -1, -1)
    ]
    uuid_prefix = f"{spec.seed:08x}-{LOADER_VERSION:04x}-4000-8000-"
    hash_ = "0" * 64

    def generate() -> Iterable[Any]:
        # Day by day, every household within a day in time order: the table's physical
        # order is then that of a real log (appended as the days go by), so a day's rows
        # lie together as they would in production.
        pid = first_id
        random_ = rng.random
        randrange = rng.randrange
        last: dict[int, tuple[datetime, int, bool]] = {}
        last_exit: dict[int, datetime] = {}
        for midnight in midnights:
            events = []
            for hh, compound, card in households:
                if random_() < spec.outing_rate:
                    out_at = midnight + timedelta(seconds=randrange(7 * 3600, 19 * 3600))
                    back_at = out_at + timedelta(seconds=randrange(20 * 60, 180 * 60))
                    events.append((out_at, hh, compound, card, "out", "allowed", "", True))
                    events.append((back_at, hh, compound, card, "in", "allowed", "", False))
                    if random_() < spec.denied_rate / spec.outing_rate:
                        denied_at = back_at + timedelta(seconds=randrange(600, 7200))
                        events.append(
                            (denied_at, hh, compound, card, "out", "denied", "quota_used", False)
                        )
            events.sort(key=lambda e: e[0])
            for at, hh, compound, card, direction, verdict, reason, quota in events:
                if at > now:
                    break
                opening, volunteer = opening_of[compound], volunteer_of[compound]
                if pg:
                    yield (
                        f"{pid}\t{compound}\t{opening}\t{card}\t{hh}\t{direction}\t36.5\tf\t"
                        f"{at.isoformat()}\t{at.isoformat()}\t{volunteer}\t{verdict}\t"
                        f"{reason}\t{'t' if quota else 'f'}\tf\tf\t\t"
                        f"{uuid_prefix}{pid:012x}\t{hash_}"
                    )
                else:
                    yield (
                        pid, compound, opening, card, hh, direction, Decimal("36.5"),
                        False, at, at, volunteer, verdict, reason, quota, False, False,
                        "", f"{uuid_prefix}{pid:012x}", hash_,
                    )  # fmt: skip
                if verdict == "allowed":
                    last[hh] = (at, pid, direction == "out")
                    if direction == "out":
                        last_exit[hh] = at
                pid += 1
        compound_of = {hh: compound for hh, compound, _card in households}
        for hh, (at, pid_, out) in last.items():
            state.append((hh, compound_of[hh], at, pid_, at if out else None, last_exit.get(hh)))

    if pg:
        table = Passage._meta.db_table
        statements = drop_secondary_indexes([table])
        log(f"passages: {len(statements)} secondary indexes and keys dropped for the load")
        count = writer.copy_lines(table, columns_of(Passage, PASSAGE_COLUMNS), generate(), progress)
        log(f"{count:,} passages copied; building the indexes …")
        t = time.perf_counter()
        build_indexes(statements, log)
        log(f"  indexes built in {time.perf_counter() - t:.0f} s")
    else:
        count = 0
        batch: list[Any] = []
        for row in generate():
            batch.append(row)
            if len(batch) == CHUNK:
                count += writer.write(Passage, PASSAGE_COLUMNS, batch)
                batch = []
                progress(count)
        count += writer.write(Passage, PASSAGE_COLUMNS, batch)
        progress(count, True)
    return count, state


def _fever_alerts(
    spec: CitySpec,
    rng: random.Random,
    compounds: Sequence[Compound],
    households: Sequence[tuple[int, int, int]],
    now: datetime,
) -> int:
    by_compound: dict[int, list[int]] = {}
    for hh, compound, _card in households:
        by_compound.setdefault(compound, []).append(hh)
    alerts = []
    for c in compounds:
        for day in range(spec.days):
            if rng.random() < spec.fevers_per_compound_day:
                at = now - timedelta(days=day, seconds=rng.randrange(0, 86400))
                status = (
                    FeverAlert.Status.RESOLVED
                    if day > 2
                    else rng.choice(list(FeverAlert.Status.values))
                )
                alerts.append(
                    FeverAlert(
                        compound_id=c.pk,
                        source=rng.choice([FeverAlert.Source.DOOR_VISIT, FeverAlert.Source.PHONE]),
                        household_id=rng.choice(by_compound[c.pk]),
                        temperature=Decimal("38.1"),
                        status=status,
                        created_at=at,
                    )
                )
    FeverAlert.objects.bulk_create(alerts, batch_size=5000)
    return len(alerts)


def day_of(value: datetime) -> date:
    return timezone.localtime(value).date()
