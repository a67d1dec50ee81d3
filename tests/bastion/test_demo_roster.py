import random

from bastion.demo import People, build_branch
from bastion.demo_roster import build_roster
from checkpoints.rosters import selectors
from checkpoints.rosters.models import Assignment, DutyLogEntry, Post
from compounds.models import BranchMember
from tests import factories as f


def test_the_demo_roster_has_posts_a_week_of_shifts_people_and_a_log(
    compound_a, building_a, secretary, volunteer
):
    f.opening(compound=compound_a, name="南门")
    building_a.sealed = True
    building_a.save()
    rng = random.Random(2020)
    build_branch(compound_a, rng, secretary=secretary, volunteers=[volunteer])
    made = build_roster(
        compound_a, rng, names=People(rng), secretary=secretary, volunteer=volunteer
    )
    assert made == 7 * (3 + 3 + 1)  # 三班倒 at the gate, 5-hour shifts at the door, a night
    assert set(Post.objects.values_list("kind", flat=True)) == {"opening", "door", "patrol"}
    assert BranchMember.objects.filter(position="volunteer").count() == 10
    assert Assignment.objects.filter(member__user=secretary).exists()
    assert selectors.gate_shift_now(user=volunteer) == compound_a.pk
    assert DutyLogEntry.objects.count() == 3
