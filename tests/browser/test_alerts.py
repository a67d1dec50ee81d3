"""Alerts reach the secretary's open page without a reload."""

from decimal import Decimal
from uuid import uuid4

import pytest

from checkpoints.services import passage_record
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretarys_open_page_shows_a_new_fever_alert_without_a_reload(
    page, login, live_server
):
    compound = f.compound(community=f.community(), name="绿景水岸")
    opening = f.opening(compound=compound)
    household = f.household(building=f.building(compound=compound), room="1702")
    card = f.card(household=household)
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)

    page.clock.install()
    login("secretary")
    page.goto(f"{live_server.url}/c/{compound.pk}/")
    page.wait_for_selector("#alert-poll")
    page.wait_for_load_state("networkidle")
    passage_record(
        opening=opening,
        code=card.number,
        direction="out",
        temperature=Decimal("38.4"),
        actor=volunteer,
        client_id=uuid4(),
    )
    page.clock.run_for(21_000)  # the next poll, 20 s on
    item = page.wait_for_selector("#alert-poll-news li[data-kind='alert']")
    assert "38.4" in item.text_content() and "20-1702" in item.text_content()


def test_a_volunteer_gets_no_alert_poll(page, login, live_server):
    compound = f.compound(community=f.community(), name="绿景水岸")
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/gate/log/")
    assert page.locator("#alert-poll").count() == 0
