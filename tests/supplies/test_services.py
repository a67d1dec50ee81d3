"""Runs and orders: upserts, the morning list, carry-over, recurring orders, bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from supplies import list_services, selectors, services
from supplies.errors import SupplyError
from supplies.models import Order, OrderLine, RecurringOrder, Run
from supplies.services import LineInput
from tests import factories as f
from tests.supplies.conftest import make_run


def order(run, household, actor, *lines):
    return services.order_save(
        run=run, household=household, lines=[LineInput(*line) for line in lines], actor=actor
    )


def test_list_totals_equal_the_sum_of_the_orders(run_a, rooms, volunteer):
    order(
        run_a,
        rooms["20-1702"],
        volunteer,
        ("白菜", Decimal("2"), "斤"),
        ("鸡蛋", Decimal("1"), "盒"),
    )
    order(run_a, rooms["20-1801"], volunteer, ("白菜", Decimal("1.5"), "斤"), ("盐",))
    order(
        run_a,
        rooms["20-1902"],
        volunteer,
        ("鸡蛋", Decimal("2"), "盒"),
        ("白菜", Decimal("3"), "个"),
    )
    listed = selectors.morning_list(run=run_a)
    totals = {(r.name, r.unit): r.quantity for r in listed.shopping}
    assert totals == {
        ("白菜", "斤"): Decimal("3.5"),
        ("鸡蛋", "盒"): Decimal("3"),
        ("白菜", "个"): Decimal("3"),
        ("盐", ""): None,
    }
    for (name, unit), total in totals.items():
        lines = OrderLine.objects.filter(order__run=run_a, name=name, unit=unit)
        assert total == (sum((x.quantity for x in lines if x.quantity), Decimal(0)) or None)
    assert [b.order.household.address for b in listed.bags] == ["20-1702", "20-1801", "20-1902"]
    assert [b.items for b in listed.bags] == [2, 2, 2]
    assert listed.bags[1].label_name == "李**"


def test_the_morning_list_costs_the_same_queries_for_more_orders(
    run_a, rooms, volunteer, django_assert_max_num_queries
):
    for household in rooms.values():
        order(run_a, household, volunteer, ("米", Decimal("1"), "袋"), ("油",))
    with django_assert_max_num_queries(6):
        listed = selectors.morning_list(run=run_a)
        assert len(listed.bags) == 5


def test_a_phone_order_again_replaces_its_lines_and_doubles_nothing(run_a, household_a, volunteer):
    order(run_a, household_a, volunteer, ("白菜", Decimal("2"), "斤"))
    order(run_a, household_a, volunteer, ("白菜", Decimal("2"), "斤"), ("鸡蛋",))
    assert Order.objects.count() == 1
    assert list(OrderLine.objects.values_list("name", flat=True)) == ["白菜", "鸡蛋"]


@pytest.mark.parametrize("quantity", ["-1", "0", "1000", "abc", "NaN"])
def test_negative_or_absurd_quantities_are_refused_and_nothing_saved(
    run_a, household_a, volunteer, quantity
):
    with pytest.raises(SupplyError) as refused:
        order(run_a, household_a, volunteer, ("米", Decimal("1"), "袋"), ("白菜", quantity, "斤"))
    assert refused.value.code == "quantity_invalid"
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0


def test_an_order_after_the_cutoff_is_refused(run_a, household_a, volunteer):
    Run.objects.filter(pk=run_a.pk).update(cutoff_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(SupplyError) as refused:
        order(run_a, household_a, volunteer, ("米",))
    assert refused.value.code == "after_cutoff"
    assert Order.objects.count() == 0


def test_a_household_of_another_compound_is_refused(run_a, household_b, volunteer):
    with pytest.raises(SupplyError) as refused:
        order(run_a, household_b, volunteer, ("米",))
    assert refused.value.code == "household_other_compound"


def test_a_building_run_refuses_a_household_of_another_building(
    compound_a, building_a, secretary, volunteer
):
    other = f.household(building=f.building(compound=compound_a, number="21"), room="301")
    run = make_run(compound_a, secretary, building=building_a, volunteers=[volunteer])
    with pytest.raises(SupplyError) as refused:
        order(run, other, volunteer, ("米",))
    assert refused.value.code == "household_outside_run"


def test_a_run_refuses_a_volunteer_of_another_compound(compound_a, secretary, volunteer_b):
    with pytest.raises(SupplyError) as refused:
        make_run(compound_a, secretary, volunteers=[volunteer_b])
    assert refused.value.code == "volunteer_other_compound"
    assert Run.objects.count() == 0


def test_a_household_not_reached_stays_open_for_the_next_run(
    run_a, household_a, secretary, volunteer
):
    first = order(run_a, household_a, volunteer, ("米", Decimal("1"), "袋"))
    list_services.order_deliver(order=first, state="not_reached", actor=volunteer)
    later = make_run(run_a.compound, secretary, date=run_a.date + timedelta(days=1))
    carried = Order.objects.get(run=later)
    assert carried.carried_from == first and carried.channel == "carried"
    assert list(carried.lines.values_list("name", flat=True)) == ["米"]
    again = make_run(run_a.compound, secretary, date=run_a.date + timedelta(days=2))
    assert Order.objects.filter(run=again).count() == 1  # carried from the second run only
    assert Order.objects.filter(carried_from=first).count() == 1


def test_a_delivered_order_is_not_carried(run_a, household_a, secretary, volunteer):
    first = order(run_a, household_a, volunteer, ("米",))
    list_services.order_deliver(order=first, state="at_door", actor=volunteer)
    later = make_run(run_a.compound, secretary, date=run_a.date + timedelta(days=1))
    assert not Order.objects.filter(run=later).exists()


def test_a_recurring_order_comes_back_on_the_first_run_after_its_period(
    compound_a, household_a, secretary
):
    today = timezone.localdate()
    services.recurring_order_create(
        household=household_a,
        lines=[
            LineInput("硝苯地平", Decimal("2"), "盒", medicine=True, prescription_note="每日两次")
        ],
        every_days=7,
        next_on=today + timedelta(days=3),
        actor=secretary,
    )
    early = make_run(compound_a, secretary, date=today + timedelta(days=2))
    assert not Order.objects.filter(run=early).exists()
    due = make_run(compound_a, secretary, date=today + timedelta(days=4))
    line = OrderLine.objects.get(order__run=due)
    assert (line.name, line.medicine, line.prescription_note) == ("硝苯地平", True, "每日两次")
    assert RecurringOrder.objects.get().next_on == today + timedelta(days=10)


def test_a_bag_cost_corrected_is_a_reversal_and_a_new_purchase(run_a, household_a, volunteer):
    bag = order(run_a, household_a, volunteer, ("米",))
    list_services.order_bag(order=bag, cost_fen=3250, paid_by=volunteer, actor=volunteer)
    list_services.order_bag(order=bag, cost_fen=3520, paid_by=volunteer, actor=volunteer)
    kinds = sorted(bag.transactions.values_list("kind", flat=True))
    assert kinds == ["purchase", "purchase", "reversal"]
    bag.refresh_from_db()
    assert (bag.cost_fen, bag.state) == (3520, "packed")


def test_a_bag_paid_by_someone_of_another_compound_is_refused(
    run_a, household_a, volunteer, volunteer_b
):
    bag = order(run_a, household_a, volunteer, ("米",))
    with pytest.raises(SupplyError) as refused:
        list_services.order_bag(order=bag, cost_fen=100, paid_by=volunteer_b, actor=volunteer)
    assert refused.value.code == "payer_required"
    assert not bag.transactions.exists()
