"""Supplies' pages: creating runs, phone orders, ticking the morning list, the texts for
the group chat, the ledger page, the help pages and the Excel export."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from supplies import list_services, services
from supplies.models import Order, OrderLine, Run, Transaction
from supplies.services import LineInput
from tests import factories as f
from tests.supplies.conftest import make_help_request


@pytest.fixture
def bag(run_a, rooms, volunteer):
    return services.order_save(
        run=run_a,
        household=rooms["20-1801"],
        lines=[LineInput("白菜", Decimal("2"), "斤")],
        actor=volunteer,
    )


def mark(client, run, **data):
    return client.post(reverse("supplies:run-mark", args=[run.compound_id, run.pk]), data)


def test_the_secretary_creates_a_run(as_secretary, compound_a, volunteer):
    response = as_secretary.post(
        reverse("supplies:runs", args=[compound_a.pk]),
        {
            "date": "2030-02-14",
            "cutoff": "20:00",
            "cutoff_day_before": "on",
            "volunteers": [volunteer.pk],
        },
    )
    run = Run.objects.get()
    assert response.status_code == 302
    assert list(run.volunteers.all()) == [volunteer]


def test_a_volunteer_may_not_create_a_run(as_volunteer, compound_a):
    response = as_volunteer.post(
        reverse("supplies:runs", args=[compound_a.pk]), {"date": "2030-02-14", "cutoff": "20:00"}
    )
    assert response.status_code == 403 and not Run.objects.exists()


def test_a_phone_order_is_typed_with_its_room(as_volunteer, run_a, rooms):
    url = reverse("supplies:run", args=[run_a.compound_id, run_a.pk])
    response = as_volunteer.post(
        url,
        {
            "address": "２０栋１８０１",
            "lines": "白菜2斤 鸡蛋1盒",
            "medicine": "硝苯地平 2盒",
            "prescription_note": "每日两次",
        },
    )
    assert response.status_code == 302
    lines = OrderLine.objects.filter(order__household=rooms["20-1801"]).order_by("position")
    assert [(x.name, x.medicine) for x in lines] == [
        ("白菜", False),
        ("鸡蛋", False),
        ("硝苯地平", True),
    ]


def test_a_phone_order_for_an_unknown_room_says_so(as_volunteer, run_a, rooms):
    url = reverse("supplies:run", args=[run_a.compound_id, run_a.pk])
    response = as_volunteer.post(url, {"address": "20-9999", "lines": "米"})
    assert response.status_code == 200 and "No household" in response.content.decode()
    assert not Order.objects.exists()


def test_ticking_recording_the_bag_and_delivering(as_volunteer, run_a, bag, volunteer):
    line = bag.lines.get()
    assert mark(as_volunteer, run_a, action="line", tick=f"{line.pk}:bought").status_code == 302
    assert (
        mark(
            as_volunteer, run_a, action="bag", order=bag.pk, cost="12.50", paid_by=volunteer.pk
        ).status_code
        == 302
    )
    assert (
        mark(as_volunteer, run_a, action="deliver", order=bag.pk, state="at_door").status_code
        == 302
    )
    bag.refresh_from_db()
    line.refresh_from_db()
    assert (line.status, bag.cost_fen, bag.paid_by, bag.state) == (
        "bought",
        1250,
        volunteer,
        "at_door",
    )
    assert Transaction.objects.get().kind == "purchase"


def test_a_negative_cost_is_refused_with_a_message(as_volunteer, run_a, bag, volunteer):
    response = mark(
        as_volunteer, run_a, action="bag", order=bag.pk, cost="-3", paid_by=volunteer.pk
    )
    assert response.status_code == 302
    bag.refresh_from_db()
    assert bag.cost_fen is None and not Transaction.objects.exists()
    page = as_volunteer.get(response["Location"]).content.decode()
    assert "above 0" in page


def test_a_volunteer_not_on_the_run_cannot_tick(client, compound_a, run_a, bag):
    other = f.user("other")
    f.role(user=other, kind="volunteer", compound=compound_a)
    client.force_login(other)
    response = mark(client, run_a, action="line", tick=f"{bag.lines.get().pk}:bought")
    assert response.status_code == 404


def test_the_morning_list_prints_the_shopping_list_and_bags(as_volunteer, run_a, bag):
    page = as_volunteer.get(
        reverse("supplies:run-list", args=[run_a.compound_id, run_a.pk])
    ).content.decode()
    assert 'id="shopping"' in page and "20-1801" in page and "李**" in page and "data-print" in page


def test_the_run_text_for_the_group_is_masked(as_volunteer, run_a, bag, rooms):
    page = as_volunteer.get(
        reverse("supplies:run-summary", args=[run_a.compound_id, run_a.pk])
    ).content.decode()
    assert "20-1801 李**" in page
    assert "李春华" not in page and rooms["20-1801"].contact_phone not in page


def test_the_help_text_for_the_group_counts_by_kind(
    as_volunteer, compound_a, household_a, volunteer
):
    make_help_request(compound_a, household_a, volunteer, summary="网络断了")
    make_help_request(compound_a, household_a, volunteer, kind="medicine", summary="张小流要降压药")
    page = as_volunteer.get(reverse("supplies:help-summary", args=[compound_a.pk])).content.decode()
    assert "2 open" in page and "medicine: 1" in page
    assert "张小流" not in page and "20-1702" not in page and "网络断了" not in page


def test_the_help_board_records_a_request_and_its_steps(as_volunteer, compound_a, household_a):
    response = as_volunteer.post(
        reverse("supplies:help", args=[compound_a.pk]),
        {
            "channel": "phone",
            "kind": "utilities",
            "urgency": "3",
            "address": "20-1702",
            "summary": "网断了",
        },
    )
    assert response.status_code == 302
    page = response["Location"]
    assert as_volunteer.post(page, {"action": "move", "state": "in_progress"}).status_code == 302
    assert (
        as_volunteer.post(
            page, {"action": "follow_up", "how": "phone", "outcome": "修好了"}
        ).status_code
        == 302
    )
    body = as_volunteer.get(page).content.decode()
    assert "修好了" in body and "in progress" in body


def test_the_ledger_page_records_a_repayment_and_a_reversal(as_secretary, compound_a, household_a):
    url = reverse("supplies:ledger", args=[compound_a.pk])
    response = as_secretary.post(
        url, {"action": "repay", "household": household_a.pk, "amount": "30", "method": "cash"}
    )
    assert response.status_code == 302
    record = Transaction.objects.get()
    assert (
        as_secretary.post(url, {"action": "reverse", "transaction": record.pk}).status_code == 302
    )
    assert Transaction.objects.filter(reverses=record).exists()
    assert as_secretary.post(url, {"action": "reverse", "transaction": "x"}).status_code == 404


def test_the_export_holds_runs_orders_ledger_and_requests(
    as_secretary, compound_a, run_a, bag, volunteer, household_a
):
    list_services.order_bag(order=bag, cost_fen=1250, paid_by=volunteer, actor=volunteer)
    make_help_request(compound_a, household_a, volunteer)
    response = as_secretary.get(reverse("supplies:export", args=[compound_a.pk]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Runs", "Orders", "Ledger", "Help requests"]
    assert book["Orders"].max_row == 2 and book["Ledger"].max_row == 3


def test_the_morning_list_page_costs_the_same_queries_for_more_bags(
    as_volunteer, run_a, rooms, volunteer, django_assert_max_num_queries
):
    url = reverse("supplies:run-list", args=[run_a.compound_id, run_a.pk])
    services.order_save(
        run=run_a, household=rooms["20-1702"], lines=[LineInput("米")], actor=volunteer
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        as_volunteer.get(url)
    for household in rooms.values():
        services.order_save(
            run=run_a,
            household=household,
            lines=[LineInput("油"), LineInput("盐")],
            actor=volunteer,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert as_volunteer.get(url).status_code == 200


def test_an_item_of_the_shopping_list_is_ticked_in_every_bag(as_volunteer, run_a, rooms, volunteer):
    for household in (rooms["20-1702"], rooms["20-1801"]):
        services.order_save(
            run=run_a,
            household=household,
            lines=[LineInput("白菜", Decimal("2"), "斤"), LineInput("盐")],
            actor=volunteer,
        )
    response = mark(
        as_volunteer, run_a, action="item", name="白菜", unit="斤", status="out_of_stock"
    )
    assert response.status_code == 302
    statuses = dict(OrderLine.objects.values_list("name", "status").distinct())
    assert statuses == {"白菜": "out_of_stock", "盐": "wanted"}


def test_the_households_page_shows_its_orders_and_requests(
    as_volunteer, compound_a, household_a, run_a, volunteer
):
    services.order_save(
        run=run_a, household=household_a, lines=[LineInput("挂面")], actor=volunteer
    )
    make_help_request(compound_a, household_a, volunteer)
    page = as_volunteer.get(
        reverse("residents:household", args=[compound_a.pk, household_a.pk])
    ).content.decode()
    assert 'id="panel-supplies"' in page and "挂面" in page and "utilities or internet" in page


def test_the_prescription_note_is_for_who_buys_and_the_managers(
    client, as_volunteer, compound_a, run_a, rooms, volunteer
):
    services.order_save(
        run=run_a,
        household=rooms["20-1801"],
        lines=[
            LineInput(
                "硝苯地平", Decimal("2"), "盒", medicine=True, prescription_note="每日两次10mg"
            )
        ],
        actor=volunteer,
    )
    url = reverse("supplies:run-list", args=[run_a.compound_id, run_a.pk])
    assert "每日两次10mg" in as_volunteer.get(url).content.decode()
    other = f.user("other")
    f.role(user=other, kind="volunteer", compound=compound_a)
    client.force_login(other)
    page = client.get(url).content.decode()
    assert "每日两次10mg" not in page and "***" in page


def test_the_secretary_stops_a_recurring_order(
    as_secretary, as_volunteer, compound_a, household_a, secretary
):
    from datetime import date

    from supplies.models import RecurringOrder

    recurring = services.recurring_order_create(
        household=household_a,
        lines=[LineInput("降压药")],
        every_days=7,
        next_on=date(2030, 1, 1),
        actor=secretary,
    )
    url = reverse("supplies:runs", args=[compound_a.pk])
    assert "降压药" in as_volunteer.get(url).content.decode()
    assert (
        as_volunteer.post(url, {"action": "stop_recurring", "recurring": recurring.pk}).status_code
        == 403
    )
    assert (
        as_secretary.post(url, {"action": "stop_recurring", "recurring": recurring.pk}).status_code
        == 302
    )
    assert not RecurringOrder.objects.get().active
