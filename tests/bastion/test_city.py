"""seed_city's loader: the rows it writes hold together as the services' would."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from bastion import city
from bastion.dashboard import registry
from bastion.dashboard.registry import Moment
from checkpoints.gate_state import gate_state_rebuild
from checkpoints.models import HouseholdGateState, Passage
from checkpoints.rosters import selectors as roster_selectors
from checkpoints.rosters.duty import clash_for
from checkpoints.rosters.models import Assignment, Post, Shift
from compounds.models import BranchMember, Compound
from residents.models import Household, Resident
from residents.quarantine.models import Quarantine, QuarantineCheck
from residents.quarantine.services import flags_sync
from residents.rounds import selectors as rounds_selectors
from residents.rounds.models import DONE_RESULTS, Round, Visit
from supplies.models import HelpRequest, Order, OrderLine, Run
from tests.bastion.test_dashboard import straight_from_the_tables

SPEC = city.CitySpec(compounds=3, households=300, days=3, large_compounds=1)


def test_compound_sizes_add_up_and_keep_their_bounds():
    import random

    sizes = city.compound_sizes(city.CitySpec(), random.Random(1))
    assert len(sizes) == 300 and sum(sizes) == 100_000
    assert sizes[:3] == [1300, 1300, 1300] and min(sizes) >= 65 and max(sizes) == 1300


def test_card_codes_are_distinct():
    numbers = {city._card_code(n, 6, 17) for n in range(1, 50_001)}
    assert len(numbers) == 50_000


@pytest.mark.django_db(transaction=True)
def test_the_city_holds_together_and_its_figures_equal_the_tables():
    built = city.build_city(SPEC, lambda _m: None)
    ids = [c.pk for c in built.compounds]
    assert Household.objects.filter(compound_id__in=ids).count() == 300
    assert Resident.objects.filter(household__compound_id__in=ids).count() == 900
    assert Passage.objects.filter(compound_id__in=ids).count() == built.rows["passages"] > 500
    # The gate state written by the loader is the one the log gives.
    written = set(HouseholdGateState.objects.values_list("pk", "out_since", "last_exit_at"))
    gate_state_rebuild(compound_ids=ids)
    assert set(HouseholdGateState.objects.values_list("pk", "out_since", "last_exit_at")) == (
        written
    )
    moment = Moment.today()
    computed = registry.compute_all(ids, moment)
    for compound in Compound.objects.filter(pk__in=ids):
        expected = straight_from_the_tables(compound, moment)
        assert {k: computed[compound.pk][k] for k in expected} == expected
    # Sequences go on after the copied ids (PostgreSQL): a new household can be made.
    assert Household.objects.create(
        compound_id=ids[0], building=built.compounds[0].buildings.first(), room="x1"
    ).pk


@pytest.mark.django_db(transaction=True)
def test_seed_city_reuses_a_city_of_the_same_stamp_and_rebuilds_on_request(capsys):
    call_command("seed_city", "--compounds", "3", "--days", "2")
    first = set(city.city_compounds().values_list("pk", flat=True))
    assert len(first) == 3
    call_command("seed_city", "--compounds", "3", "--days", "2")
    again = set(city.city_compounds().values_list("pk", flat=True))
    if connection.vendor == "postgresql":  # the stamp lives in a table comment
        assert again == first
        assert "already loaded" in capsys.readouterr().err
    call_command("seed_city", "--compounds", "3", "--days", "2", "--rebuild")
    rebuilt = set(city.city_compounds().values_list("pk", flat=True))
    assert len(rebuilt) == 3 and rebuilt.isdisjoint(first)


# --- the city's daily life ------------------------------------------------------------


@pytest.fixture
def small_city(transactional_db):
    return city.build_city(SPEC, lambda _m: None)


def test_each_compound_has_five_rounds_with_one_visit_per_household(small_city):
    ids = [c.pk for c in small_city.compounds]
    households = dict(
        Household.objects.filter(compound_id__in=ids)
        .values("compound_id")
        .annotate(n=Count("pk"))
        .values_list("compound_id", "n")
    )
    for round_ in Round.objects.filter(compound_id__in=ids):
        visits = Visit.objects.filter(round=round_)
        assert visits.count() == households[round_.compound_id]
        assert visits.values("household_id").distinct().count() == households[round_.compound_id]
        assert not visits.exclude(compound_id=round_.compound_id).exists()
        for at in visits.filter(visited_at__isnull=False).values_list("visited_at", flat=True):
            assert round_.starts_on <= timezone.localdate(at) <= round_.ends_on
            assert at <= timezone.now()
        if round_.closed:  # round_close asks a reason for every door not visited
            assert not visits.exclude(result__in=DONE_RESULTS).filter(miss_reason="").exists()
    assert Round.objects.filter(compound_id__in=ids).count() == 5 * len(ids)
    latest = Round.objects.filter(compound_id__in=ids, number=5)
    assert not latest.filter(closed_at__isnull=False).exists()
    for round_ in latest:  # walked partly: coverage below 100 %
        coverage = rounds_selectors.coverage(round_=round_)
        assert 0 < coverage.done < coverage.total and coverage.pending > 0


def test_each_compound_has_three_posts_with_three_shifts_a_day(small_city):
    ids = [c.pk for c in small_city.compounds]
    days = SPEC.days + 1  # the log's days and tomorrow
    for compound_id in ids:
        posts = Post.objects.filter(compound_id=compound_id)
        assert posts.count() == 3
        for post in posts:
            shifts = Shift.objects.filter(post=post)
            assert shifts.count() == 3 * days
            assert set(shifts.values_list("needed", flat=True)) == {2}
            for shift in shifts:
                assert timezone.localtime(shift.starts_at).date() == shift.day


def test_no_member_is_on_two_overlapping_shifts(small_city):
    """The roster service's own rule, asked of every assignment the loader wrote."""
    live = Assignment.objects.filter(
        shift__post__compound__in=small_city.compounds, cancelled_at__isnull=True
    ).select_related("member", "shift__post")
    assert live.count() > 0
    for assignment in live:
        assert clash_for(assignment.member, assignment.shift, ignore=assignment) is None
    phones = list(BranchMember.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) and "" not in phones


