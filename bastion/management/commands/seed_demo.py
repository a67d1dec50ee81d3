"""seed_demo: the community of the field reports, with logins to try every role.

春龙社区 (渝水区) with three compounds: 南嘉商业城 (small, 三无), 和谐家园 (mid, 三无) and
绿景水岸 (large, building 20 sealed). The same seed always gives the same people. A second
run finds the demo and only makes sure the demo logins exist with their password.
"""

import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bastion import demo
from bastion.demo import OpeningSpec, SealedSpec
from bastion.demo_roster import build_roster
from compounds.models import Community, Compound, Role
from compounds.office import office_group

COMMUNITY = "春龙社区"
SMALL, MID, LARGE = "南嘉商业城", "和谐家园", "绿景水岸"
PASSWORD = "bastion-demo"  # noqa: S105 -- the published demo password
SEED = 2020
LARGE_HOUSEHOLDS, LARGE_RESIDENTS, LARGE_BUILDINGS = 1300, 4500, 24

S, ST, EM = "sealed", "staffed", "emergency"
SMALL_OPENINGS = [
    OpeningSpec("南门", ST, "out_only"),
    OpeningSpec("东口", ST),
    OpeningSpec("商业街北口", EM, "both"),
    OpeningSpec("西侧通道", S),
    OpeningSpec("菜市场通道", S),
    OpeningSpec("后巷口", S),
    OpeningSpec("车库出口", S),
    OpeningSpec("消防通道", S),
]
MID_OPENINGS = [
    OpeningSpec("南门", ST, "out_only"),
    OpeningSpec("北门", ST),
    OpeningSpec("东门", ST),
    OpeningSpec("西门", ST),
] + [
    OpeningSpec(name, S)
    for name in (
        "东侧小门",
        "西侧小门",
        "北侧围墙缺口",
        "自行车棚通道",
        "锅炉房后门",
        "菜地小路",
        "幼儿园侧门",
        "老厂区通道",
        "车库坡道",
    )
]
LARGE_OPENINGS = [
    OpeningSpec("南门", ST, "out_only"),
    OpeningSpec("北门", ST),
    OpeningSpec("东门", EM, "both"),
    OpeningSpec("西门", S),
    OpeningSpec("地下车库出口", S),
    # The garage lift of building 20 was the leak that had to be locked.
    OpeningSpec("20栋车库电梯", S),
]

# username: (role kind, compound name or None for the community, is_staff)
LOGINS = {
    "office": (Role.Kind.OFFICER, None, True),
    "secretary": (Role.Kind.SECRETARY, LARGE, False),
    "volunteer": (Role.Kind.VOLUNTEER, LARGE, False),
    "volunteer2": (Role.Kind.VOLUNTEER, SMALL, False),
}


def large_layout(households: int) -> tuple[int, int, SealedSpec]:
    """Residents, buildings and the sealed building for a large compound of ``households``."""
    residents = round(households * LARGE_RESIDENTS / LARGE_HOUSEHOLDS)
    buildings = max(2, round(households * LARGE_BUILDINGS / LARGE_HOUSEHOLDS))
    sealed = SealedSpec()
    if households < 3 * sealed.households:
        # A small benchmark compound keeps the sealed building, in proportion.
        share = households / LARGE_HOUSEHOLDS
        sealed_households = max(1, round(sealed.households * share))
        sealed_residents = max(sealed_households, round(sealed.residents * share))
        sealed = SealedSpec(
            households=sealed_households,
            residents=sealed_residents,
            party_members=min(sealed_residents, round(sealed.party_members * share)),
        )
    return residents, buildings, sealed


