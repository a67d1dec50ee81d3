"""A round in a real phone-sized Chromium: a volunteer records three visits at the doors
(through the page's upload queue) and the coverage grid shows them."""

import time
from datetime import date

import pytest
from django.db import OperationalError
from django.utils import timezone

from compounds.models import BranchMember
from residents.rounds import services as rounds
from residents.rounds.models import Round, Visit
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stairwell():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    building = f.building(compound=compound, number="20")
    unit = f.unit(building=building, number="1")
    flats = [
        f.household(building=building, unit=unit, room=r) for r in ("101", "201", "301", "401")
    ]
    people = [f.resident(household=h, name=f"住户{h.room}") for h in flats]
    secretary = f.user("secretary")
    f.role(user=secretary, kind="secretary", compound=compound)
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)
    branch = f.branch(compound=compound, secretary_user=secretary)
    member = BranchMember.objects.create(branch=branch, user=volunteer, name="小王")
    round_, _ = rounds.round_open(
        compound=compound,
        actor=secretary,
        number=4,
        title="第4轮全面排查",
        starts_on=date.today(),
        ends_on=date.today(),
    )
    rounds.assignment_set(
        round_=round_, actor=secretary, member=member, building=building, unit=unit
    )
    return {"compound": compound, "round": round_, "flats": flats, "people": people}


def test_a_volunteer_records_three_visits_on_a_phone_and_the_grid_shows_them(
    page, live_server, login, screenshot, stairwell
):
    compound, round_, flats = stairwell["compound"], stairwell["round"], stairwell["flats"]
    base = f"{live_server.url}/c/{compound.pk}/rounds/{round_.pk}"
    login("volunteer")
    uploads = []
    page.on(
        "response",
        lambda r: uploads.append(r.status) if r.url.endswith("/api/v1/visits/") else None,
    )
    page.goto(f"{base}/visits/")
    assert page.locator("#doors li.door").count() == 4
    answers = [(flats[0], "everyone"), (flats[1], "nobody"), (flats[2], "some")]
    for flat, result in answers:
        page.click(f"#door-{flat.pk} a")
        page.wait_for_selector("#visit-form")
        page.check(f"#visit-form input[name=result][value={result}]")
        if result != "nobody":
            page.check("#visit-form input[name=present] >> nth=0")
            page.fill("#id_temperature", "36.6")
        if result == "some":  # the user guide's picture: the form's top, as filled in
            page.evaluate("window.scrollTo(0, 0)")
            screenshot("rounds-visit-form", full_page=False)
        page.click("#save-visit")
        page.wait_for_url(f"{base}/visits/")
    screenshot("rounds-my-doors")
    assert uploads == [201, 201, 201]  # through the phone's queue, each with its client id
    assert list(
        Visit.objects.filter(round=round_)
        .exclude(result="pending")
        .values_list("result", flat=True)
        .order_by("household__room")
    ) == ["everyone", "nobody", "some"]
    assert page.locator("#doors li.door.everyone").count() == 1

    page.goto(f"{base}/")
    assert page.locator("#count-done").inner_text() == "2"
    assert page.locator("#count-nobody").inner_text() == "1"
    assert page.locator(f'a.cell.everyone[data-household="{flats[0].pk}"]').count() == 1
    assert page.locator(f'a.cell.nobody.card-yellow[data-household="{flats[1].pk}"]').count() == 1
    assert page.locator(f'a.cell.pending[data-household="{flats[3].pk}"]').count() == 1
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    screenshot("rounds-coverage")


def _result(round_, flat) -> str:
    """The visit's result, read while the live server may be writing (SQLite locks)."""
    for _ in range(50):
        try:
            return Visit.objects.get(round=round_, household=flat).result
        except OperationalError:
            time.sleep(0.1)
    raise AssertionError("database stayed locked")


def test_a_visit_recorded_without_signal_waits_on_the_phone_and_uploads_later(
    page, context, live_server, login, stairwell
):
    compound, round_, flats = stairwell["compound"], stairwell["round"], stairwell["flats"]
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/rounds/{round_.pk}/visits/{flats[3].pk}/")
    context.set_offline(True)
    page.check("#visit-form input[name=result][value=nobody]")
    page.click("#save-visit")
    page.wait_for_selector(".visit-queued")
    assert _result(round_, flats[3]) == "pending"
    context.set_offline(False)
    for _ in range(30):
        # Each "online" sends what waits; a send that met the test's own read of the
        # database (SQLite locks the table) waits for the next one.
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(1000)
        if _result(round_, flats[3]) == "nobody":
            break
    assert _result(round_, flats[3]) == "nobody"


def test_an_upload_refused_later_stays_on_the_phone_with_its_reason(
    page, context, live_server, login, stairwell
):
    """Queued without signal, then refused (the round closed meanwhile): the member sees
    it on the list of doors with the server's words, and may let it go."""
    compound, round_, flats = stairwell["compound"], stairwell["round"], stairwell["flats"]
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/rounds/{round_.pk}/visits/{flats[0].pk}/")
    context.set_offline(True)
    page.check("#visit-form input[name=result][value=everyone]")
    page.click("#save-visit")
    page.wait_for_selector(".visit-queued")
    Round.objects.filter(pk=round_.pk).update(closed_at=timezone.now())
    context.set_offline(False)
    page.goto(f"{live_server.url}/c/{compound.pk}/rounds/{round_.pk}/visits/")
    failed = page.locator("#visit-failed li")
    failed.first.wait_for()
    assert flats[0].address in failed.first.inner_text()
    failed.first.locator("button.danger").click()
    page.locator("#visit-failed li").first.wait_for(state="detached")
    assert _result(round_, flats[0]) == "pending"


def test_the_list_of_doors_records_a_whole_stairwell_without_signal(
    page, context, live_server, login, stairwell
):
    """Opened once with signal, the list of doors holds every door's form: two doors
    recorded offline wait on the phone and go up when the signal is back."""
    compound, round_, flats = stairwell["compound"], stairwell["round"], stairwell["flats"]
    login("volunteer")
    page.goto(f"{live_server.url}/c/{compound.pk}/rounds/{round_.pk}/visits/")
    context.set_offline(True)
    for flat, result in ((flats[0], "everyone"), (flats[1], "nobody")):
        door = page.locator(f"#door-{flat.pk}")
        door.locator("summary").click()
        door.locator(f"input[name=h{flat.pk}-result][value={result}]").check()
        door.locator("button.save-visit").click()
        page.wait_for_selector(f"#door-{flat.pk}.{result}.queued")
    assert _result(round_, flats[0]) == "pending"
    context.set_offline(False)
    for _ in range(30):
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(1000)
        if _result(round_, flats[1]) == "nobody":
            break
    assert (_result(round_, flats[0]), _result(round_, flats[1])) == ("everyone", "nobody")