def test_the_roster_has_gaps_now_and_in_the_next_day_and_people_on_duty(small_city):
    now = timezone.now()
    found = roster_selectors.gaps(compound_ids=[c.pk for c in small_city.compounds], now=now)
    assert any(g.now for g in found) and any(not g.now for g in found)
    on_duty = Assignment.objects.filter(
        shift__post__compound__in=small_city.compounds,
        shift__starts_at__lte=now,
        shift__ends_at__gt=now,
        signed_in_at__isnull=False,
        signed_out_at__isnull=True,
    )
    assert on_duty.count() >= 3
    past = Assignment.objects.filter(
        shift__post__compound__in=small_city.compounds, shift__ends_at__lte=now
    )
    assert past.filter(signed_in_at__isnull=False, signed_out_at__isnull=False).exists()
    assert not past.filter(signed_in_at__isnull=False, signed_out_at__lt=F("signed_in_at"))
    assert not Assignment.objects.filter(signed_in_at__gt=now).exists()


def test_each_compound_has_a_run_a_day_with_ten_orders(small_city):
    today = timezone.localdate()
    for compound in small_city.compounds:
        runs = Run.objects.filter(compound=compound)
        assert sorted(runs.values_list("date", flat=True)) == [
            today - timedelta(days=d) for d in range(SPEC.days - 1, -1, -1)
        ]
        for run in runs:
            orders = Order.objects.filter(run=run)
            assert orders.count() == 10
            assert OrderLine.objects.filter(order__run=run).count() >= 10
            states = set(orders.values_list("state", flat=True))
            if run.date == today:
                assert states == {Order.State.OPEN}
            else:
                assert Order.State.OPEN not in states
                assert orders.filter(state__in=Order.DELIVERED).count() >= 8


def test_quarantines_agree_with_the_gate_flags(small_city):
    """``flags_sync`` (the one writer of the flags) finds nothing to change."""
    for compound in small_city.compounds:
        households = list(compound.households.values_list("pk", flat=True))
        with transaction.atomic():  # flags_sync runs inside its caller's transaction
            assert flags_sync(compound_id=compound.pk, household_ids=households) == 0
    quarantines = Quarantine.objects.filter(compound__in=small_city.compounds)
    today = timezone.localdate()
    live = quarantines.filter(ended_on__isnull=True)
    assert live.filter(kind=Quarantine.Kind.HOME).exists()
    assert live.filter(kind=Quarantine.Kind.CENTRAL, starts_on__lte=today).exists()
    assert not live.filter(ends_on__lt=today).exists()
    assert Household.objects.filter(quarantine_until__gte=today).exists()
    checks = QuarantineCheck.objects.filter(compound__in=small_city.compounds)
    for q in quarantines:
        assert checks.filter(quarantine=q).count() == (q.ends_on - q.starts_on).days + 1
    assert checks.filter(day__lt=today, checked_at__isnull=True).exists()  # some missed
    assert checks.filter(checked_at__isnull=False).exists()
    assert not checks.filter(day__gt=today, checked_at__isnull=False).exists()


def test_help_requests_are_open_urgent_and_resolved(small_city):
    requests = HelpRequest.objects.filter(compound__in=small_city.compounds)
    open_ = requests.exclude(state=HelpRequest.State.RESOLVED)
    assert open_.filter(urgency__lte=2).exists()
    assert not open_.filter(resolved_at__isnull=False).exists()
    resolved = requests.filter(state=HelpRequest.State.RESOLVED)
    assert resolved.exists()
    assert not resolved.filter(resolved_at__isnull=True).exists()
    assert not resolved.filter(resolved_at__lt=F("created_at")).exists()


@pytest.mark.django_db(transaction=True)
def test_a_city_removed_leaves_nothing_of_its_daily_life():
    built = city.build_city(SPEC, lambda _m: None)
    city.city_delete(lambda _m: None)
    ids = [c.pk for c in built.compounds]
    for model in (Round, Visit, Post, Shift, Run, Order, Quarantine, QuarantineCheck,
                  HelpRequest):  # fmt: skip
        assert not model.objects.filter(**{f"{model.scope_path}__in": ids}).exists(), model
    assert not Assignment.objects.exists() and not OrderLine.objects.exists()
