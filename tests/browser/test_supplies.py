"""A grocery run in a real phone-sized Chromium: paste a 接龙 chain, fix the line it could
not read, print the morning list, tick a bag as delivered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from residents.models import Household
from supplies import services
from supplies.models import Order, OrderLine
from tests import factories as f

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAIN = """【接龙】20栋 明天买菜
例：20-1702 白菜2斤
1. 20-1702 白菜2斤 鸡蛋1盒
2. ２０栋１８０１ 土豆3斤 🍅番茄两斤
3. 王阿姨 1902 酱油一瓶
谢谢志愿者！
"""


@pytest.fixture
def run():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    building = f.building(compound=compound, number="20")
    for room in ("1702", "1801", "1902"):
        household = f.household(building=building, room=room)
        f.resident(household=household, name=f"住户{room}", relation="head")
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)
    return services.run_create(
        compound=compound,
        date=timezone.localdate() + timedelta(days=1),
        cutoff_at=timezone.now() + timedelta(hours=8),
        volunteers=[volunteer],
        actor=volunteer,
    )


def test_paste_fix_print_and_deliver(page, live_server, login, screenshot, run):
    base = f"{live_server.url}/c/{run.compound_id}/supplies/runs/{run.pk}"
    login("volunteer")
    page.goto(f"{base}/paste/")
    page.fill("#paste-text", CHAIN)
    page.click("#paste-preview")
    page.wait_for_selector("#paste-result:not([hidden])")
    assert page.locator("#paste-orders tbody tr").count() == 2
    unread = page.locator("#paste-unread .unread-row")
    assert unread.count() == 2  # 王阿姨's line (no building) and the thanks
    fix = page.locator('#paste-unread .unread-row[data-line-no="5"]')
    assert fix.get_attribute("data-code") == "room_unknown"
    fix.locator(".fix-room").fill("20-1902")
    fix.locator(".fix-items").fill("酱油一瓶")
    screenshot("supplies-paste")
    page.click("#paste-commit")
    page.wait_for_selector("#paste-done:not([hidden]), #paste-error:not([hidden])")
    assert page.locator("#paste-error").is_hidden(), page.locator("#paste-error").text_content()
    assert Order.objects.filter(run=run).count() == 3
    assert OrderLine.objects.get(order__household__room="1902").name == "酱油"

    page.goto(f"{base}/list/")
    rows = {r.get_attribute("data-item") for r in page.locator("#shopping tbody tr").all()}
    assert {"白菜", "鸡蛋", "土豆", "番茄", "酱油"} <= rows
    page.emulate_media(media="print")
    assert not page.locator(".bag-actions").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    screenshot("supplies-morning-list")

    first = page.locator('.bag[data-address="20-1702"] button[name=tick]').first
    tick = first.get_attribute("value")
    first.click()
    page.wait_for_load_state()
    line_id, status = tick.split(":")
    assert OrderLine.objects.get(pk=line_id).status == status == "bought"
    assert "bought" in page.locator(f'li[data-line="{line_id}"]').get_attribute("class")

    bag = page.locator('.bag[data-address="20-1902"]')
    bag.locator(".deliver-form select").select_option("at_door")
    bag.locator(".deliver-form button").click()
    page.wait_for_load_state()
    assert page.locator('.bag[data-address="20-1902"]').get_attribute("data-state") == "at_door"
    assert Order.objects.get(household__room="1902").state == "at_door"
    # The user guide's picture of one bag: lines ticked, cost and payer, delivery.
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator('.bag[data-address="20-1702"]').screenshot(
        path=str(ARTIFACTS / "supplies-bag.png")
    )


def test_the_households_own_page_orders_and_asks_for_help_on_a_phone(
    page, live_server, login, screenshot, run
):
    from supplies import own_page
    from supplies.models import HelpRequest

    household = Household.objects.get(room="1702")
    _capability, token = own_page.own_page_issue(household=household, actor=run.created_by)
    page.goto(f"{live_server.url}/h/{token}/")
    page.fill("#own-order textarea", "白菜2斤 鸡蛋1盒")
    page.click("#own-order button[type=submit]")
    page.wait_for_load_state()
    assert [line.name for line in OrderLine.objects.filter(order__household=household)] == [
        "白菜",
        "鸡蛋",
    ]
    page.select_option("#own-help select[name=kind]", "medicine")
    page.fill("#own-help textarea", "降压药吃完了")
    page.click("#own-help button[type=submit]")
    page.wait_for_load_state()
    assert HelpRequest.objects.get().channel == "page"
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    screenshot("supplies-own-page")

    # The branch sees it on the help board, and records a phone call there: the more
    # urgent request comes first.
    login("volunteer")
    page.goto(f"{live_server.url}/c/{run.compound_id}/help/")
    assert "降压药吃完了" in page.locator("#help-board").inner_text()
    page.select_option("#help-form select[name=channel]", "phone")
    page.select_option("#help-form select[name=kind]", "medical")
    page.select_option("#help-form select[name=urgency]", "1")
    page.fill("#help-form input[name=address]", "20-1801")
    page.fill("#help-form textarea[name=summary]", "8个月宝宝发烧，家里没有体温计")
    page.click("#help-form button[type=submit]")
    page.wait_for_load_state()
    assert HelpRequest.objects.get(channel="phone").household.room == "1801"
    page.goto(f"{live_server.url}/c/{run.compound_id}/help/")
    rows = page.locator("#help-board tbody tr")
    assert rows.count() == 2
    assert "宝宝发烧" in rows.first.inner_text()
    screenshot("supplies-help", full_page=False)
