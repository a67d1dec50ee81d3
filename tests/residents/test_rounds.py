"""Screening rounds: opening (one pending visit per household, in bulk, idempotent),
visits and their colour, coverage, closing, comparison."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from compounds.models import BranchMember
from residents.errors import ResidentError
from residents.models import FeverAlert, Resident
from residents.rounds import selectors
from residents.rounds import services as rounds
from residents.rounds.colours import colour_for
from residents.rounds.models import Visit
from tests import factories as f

TODAY = timezone.localdate


def open_round(compound, actor, number=4, **extra):
    return rounds.round_open(
        compound=compound,
        actor=actor,
        number=number,
        title=f"第{number}轮全面排查",
        starts_on=TODAY(),
        ends_on=TODAY() + timedelta(days=3),
        **extra,
    )


@pytest.fixture
def street(building_a):
    """Building 20: unit 1 with 3 flats, unit 2 with 2."""
    u1, u2 = f.unit(building=building_a, number="1"), f.unit(building=building_a, number="2")
    flats = [f.household(building=building_a, unit=u1, room=r) for r in ("101", "201", "301")]
    flats += [f.household(building=building_a, unit=u2, room=r) for r in ("101", "201")]
    for h in flats:
        f.resident(household=h)
    return {"u1": u1, "u2": u2, "flats": flats}


@pytest.fixture
def branch_member(compound_a, volunteer, secretary):
    branch = f.branch(compound=compound_a, secretary_user=secretary)
    return BranchMember.objects.create(branch=branch, user=volunteer, name="志愿者小王")


def record(visit, actor, **answers):
    answers.setdefault("result", Visit.Result.EVERYONE)
    return rounds.visit_record(visit=visit, actor=actor, client_id=uuid4(), **answers)


def test_opening_a_round_makes_one_pending_visit_per_household_and_twice_none_more(
    street, compound_a, secretary, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        round_, created = open_round(compound_a, secretary)
    assert created == 5
    assert Visit.objects.filter(round=round_, result="pending").count() == 5
    again, created_again = open_round(compound_a, secretary)
    assert (again, created_again) == (round_, 0)
    assert Visit.objects.filter(round=round_).count() == 5


def test_a_round_over_some_buildings_visits_only_them(street, compound_a, secretary):
    other = f.building(compound=compound_a, number="21")
    f.household(building=other, room="101")
    round_, created = open_round(compound_a, secretary, scope="buildings", buildings=[other])
    assert created == 1


def test_a_volunteer_cannot_open_a_round(compound_a, volunteer):
    with pytest.raises(ResidentError):
        open_round(compound_a, volunteer)


@pytest.mark.parametrize(
    ("result", "returnee", "colour"),
    [
        ("nobody", True, "yellow"),
        ("nobody", False, "yellow"),
        ("everyone", True, "pink"),
        ("some", True, "pink"),
        ("everyone", False, "red"),
        ("refused", False, "red"),
    ],
)
def test_the_door_card_colour_follows_the_answers(result, returnee, colour):
    assert colour_for(result=result, has_returnee=returnee) == colour


def test_a_registered_recent_returnee_makes_the_card_pink(street, compound_a, secretary):
    flat = street["flats"][0]
    f.resident(household=flat, name="返乡者", returnee=True, returned_on=TODAY())
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=flat.pk)
    assert record(visit, secretary).visit.colour == "pink"


def test_an_override_of_the_colour_needs_a_reason(street, compound_a, secretary):
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    with pytest.raises(ResidentError) as refused:
        record(visit, secretary, colour="yellow")
    assert refused.value.code == "visit_colour_reason_required"
    done = record(visit, secretary, colour="yellow", colour_reason="老人独居, 常不应门").visit
    assert (done.colour, done.colour_rule) == ("yellow", "red")


def test_a_volunteer_records_only_what_is_assigned_to_them(
    street, compound_a, secretary, volunteer, branch_member
):
    round_, _ = open_round(compound_a, secretary)
    rounds.assignment_set(
        round_=round_,
        actor=secretary,
        member=branch_member,
        building=street["u1"].building,
        unit=street["u1"],
    )
    mine = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    theirs = rounds.visit_for(round_=round_, household_id=street["flats"][3].pk)
    assert record(mine, volunteer).created
    with pytest.raises(ResidentError) as refused:
        record(theirs, volunteer)
    assert refused.value.code == "visit_not_assigned"
    assert [v.household_id for v in selectors.member_visits(round_=round_, user=volunteer)] == [
        h.pk for h in street["flats"][:3]
    ]


def test_a_building_with_units_is_assigned_unit_by_unit(
    street, compound_a, secretary, branch_member
):
    round_, _ = open_round(compound_a, secretary)
    with pytest.raises(ResidentError):
        rounds.assignment_set(
            round_=round_,
            actor=secretary,
            member=branch_member,
            building=street["u1"].building,
            unit=None,
        )


def test_a_visit_to_a_household_outside_the_round_is_refused(street, compound_a, secretary):
    other = f.building(compound=compound_a, number="21")
    outside = f.household(building=other, room="101")
    round_, _ = open_round(
        compound_a, secretary, scope="buildings", buildings=[street["u1"].building]
    )
    with pytest.raises(ResidentError) as refused:
        rounds.visit_for(round_=round_, household_id=outside.pk)
    assert refused.value.code == "visit_outside_round"


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"temperature": Decimal("33.9")}, "temperature_out_of_range"),
        ({"temperature": Decimal("43.1")}, "temperature_out_of_range"),
        ({"returnee": True, "returned_on": "tomorrow"}, "returned_on_future"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(street, compound_a, secretary, answers, code):
    if answers.get("returned_on") == "tomorrow":
        answers["returned_on"] = TODAY() + timedelta(days=1)
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    new = rounds.NewPerson(name="新发现的人")
    with pytest.raises(ResidentError) as refused:
        record(visit, secretary, new_people=[new], **answers)
    assert refused.value.code == code
    visit.refresh_from_db()
    assert visit.result == "pending"
    assert not Resident.objects.filter(name="新发现的人").exists()


def test_a_visit_adds_a_person_and_marks_one_moved_out_through_the_registry(
    street, compound_a, secretary
):
    flat = street["flats"][0]
    gone = flat.residents.get()
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=flat.pk)
    version = flat.gate_version
    record(visit, secretary, new_people=[rounds.NewPerson(name="新租户")], moved_out=[gone.pk])
    gone.refresh_from_db()
    flat.refresh_from_db()
    assert gone.moved_out_on == TODAY() and Resident.objects.filter(pk=gone.pk).exists()
    assert flat.gate_version > version
    assert flat.residents.filter(name="新租户").exists()


def test_an_upload_sent_twice_is_written_once(street, compound_a, secretary):
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    client_id = uuid4()
    first = rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")
    second = rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")
    assert (first.created, second.created) == (True, False)
    assert visit.attempts.count() == 1


def test_two_uploads_of_one_record_at_once_answer_like_a_replay_not_an_error(
    street, compound_a, secretary, monkeypatch
):
    """The second of two simultaneous uploads passes the known-id check before the first
    commits; the unique index stops its insert, and the answer is the first's."""
    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    client_id = uuid4()
    first = rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")
    real_filter = rounds.VisitAttempt.objects.filter
    calls = []

    def blind_first_check(*args, **kwargs):  # as if the first upload were not committed yet
        calls.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(calls) == 1 else found

    monkeypatch.setattr(rounds.VisitAttempt.objects, "filter", blind_first_check)
    second = rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")
    assert second.created is False and second.visit.pk == first.visit.pk
    assert visit.attempts.count() == 1


