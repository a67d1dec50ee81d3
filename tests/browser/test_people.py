"""A volunteer's first login, on two phones: the secretary adds them and shows the
one-time QR; the volunteer opens the link, sets a password and is in. The link then
works no more."""

import pytest
from django.contrib.auth import get_user_model

from compounds.models import BranchMember
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def compound():
    compound = f.compound(community=f.community(), name="绿景水岸")
    f.opening(compound=compound, name="南门")
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    f.branch(compound=compound, secretary_user=secretary)
    return compound


def test_a_volunteer_added_and_given_a_login_sets_a_password_by_the_link(
    page, browser, live_server, login, screenshot, compound
):
    login("secretary")
    page.goto(f"{live_server.url}/c/{compound.pk}/people/")
    page.fill("#id_name", "王志愿")
    page.fill("#id_phone", "13907901234")
    page.fill("#id_work_unit", "区教体局")
    page.select_option("#id_position", "volunteer")
    page.click("#person-add button[type=submit]")
    page.wait_for_load_state()
    member = BranchMember.objects.get(name="王志愿")
    assert member.user is None  # on the roster without a login until one is given
    page.locator("tr", has_text="王志愿").locator("button", has_text="开通账号").click()
    page.wait_for_load_state()
    assert page.locator(".qr svg").count() == 1
    url = page.locator("a.login-link").get_attribute("href")
    screenshot("people-login-link", full_page=False)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        theirs = phone.new_page()
        theirs.goto(url)
        assert theirs.locator("code.login-name").inner_text() == "13907901234"
        theirs.fill("#id_new_password1", "南门值守志愿者-2020春")
        theirs.fill("#id_new_password2", "南门值守志愿者-2020春")
        theirs.screenshot(path=str(_artifact("login-set-password")))
        theirs.click("main form button[type=submit]")
        theirs.wait_for_load_state()
        assert "/accounts/login/" not in theirs.url
        user = get_user_model().objects.get(username="13907901234")
        assert user.check_password("南门值守志愿者-2020春")
        assert theirs.goto(url).status == 410  # once only
    finally:
        phone.close()


def _artifact(name):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