class Command(BaseCommand):
    help = "Load the demo community 春龙社区 and its logins (password bastion-demo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=LARGE_HOUSEHOLDS,
            help="households of the large compound 绿景水岸 (residents scale with it)",
        )
        parser.add_argument(
            "--superuser", action="store_true", help="also create the superuser 'admin'"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        households = opts["households"]
        if households < 2:
            raise CommandError("--households must be at least 2")
        started = time.perf_counter()
        if Compound.objects.filter(community__name=COMMUNITY, name=LARGE).exists():
            self.stdout.write(
                f"Demo data already present ({COMMUNITY}); nothing rebuilt. "
                "Checking the demo logins only."
            )
            with transaction.atomic():
                community = Community.objects.get(name=COMMUNITY)
                self.ensure_logins(community, opts["superuser"])
            return
        with transaction.atomic():
            community = self.build(households)
            self.ensure_logins(community, opts["superuser"])
            large = community.compounds.get(name=LARGE)
            volunteer = get_user_model().objects.get(username="volunteer")
            logged = demo.build_gate_day(large, volunteer, random.Random(SEED))
            self.say(f"Gate log: {logged} passages this morning at {LARGE}, one fever alert")
            secretary = get_user_model().objects.get(username="secretary")
            made = demo.build_supplies_day(large, secretary, volunteer, random.Random(SEED))
            self.say(
                f"Groceries: tomorrow's run with {made['orders']} orders; "
                f"{made['requests']} help requests"
            )
            shifts = build_roster(
                large,
                random.Random(SEED),
                names=demo.People(random.Random(SEED + 1)),
                secretary=get_user_model().objects.get(username="secretary"),
                volunteer=volunteer,
            )
            self.say(f"Roster: {shifts} shifts this week at {LARGE}, a duty log")
            visited = demo.build_round(large, random.Random(SEED))
            self.say(f"Screening round 4 at {LARGE}: {visited} doors visited so far")
            history = demo.build_gate_history(large, volunteer, random.Random(SEED + 1))
            self.say(f"Gate log: {history} passages over the 13 days before (the chart)")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def build(self, households: int) -> Community:
        rng = random.Random(SEED)
        people = demo.People(rng)
        community, _created = Community.objects.get_or_create(
            name=COMMUNITY, defaults={"district": "渝水区", "hotline": "0790-6441200"}
        )
        self.say(f"Building {COMMUNITY} …")
        small = demo.build_compound(
            community,
            SMALL,
            65,
            235,
            rng,
            buildings=3,
            flats_per_floor=4,
            three_without=True,
            address="渝水区春龙大道南嘉商业城",
            grid="第三网格",
            openings=SMALL_OPENINGS,
            returnee_households=17,
            returnees=30,
            quarantined_households=1,
            people=people,
            progress=self.say,
        )
        mid = demo.build_compound(
            community,
            MID,
            310,
            493,
            rng,
            buildings=13,
            units=2,
            three_without=True,
            address="渝水区春龙路和谐家园",
            grid="第五网格",
            openings=MID_OPENINGS,
            quarantined_households=2,
            people=people,
            progress=self.say,
        )
        residents, buildings, sealed = large_layout(households)
        large = demo.build_compound(
            community,
            LARGE,
            households,
            residents,
            rng,
            buildings=buildings,
            units=2,
            address="渝水区绿景大道绿景水岸",
            grid="第一网格",
            openings=LARGE_OPENINGS,
            quarantined_households=3,
            sealed=sealed,
            people=people,
            progress=self.say,
        )
        self.say("Branches …")
        for compound in (small, mid, large):
            demo.build_branch(compound, rng, people=people)
        return community

    def ensure_logins(self, community: Community, superuser: bool) -> None:
        User = get_user_model()
        group = office_group()
        compounds = {c.name: c for c in community.compounds.all()}
        for username, (kind, compound_name, is_staff) in LOGINS.items():
            user, created = User.objects.get_or_create(username=username)
            user.is_active = True
            user.is_staff = is_staff
            user.set_password(PASSWORD)
            user.save()
            if compound_name is None:
                Role.objects.get_or_create(user=user, kind=kind, community=community)
                user.groups.add(group)
            else:
                compound = compounds[compound_name]
                Role.objects.get_or_create(user=user, kind=kind, compound=compound)
                self.link_branch_member(user, compound, kind)
            self.say(f"  login {username} ({'created' if created else 'checked'})")
        if superuser:
            admin, created = User.objects.get_or_create(username="admin")
            admin.is_active = admin.is_staff = admin.is_superuser = True
            admin.set_password(PASSWORD)
            admin.save()
            self.say(f"  superuser admin ({'created' if created else 'checked'})")
        self.say(f"Logins: {', '.join(LOGINS)} — password {PASSWORD}")

    def link_branch_member(self, user: Any, compound: Compound, kind: str) -> None:
        """Tie the login to a row of the branch: the secretary, or the first free member."""
        branch = compound.branches.first()
        if branch is None or branch.members.filter(user=user).exists():
            return
        position = "secretary" if kind == Role.Kind.SECRETARY else "member"
        member = branch.members.filter(position=position, user__isnull=True).first()
        if member is not None:
            member.user = user
            member.save(update_fields=["user"])