def test_an_upload_racing_one_not_yet_written_is_told_to_come_back_not_given_a_500(
    street, compound_a, secretary, monkeypatch
):
    from django.db import OperationalError

    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    client_id = uuid4()
    rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")
    real_filter = rounds.VisitAttempt.objects.filter
    # Neither look finds the other upload: it is still being written elsewhere.
    monkeypatch.setattr(
        rounds.VisitAttempt.objects, "filter", lambda *a, **k: real_filter(*a, **k).none()
    )
    with pytest.raises(OperationalError):  # the API's 503 with Retry-After
        rounds.visit_record(visit=visit, actor=secretary, client_id=client_id, result="some")


def test_a_visit_dated_before_the_round_by_a_wrong_phone_clock_is_refused_whole(
    street, compound_a, secretary
):
    from datetime import UTC, datetime

    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    with pytest.raises(ResidentError) as refused:
        rounds.visit_record(
            visit=visit,
            actor=secretary,
            client_id=uuid4(),
            result="everyone",
            new_people=[rounds.NewPerson(name="新租户")],
            recorded_at=datetime(1970, 1, 1, tzinfo=UTC),
        )
    assert refused.value.code == "visit_recorded_before_round"
    visit.refresh_from_db()
    assert visit.result == "pending" and visit.attempts.count() == 0
    assert not street["flats"][0].residents.filter(name="新租户").exists()


def test_a_fever_at_the_door_raises_the_one_alert(street, compound_a, secretary):
    round_, _ = open_round(compound_a, secretary)
    flat = street["flats"][0]
    visit = rounds.visit_for(round_=round_, household_id=flat.pk)
    person = flat.residents.get()
    done = record(visit, secretary, temperature=Decimal("38.2"), fever_resident=person.pk).visit
    alert = FeverAlert.objects.get()
    assert (alert.source, alert.resident, done.fever_alert) == ("door_visit", person, alert)


def test_coverage_figures_match_the_visits(
    street, compound_a, secretary, django_assert_max_num_queries
):
    round_, _ = open_round(compound_a, secretary)
    flats = street["flats"]
    record(rounds.visit_for(round_=round_, household_id=flats[0].pk), secretary)
    record(rounds.visit_for(round_=round_, household_id=flats[1].pk), secretary, result="refused")
    record(rounds.visit_for(round_=round_, household_id=flats[3].pk), secretary, result="nobody")
    with django_assert_max_num_queries(1):
        grid = selectors.coverage(round_=round_)
    assert (grid.total, grid.done, grid.nobody, grid.pending) == (5, 2, 1, 2)
    assert grid.share == 40
    assert [b.share for b in grid.buildings] == [40]
    assert [m["household_id"] for m in grid.missed] == [flats[2].pk, flats[4].pk]
    assert [m["household_id"] for m in grid.revisit] == [flats[3].pk]
    assert [len(u.cells) for u in grid.buildings[0].unit_rows] == [3, 2]


