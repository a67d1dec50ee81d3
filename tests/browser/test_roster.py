"""The roster on a 390-px phone: the secretary rolls out 三班倒 for a week and puts two
volunteers on; one signs in from "my shifts"; the compound page loses its red gap."""

import pytest
from django.utils import timezone

from checkpoints.rosters.models import Assignment, Shift
from compounds import people
from tests import factories as f

from .conftest import PHONE
from .test_csp import COLLECT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    f.opening(compound=compound, name="南门")
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    members = []
    for username, name in (("wang", "王志愿"), ("li", "李志愿")):
        user = f.user(username)
        f.role(user=user, kind="volunteer", compound=compound)
        member = people.member_add(compound=compound, name=name, actor=secretary)
        member.user = user
        member.save(update_fields=["user"])
        members.append(member)
    return {"compound": compound, "members": members}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_rollout_assignment_sign_in_and_the_gap_clears(
    page, context, live_server, login, screenshot, team
):
    context.add_init_script(COLLECT)
    base, c = live_server.url, team["compound"].pk
    wang, li = team["members"]
    login("secretary")
    # A post first: the 南门 opening, one person per shift.
    page.goto(f"{base}/c/{c}/roster/setup/")
    page.fill("#id_name", "南门岗")
    page.fill("#id_needed", "1")
    page.click("#post-form button[type=submit]")
    page.wait_for_load_state()
    # 三班倒 for a week (the form's default range), for that post.
    page.goto(f"{base}/c/{c}/roster/rollout/")
    page.select_option("#id_template", label="三班倒")
    page.check("#id_posts input[type=checkbox]")
    page.click("#rollout-form button[type=submit]")
    page.wait_for_load_state()
    assert Shift.objects.count() == 21
    assert page.locator("table.roster a.shift").count() >= 3
    page.screenshot(path="test-artifacts/roster-week.png", full_page=True)
    now = timezone.now()
    running = Shift.objects.get(starts_at__lte=now, ends_at__gt=now)
    following = Shift.objects.filter(starts_at__gte=running.ends_at).order_by("starts_at").first()
    for shift, member in ((running, wang), (following, li)):
        page.click(f"table.roster a.shift[href$='/shifts/{shift.pk}/']")
        page.select_option("#id_member", value=str(member.pk))
        page.click("#assign-form button[type=submit]")
        page.wait_for_load_state()
        assert member.name in page.locator("table").first.inner_text()
        if member == wang:
            screenshot("roster-shift", full_page=False)  # the user guide's picture
        page.goto(f"{base}/c/{c}/roster/?week={shift.day.isoformat()}")
    assert Assignment.objects.filter(cancelled_at=None).count() == 2
    # The week on an office screen, for the user guide; then back to the phone.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/c/{c}/roster/?week={running.day.isoformat()}")
    screenshot("roster-week-desktop", full_page=False)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/c/{c}/")
    assert page.locator(".gap.now").count() == 1
    assert page.evaluate("window.__csp") == []

    page.click("form.logout button")
    page.wait_for_load_state()
    login("wang")  # on a gate shift now: lands on the gate
    assert page.url.endswith(f"/c/{c}/gate/")
    page.goto(f"{base}/shifts/")
    assert _fits(page)
    page.click(f"#assignment-{Assignment.objects.get(member=wang).pk} button.sign-in")
    page.wait_for_load_state()
    assert Assignment.objects.get(member=wang).signed_in_at is not None
    page.screenshot(path="test-artifacts/roster-my-shifts.png", full_page=True)
    page.goto(f"{base}/c/{c}/")
    assert page.locator(".gap.now").count() == 0
    assert page.evaluate("window.__csp") == []


def test_a_sign_in_pressed_offline_on_the_gate_page_is_sent_when_back_online(
    page, context, live_server, login, team
):
    from checkpoints.rosters import services

    c = team["compound"].pk
    wang = team["members"][0]
    secretary = team["compound"].roles.get(kind="secretary").user
    post = services.post_save(compound=team["compound"], name="南门岗", actor=secretary)
    now = timezone.now()
    day = timezone.localdate()
    three = services.three_shifts(compound=team["compound"], actor=secretary)
    services.shifts_roll_out(template=three, posts=[post], first=day, last=day, actor=secretary)
    shift = Shift.objects.get(starts_at__lte=now, ends_at__gt=now)
    services.assign(shift=shift, member=wang, actor=secretary)
    login("wang")
    page.goto(f"{live_server.url}/c/{c}/gate/")
    page.wait_for_selector("form[data-roster-sign] button")
    context.set_offline(True)
    page.click("form[data-roster-sign] button")
    assert page.locator("[data-roster-queued]").is_visible()
    assert Assignment.objects.get(member=wang).signed_in_at is None
    context.set_offline(False)
    for second in range(45):  # the CSP forbids wait_for_function's eval: poll the database
        # Each "online" sends what waits; one that met the test's own read of the database
        # (SQLite locks the table) or a loaded machine waits for the next. Every 10 s the
        # page is opened again, as the volunteer would: it sends its queue when it loads
        # (a send begun as the network came back can hang in Chromium's emulation). A
        # press dropped from the queue is not sent by either, and fails here.
        if second and second % 10 == 0:
            page.reload()
        else:
            page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(1000)
        signed = Assignment.objects.get(member=wang).signed_in_at
        if signed is not None:
            break
    assert signed is not None and signed <= timezone.now()
