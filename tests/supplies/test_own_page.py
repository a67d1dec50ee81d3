"""The household's own page: it orders and asks for help for its household, and reaches
nothing else (no other household, no list, no other compound)."""

import pytest
from django.urls import reverse

from compounds.capabilities import CapabilityNotFound, capability_resolve, registered_purposes
from supplies import own_page
from supplies.models import HelpRequest, Order
from tests import factories as f


@pytest.fixture
def link(household_a, secretary):
    _capability, token = own_page.own_page_issue(household=household_a, actor=secretary)
    return reverse("supplies:own-page", args=[token])


def test_the_purpose_has_a_label_the_gate_can_name():
    assert str(registered_purposes()["household_page"].label) == "household's own page"


def test_the_household_orders_for_the_next_run_through_its_link(client, link, run_a, household_a):
    response = client.post(link, {"action": "order", "lines": "白菜2斤 鸡蛋1盒\n酱油"})
    assert response.status_code == 302
    placed = Order.objects.get(run=run_a)
    assert placed.household == household_a and placed.channel == "page"
    assert sorted(placed.lines.values_list("name", flat=True)) == ["白菜", "酱油", "鸡蛋"]


def test_the_household_asks_for_help_through_its_link(client, link, household_a):
    response = client.post(link, {"action": "help", "kind": "medicine", "summary": "降压药吃完了"})
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert (request.household, request.channel, request.created_by) == (household_a, "page", None)


def test_the_link_shows_its_own_household_and_no_other(
    client, link, household_a, building_a, run_a, volunteer
):
    neighbour = f.household(building=building_a, room="1801")
    f.resident(household=neighbour, name="王邻居")
    from supplies.services import LineInput, order_save

    order_save(run=run_a, household=neighbour, lines=[LineInput("邻居的米")], actor=volunteer)
    page = client.get(link).content.decode()
    assert "20-1702" in page
    assert "20-1801" not in page and "邻居的米" not in page and "王邻居" not in page


def test_the_link_opens_no_list_or_other_page(client, link, compound_a, run_a):
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for url in (
        reverse("supplies:run-list", args=[compound_a.pk, run_a.pk]),
        reverse("supplies:help", args=[compound_a.pk]),
        f"{reverse('supplies:runs', args=[compound_a.pk])}?token={token}",
    ):
        assert client.get(url).status_code == 302  # to the login page
    assert client.get(
        "/api/v1/supplies/runs/", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).status_code in (401, 403)


def test_the_link_cannot_confirm_another_households_bag(client, link, run_a, building_a, volunteer):
    from supplies.list_services import order_deliver
    from supplies.services import LineInput, order_save

    neighbour = f.household(building=building_a, room="1801")
    theirs = order_save(run=run_a, household=neighbour, lines=[LineInput("米")], actor=volunteer)
    order_deliver(order=theirs, state="at_building", actor=volunteer)
    client.post(link, {"action": "received", "order": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.state == "at_building"


def test_a_replaced_or_stopped_link_no_longer_works(client, household_a, secretary, run_a):
    _cap, old = own_page.own_page_issue(household=household_a, actor=secretary)
    _cap, new = own_page.own_page_issue(household=household_a, actor=secretary)
    assert client.get(reverse("supplies:own-page", args=[old])).status_code == 404
    assert client.get(reverse("supplies:own-page", args=[new])).status_code == 200
    own_page.own_page_revoke(household=household_a, actor=secretary)
    response = client.post(
        reverse("supplies:own-page", args=[new]), {"action": "order", "lines": "米"}
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_a_link_whose_household_moved_to_another_compound_is_refused(
    client, link, household_a, compound_b
):
    from residents.models import Household

    Household.objects.filter(pk=household_a.pk).update(compound=compound_b)
    assert client.get(link).status_code == 404


def test_the_link_is_not_the_pass_cards_secret(household_a, secretary, link):
    card = f.card(household=household_a, actor=secretary)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token != card.secret and card.secret not in link
    with pytest.raises(CapabilityNotFound):
        capability_resolve(token=card.secret, purpose="household_page")


def test_managers_print_the_slip_and_volunteers_may_not(
    as_secretary, as_volunteer, compound_a, household_a
):
    url = reverse("supplies:household-page", args=[compound_a.pk, household_a.pk])
    page = as_secretary.post(url, {"action": "issue"}).content.decode()
    assert "/h/" in page and "<svg" in page
    assert as_volunteer.post(url, {"action": "issue"}).status_code == 403
