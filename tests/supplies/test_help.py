"""Help requests: states and their history, follow-ups, tips, and the fever link."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from residents.models import FeverAlert
from residents.services import fever_alert_handle, fever_alert_raise
from supplies import help_selectors, help_services
from supplies.errors import SupplyError
from supplies.models import HelpEvent, HelpRequest
from tests.supplies.conftest import make_help_request


def test_a_request_moves_through_its_states_and_keeps_its_history(
    compound_a, household_a, volunteer, secretary
):
    request = make_help_request(compound_a, household_a, volunteer)
    help_services.help_request_move(request=request, state="in_progress", actor=volunteer)
    help_services.help_request_move(
        request=request, state="escalated", escalated_to="community", note="报社区", actor=secretary
    )
    help_services.help_request_move(request=request, state="resolved", actor=secretary)
    request.refresh_from_db()
    assert request.state == "resolved" and request.resolved_at is not None
    assert request.handler == volunteer
    steps = list(HelpEvent.objects.filter(request=request).values_list("state", "escalated_to"))
    assert steps == [
        ("open", ""),
        ("in_progress", ""),
        ("escalated", "community"),
        ("resolved", "community"),
    ]


def test_escalation_names_where_to(compound_a, household_a, volunteer):
    request = make_help_request(compound_a, household_a, volunteer)
    with pytest.raises(SupplyError) as refused:
        help_services.help_request_move(request=request, state="escalated", actor=volunteer)
    assert refused.value.code == "escalation_target"
    assert HelpEvent.objects.filter(request=request).count() == 1


def test_a_resolved_request_stays_resolved(compound_a, household_a, volunteer):
    request = make_help_request(compound_a, household_a, volunteer)
    help_services.help_request_move(request=request, state="resolved", actor=volunteer)
    with pytest.raises(SupplyError) as refused:
        help_services.help_request_move(request=request, state="in_progress", actor=volunteer)
    assert refused.value.code == "request_resolved"


@pytest.mark.parametrize("urgency", [0, 5, "1"])
def test_urgency_is_one_to_four(compound_a, household_a, volunteer, urgency):
    with pytest.raises(SupplyError) as refused:
        make_help_request(compound_a, household_a, volunteer, urgency=urgency)
    assert refused.value.code == "urgency_invalid"
    assert not HelpRequest.objects.exists()


def test_a_request_of_another_compounds_household_is_refused(compound_a, household_b, volunteer):
    with pytest.raises(SupplyError) as refused:
        make_help_request(compound_a, household_b, volunteer)
    assert refused.value.code == "household_other_compound"


def test_a_follow_up_records_when_how_outcome_and_next(compound_a, household_a, volunteer):
    request = make_help_request(compound_a, household_a, volunteer)
    now = timezone.now()
    help_services.help_follow_up(
        request=request,
        how="phone",
        outcome="已修好",
        next_at=now + timedelta(days=1),
        actor=volunteer,
    )
    assert [f.outcome for f in help_selectors.history_of(request)["follow_ups"]] == ["已修好"]
    with pytest.raises(SupplyError):
        help_services.help_follow_up(
            request=request,
            how="phone",
            outcome="x",
            at=now,
            next_at=now - timedelta(hours=1),
            actor=volunteer,
        )


def test_a_tip_records_its_investigation_and_finding(compound_a, volunteer):
    tip = help_services.help_request_create(
        compound=compound_a,
        channel="from_above",
        kind="tip",
        summary="20栋旁停有一辆鄂A牌照的车",
        urgency=2,
        actor=volunteer,
    )
    help_services.help_tip_record(
        request=tip, investigation="查了车主行程", finding="本地车主，1月未离开", actor=volunteer
    )
    tip.refresh_from_db()
    assert (tip.investigation, tip.finding) == ("查了车主行程", "本地车主，1月未离开")


def test_a_medical_request_with_a_fever_raises_an_alert_and_follows_it(
    compound_a, household_a, volunteer, secretary
):
    request = make_help_request(
        compound_a,
        household_a,
        volunteer,
        kind="medical",
        channel="in_person",
        urgency=1,
        temperature=Decimal("39.3"),
        summary="8个月宝宝发烧，没有体温计",
    )
    alert = request.fever_alert
    assert alert is not None and alert.source == FeverAlert.Source.PHONE
    assert alert.temperature == Decimal("39.3") and alert.household == household_a
    with pytest.raises(SupplyError) as refused:
        help_services.help_request_move(request=request, state="resolved", actor=volunteer)
    assert refused.value.code == "linked_to_alert"
    fever_alert_handle(alert=alert, status="hospital", actor=secretary, note="车送定点医院")
    request.refresh_from_db()
    assert help_selectors.state_of(request) == ("escalated", "hospital")
    fever_alert_handle(alert=alert, status="resolved", actor=secretary)
    request.refresh_from_db()
    assert help_selectors.state_of(request)[0] == "resolved"
    assert FeverAlert.objects.count() == 1


def test_below_the_fever_line_or_another_kind_raises_no_alert(compound_a, household_a, volunteer):
    make_help_request(
        compound_a, household_a, volunteer, kind="medical", temperature=Decimal("37.2")
    )
    make_help_request(
        compound_a, household_a, volunteer, kind="medicine", temperature=Decimal("38.5")
    )
    assert not FeverAlert.objects.exists()


def test_an_impossible_reading_is_refused(compound_a, household_a, volunteer):
    with pytest.raises(SupplyError) as refused:
        make_help_request(
            compound_a, household_a, volunteer, kind="medical", temperature=Decimal("48")
        )
    assert refused.value.code == "temperature_invalid"
    assert not HelpRequest.objects.exists()


def test_the_board_shows_open_fever_alerts_beside_requests_without_copies(
    compound_a, household_a, volunteer, secretary
):
    gate_alert = fever_alert_raise(
        compound=compound_a,
        source="gate",
        temperature=Decimal("38.1"),
        household=household_a,
        actor=volunteer,
    )
    linked = make_help_request(
        compound_a, household_a, volunteer, kind="medical", temperature=Decimal("38.6"), urgency=1
    )
    plain = make_help_request(compound_a, household_a, volunteer)
    rows = help_selectors.help_board(compound=compound_a)
    assert [(r.kind, r.request or r.alert) for r in rows] == [
        ("request", linked),
        ("fever", gate_alert),
        ("request", plain),
    ]
    assert HelpRequest.objects.count() == 2  # the gate's alert is read, not copied
    fever_alert_handle(alert=gate_alert, status="resolved", actor=secretary)
    assert [r.kind for r in help_selectors.help_board(compound=compound_a)] == [
        "request",
        "request",
    ]


def test_urgent_requests_open_longer_than_30_minutes_are_highlighted(
    compound_a, household_a, volunteer
):
    urgent = make_help_request(compound_a, household_a, volunteer, urgency=1)
    calm = make_help_request(compound_a, household_a, volunteer, urgency=4)
    HelpRequest.objects.update(created_at=timezone.now() - timedelta(minutes=31))
    rows = {r.request.pk: r.overdue for r in help_selectors.help_board(compound=compound_a)}
    assert rows == {urgent.pk: True, calm.pk: False}


def test_the_handler_is_someone_of_the_compound(
    compound_a, household_a, volunteer, secretary, volunteer_b
):
    request = make_help_request(compound_a, household_a, volunteer)
    with pytest.raises(SupplyError) as refused:
        help_services.help_request_move(
            request=request, state="in_progress", handler=volunteer_b, actor=secretary
        )
    assert refused.value.code == "volunteer_other_compound"
    help_services.help_request_move(
        request=request, state="in_progress", handler=volunteer, actor=secretary
    )
    request.refresh_from_db()
    assert request.handler == volunteer
