"""seed_demo: the numbers of the field reports, working logins, safe to run twice."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from bastion import demo
from checkpoints.models import CompoundRules, Passage, PassCard
from checkpoints.rules import next_exit_after
from checkpoints.services import rules_for
from compounds.models import Branch, Building, Compound, Opening, Role
from compounds.office import OFFICE_GROUP
from residents.models import FeverAlert, Household, Resident
from residents.validators import validate_id_number, validate_phone

PASSWORD = "bastion-demo"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts(name: str) -> tuple[int, int]:
    compound = Compound.objects.get(name=name)
    return (
        Household.objects.filter(compound=compound).count(),
        Resident.objects.filter(household__compound=compound).count(),
    )


@pytest.mark.django_db
def test_default_seed_matches_the_field_reports():
    output = seed()
    assert "households" in output and "Demo data loaded" in output

    assert counts("南嘉商业城") == (65, 235)
    assert counts("和谐家园") == (310, 493)
    assert counts("绿景水岸") == (1300, 4500)

    small = Compound.objects.get(name="南嘉商业城")
    assert small.three_without and Compound.objects.get(name="和谐家园").three_without
    returnees = Resident.objects.filter(household__compound=small, returnee=True)
    assert returnees.count() == 30
    assert returnees.values("household").distinct().count() == 17
    assert small.openings.count() == 8

    mid = Compound.objects.get(name="和谐家园")
    states = dict(mid.openings.values_list("state").annotate(n=Count("id")))
    assert mid.openings.count() == 13 and states == {"staffed": 4, "sealed": 9}

    large = Compound.objects.get(name="绿景水岸")
    assert large.buildings.count() >= 20
    b20 = Building.objects.get(compound=large, number="20")
    assert b20.sealed and b20.sealed_since is not None
    assert b20.households.count() == 42
    in_b20 = Resident.objects.filter(household__building=b20)
    assert in_b20.count() == 163
    assert in_b20.filter(party_member=True).count() == 24
    assert b20.households.filter(room="1702", unit__isnull=True).exists()
    assert Building.objects.filter(sealed=True).count() == 1


@pytest.mark.django_db
def test_every_household_has_one_active_card_and_every_compound_its_rules():
    seed("--households", "120")
    assert PassCard.objects.filter(state="active").count() == Household.objects.count()
    assert not Household.objects.annotate(n=Count("cards")).exclude(n=1).exists()
    numbers = PassCard.objects.values_list("number", flat=True)
    assert len(set(numbers)) == len(numbers) and all(len(n) == 6 for n in numbers)
    assert CompoundRules.objects.count() == Compound.objects.count() == 3
    for compound in Compound.objects.all():
        assert compound.openings.filter(state=Opening.State.STAFFED).exists()


@pytest.mark.django_db
def test_demo_people_are_well_formed():
    seed("--households", "120")
    residents = list(Resident.objects.all())
    for r in residents:
        validate_id_number(r.id_number)
        validate_phone(r.phone)
        assert 1926 <= r.birth_year <= 2020 and r.sex in ("M", "F")
        assert 2 <= len(r.name) <= 4
    with_id = [r.id_number for r in residents if r.id_number]
    assert len(set(with_id)) == len(with_id)
    # The 17th digit is odd for men, even for women.
    assert all(int(r.id_number[16]) % 2 == (r.sex == "M") for r in residents if r.id_number)
    heads = Resident.objects.filter(relation="head").values("household").distinct().count()
    assert heads == Household.objects.count()
    returnees = Resident.objects.filter(returnee=True)
    assert returnees.exists()
    assert not returnees.filter(Q(returned_from="") | Q(returned_on__isnull=True)).exists()
    today = timezone.localdate()
    assert all(today - timedelta(days=14) < r.returned_on < today for r in returnees)
    assert Household.objects.filter(quarantine_until__isnull=False).exists()
    for flag in ("elderly_alone", "chronic_illness", "infant", "party_member"):
        share = Resident.objects.filter(**{flag: True}).count() / len(residents)
        assert 0 < share < 0.25, flag


@pytest.mark.django_db
def test_branches_have_secretary_deputies_and_members_from_work_units():
    seed("--households", "60")
    assert Branch.objects.count() == 3
    for branch in Branch.objects.all():
        positions = list(branch.members.values_list("position", flat=True))
        assert positions.count("secretary") == 1 and "deputy" in positions
        assert positions.count("member") >= 4
        assert branch.members.filter(work_unit="区委宣传部").exists()
    lvjing = Branch.objects.get(compound__name="绿景水岸")
    assert lvjing.members.get(position="secretary").user.username == "secretary"


@pytest.mark.django_db
def test_demo_logins_work_with_their_roles():
    seed("--households", "60")
    User = get_user_model()
    for username in ("office", "secretary", "volunteer", "volunteer2"):
        assert Client().login(username=username, password=PASSWORD), username
    office = User.objects.get(username="office")
    assert office.is_staff and not office.is_superuser
    assert office.groups.filter(name=OFFICE_GROUP).exists()
    assert Role.objects.get(user=office).kind == "officer"
    assert Role.objects.get(user__username="secretary").compound.name == "绿景水岸"
    assert Role.objects.get(user__username="volunteer").compound.name == "绿景水岸"
    assert Role.objects.get(user__username="volunteer2").compound.name == "南嘉商业城"
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_office_login_can_use_the_admin_and_volunteer_the_api():
    seed("--households", "60")
    office = Client()
    office.login(username="office", password=PASSWORD)
    assert office.get("/admin/residents/resident/").status_code == 200
    assert office.get("/admin/checkpoints/passage/").status_code == 200
    assert office.get("/admin/checkpoints/passage/add/").status_code == 403
    volunteer2 = Client()
    volunteer2.login(username="volunteer2", password=PASSWORD)
    rows = volunteer2.get("/api/v1/compounds/").json()["results"]
    assert [r["name"] for r in rows] == ["南嘉商业城"]


@pytest.mark.django_db
def test_second_run_does_nothing_but_restore_the_logins():
    seed("--households", "60")
    before = (Household.objects.count(), Resident.objects.count(), PassCard.objects.count())
    office = get_user_model().objects.get(username="office")
    office.set_password("forgotten")
    office.save()
    output = seed("--households", "60")
    assert "already present" in output
    assert (Household.objects.count(), Resident.objects.count(), PassCard.objects.count()) == before
    assert Compound.objects.count() == 3 and Role.objects.count() == 4
    assert Client().login(username="office", password=PASSWORD)


@pytest.mark.django_db
def test_superuser_only_when_asked():
    seed("--households", "60")
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    seed("--households", "60", "--superuser")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert Client().login(username="admin", password=PASSWORD)


@pytest.mark.django_db
def test_households_option_scales_the_large_compound():
    seed("--households", "50")
    households, residents = counts("绿景水岸")
    assert households == 50 and residents == round(50 * 4500 / 1300)
    large = Compound.objects.get(name="绿景水岸")
    b20 = Building.objects.get(compound=large, number="20")
    assert b20.sealed and b20.households.filter(room="1702").exists()
    # The small and mid compounds keep their sizes.
    assert counts("南嘉商业城") == (65, 235) and counts("和谐家园") == (310, 493)


@pytest.mark.django_db
def test_build_compound_is_deterministic_and_exact(community):
    def people_of(name: str, seed_value: int) -> list[tuple]:
        compound = demo.build_compound(
            community, name, 40, 130, random.Random(seed_value), buildings=3, units=2
        )
        return list(
            Resident.objects.filter(household__compound=compound)
            .order_by("pk")
            .values_list("name", "birth_year", "sex", "relation", "household__room")
        )

    first = people_of("甲", 7)
    assert len(first) == 130
    assert Household.objects.filter(compound__name="甲").count() == 40
    assert first == people_of("乙", 7)
    assert first != people_of("丙", 8)


@pytest.mark.django_db
def test_build_compound_refuses_impossible_counts(community):
    with pytest.raises(ValueError):
        demo.build_compound(community, "空", 10, 5, random.Random(1), buildings=1)


@pytest.mark.django_db
def test_demo_gate_morning_shows_a_fever_alert_and_an_overdue_household():
    from checkpoints import selectors

    seed("--households", "60")
    large = Compound.objects.get(name="绿景水岸")
    overview = selectors.compound_gate_overview(compound=large)
    assert [str(a.temperature) for a in overview["fever_alerts"]] == ["38.1"]
    assert len(overview["overdue"]) == 1
    assert overview["out_now_count"] >= 2


@pytest.mark.django_db
def test_demo_refused_outing_names_the_next_time_the_service_allows():
    seed("--households", "60")
    large = Compound.objects.get(name="绿景水岸")
    refused = Passage.objects.get(compound=large, reason="quota_used")
    assert refused.last_exit_at is not None
    assert refused.next_exit_at == next_exit_after(rules_for(large), refused.last_exit_at)


@pytest.mark.django_db
def test_demo_quarantines_run_from_today():
    seed("--households", "60")
    today = timezone.localdate()
    residents = Resident.objects.filter(quarantine_until__isnull=False)
    assert residents.exists()
    for r in residents:
        if r.returnee:
            assert r.quarantine_until == r.returned_on + timedelta(days=14)
        assert today < r.quarantine_until <= today + timedelta(days=14)
        # The flag is the record's: the quarantine service derives one from the other.
        assert r.quarantines.filter(ended_on=None, ends_on=r.quarantine_until).exists()
    households = Household.objects.filter(quarantine_until__isnull=False)
    assert households.exists()
    assert all(today < h.quarantine_until <= today + timedelta(days=14) for h in households)


@pytest.mark.django_db
def test_demo_gate_morning_lets_nobody_in_quarantine_out():
    from residents.models import Quarantine

    seed("--households", "60")
    outings = Passage.objects.filter(direction="out", verdict="allowed").select_related(
        "resident", "household"
    )
    assert outings.count() >= 10
    assert Quarantine.objects.exists()
    for p in outings:
        day = timezone.localtime(p.occurred_at).date()
        # In force that day: started, not past its end, not ended before.
        in_force = Quarantine.objects.filter(starts_on__lte=day, ends_on__gte=day).exclude(
            ended_on__lt=day
        )
        assert not in_force.filter(resident=p.resident).exists(), p
        assert not in_force.filter(household=p.household, confines_household=True).exists(), p


@pytest.mark.django_db
def test_demo_gate_morning_is_the_same_for_the_same_seed():
    seed("--households", "60")
    large = Compound.objects.get(name="绿景水岸")
    volunteer = get_user_model().objects.get(username="volunteer")

    def morning() -> list[tuple]:
        Passage.objects.all().delete()  # the passage points at its alert: passages first
        FeverAlert.objects.all().delete()
        demo.build_gate_day(large, volunteer, random.Random(5))
        return list(
            Passage.objects.order_by("occurred_at", "direction").values_list(
                "household__room", "resident__name", "direction", "verdict", "reason"
            )
        )

    assert morning() == morning() == morning()


@pytest.mark.django_db
def test_demo_has_a_grocery_run_a_balanced_ledger_and_help_requests():
    from supplies.ledger_services import unbalanced_transactions
    from supplies.models import HelpRequest, Order, Run, Transaction

    seed("--households", "60")
    large = Compound.objects.get(name="绿景水岸")
    run = Run.objects.get(compound=large)
    assert Order.objects.filter(run=run).count() == 6
    assert Transaction.objects.filter(compound=large, kind="gift").count() == 1
    assert unbalanced_transactions(compound=large) == []
    assert set(HelpRequest.objects.filter(compound=large).values_list("kind", flat=True)) == {
        "medical",
        "utilities",
        "tip",
    }


@pytest.mark.django_db
def test_demo_has_a_round_under_way_and_quarantines_with_their_checks():
    from residents.models import Quarantine, QuarantineCheck, Visit

    seed("--households", "60")
    visits = Visit.objects.filter(round__number=4)
    assert visits.exclude(result="pending").count() >= 3
    assert visits.filter(result="pending").exists()
    assert Visit.objects.filter(round__number=3, round__closed_at__isnull=False).exists()
    assert Quarantine.objects.filter(kind="central", site_name="颐和医院").exists()
    assert QuarantineCheck.objects.filter(day=timezone.localdate()).exists()