def test_closing_a_round_asks_a_reason_for_every_household_not_visited(
    street, compound_a, secretary
):
    round_, _ = open_round(compound_a, secretary)
    for h in street["flats"][:3]:
        record(rounds.visit_for(round_=round_, household_id=h.pk), secretary)
    missing = list(rounds.unvisited(round_))
    with pytest.raises(ResidentError) as refused:
        rounds.round_close(round_=round_, actor=secretary, reasons={missing[0].pk: "出差"})
    assert refused.value.code == "round_unexplained_misses"
    assert not Visit.objects.exclude(miss_reason="").exists()
    round_.refresh_from_db()
    assert not round_.closed
    rounds.round_close(round_=round_, actor=secretary, reasons={v.pk: "空置房" for v in missing})
    round_.refresh_from_db()
    assert round_.closed


def test_comparing_with_the_round_before(street, compound_a, secretary):
    flats = street["flats"]
    fourth, _ = open_round(compound_a, secretary, number=4)
    for h in flats:
        record(rounds.visit_for(round_=fourth, household_id=h.pk), secretary)
    rounds.round_close(round_=fourth, actor=secretary, reasons={})
    fifth, _ = open_round(compound_a, secretary, number=5)
    gone = flats[1].residents.get()
    record(
        rounds.visit_for(round_=fifth, household_id=flats[0].pk),
        secretary,
        returnee=True,
        returned_from="武汉",
        returned_on=TODAY(),
    )
    record(
        rounds.visit_for(round_=fifth, household_id=flats[1].pk),
        secretary,
        new_people=[rounds.NewPerson(name="新来的")],
        moved_out=[gone.pk],
    )
    record(rounds.visit_for(round_=fifth, household_id=flats[2].pk), secretary, result="nobody")
    diff = selectors.compare(round_=fifth)
    assert diff.previous == fourth
    assert [v.household_id for v in diff.new_returnees] == [flats[0].pk]
    assert [r.name for r in diff.new_people] == ["新来的"]
    assert diff.gone == [gone]
    assert [(v.household_id, v.colour, old) for v, old in diff.colour_changes] == [
        (flats[0].pk, "pink", "red"),
        (flats[2].pk, "yellow", "red"),
    ]


def test_opening_a_round_over_the_1300_household_compound_makes_1300_pending_visits(
    community, secretary, compound_a, django_assert_max_num_queries
):
    import random

    from bastion.demo import build_compound
    from compounds.models import Role

    large = build_compound(community, "绿景水岸（大）", 1300, 4500, random.Random(2020))
    Role.objects.create(user=secretary, kind="secretary", compound=large)
    # Not one per household: a few reads, then inserts of a batch each (SQLite takes about
    # 45 visits a statement within its 999 parameters, PostgreSQL 500).
    with django_assert_max_num_queries(8 + 1300 // 40):
        round_, created = open_round(large, secretary)
    assert created == 1300
    assert Visit.objects.filter(round=round_, result="pending").count() == 1300
    assert open_round(large, secretary) == (round_, 0)
    assert Visit.objects.filter(round=round_).count() == 1300


def test_an_older_recording_uploaded_late_does_not_overwrite_the_revisit(
    street, compound_a, secretary
):
    from datetime import datetime

    round_, _ = open_round(compound_a, secretary)
    visit = rounds.visit_for(round_=round_, household_id=street["flats"][0].pk)
    now = timezone.now()
    record(visit, secretary, result="everyone", recorded_at=now)
    late = record(visit, secretary, result="nobody", recorded_at=now - timedelta(hours=2))
    assert late.created
    visit.refresh_from_db()
    assert (visit.result, visit.colour) == ("everyone", "red")
    assert sorted(visit.attempts.values_list("result", flat=True)) == ["everyone", "nobody"]
    ahead = record(
        rounds.visit_for(round_=round_, household_id=street["flats"][1].pk),
        secretary,
        recorded_at=datetime(2999, 1, 1, tzinfo=now.tzinfo),
    ).visit
    assert ahead.visited_at <= timezone.now()


def test_a_returnee_found_at_the_door_is_marked_in_the_registry(street, compound_a, secretary):
    flat = street["flats"][0]
    person = flat.residents.get()
    round_, _ = open_round(compound_a, secretary)
    record(
        rounds.visit_for(round_=round_, household_id=flat.pk),
        secretary,
        returnee=True,
        returnee_resident=person.pk,
        returned_from="湖北武汉",
        returned_on=TODAY() - timedelta(days=2),
    )
    person.refresh_from_db()
    assert (person.returnee, person.returned_from) == (True, "湖北武汉")
