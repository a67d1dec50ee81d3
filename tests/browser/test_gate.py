"""The gate page in a real phone-sized Chromium: online verdicts, and records taken
without a network that upload by themselves when it comes back.

The UI is Chinese once translated: the tests read element ids, classes and data
attributes, and the rows in the database, never English words.
"""

import json
import re
from decimal import Decimal

import pytest
import segno

from checkpoints.models import Passage
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gate():
    community = f.community()
    compound = f.compound(community=community, name="绿景水岸")
    opening = f.opening(compound=compound, name="南门")
    f.opening(compound=compound, name="西侧小门", state="sealed")
    building = f.building(compound=compound, number="20")
    first = f.household(building=building, room="1702")
    f.resident(household=first, name="张小流")
    second = f.household(building=building, room="1703")
    f.resident(household=second, name="李娟")
    volunteer = f.user("volunteer")
    f.role(user=volunteer, kind="volunteer", compound=compound)
    return {
        "compound": compound,
        "opening": opening,
        "first": first,
        "second": second,
        "card1": f.card(household=first),
        "card2": f.card(household=second),
        "volunteer": volunteer,
    }


def open_gate(page, login, live_server, gate) -> None:
    login("volunteer")
    page.goto(f"{live_server.url}/c/{gate['compound'].pk}/gate/")
    # One open opening: chosen by itself, the work area shows at once.
    page.wait_for_selector("#card-input", state="visible")
    # The compound's snapshot is on the phone: it can decide without the network.
    page.wait_for_selector("body[data-snapshot]", state="attached")


def record(page, number: str, temperature: str, direction: str = "out") -> None:
    page.fill("#card-input", number)
    if temperature.startswith("36."):
        page.click(f".temp-btn[data-temp='{temperature}']")
    else:
        page.fill("#temp-other", temperature)
    page.click(f"#btn-{direction}")
    page.wait_for_selector("#verdict", state="visible")


def next_person(page) -> None:
    page.click("#verdict-next")
    page.wait_for_selector("#verdict", state="hidden")


def shot(page, screenshot, name: str) -> None:
    # The verdict is fixed to the viewport: scroll up so the full-page picture shows it whole.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(name)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_exit_is_recorded_in_two_taps_and_a_second_exit_is_denied(
    page, login, live_server, screenshot, gate
):
    open_gate(page, login, live_server, gate)
    number = gate["card1"].number
    page.fill("#card-input", f"{number[:3]}-{number[3:]}")
    # The card answer shows the household before anything is recorded.
    page.wait_for_selector("#card-info[data-state='ok']")
    assert "20-1702" in page.text_content("#card-address")

    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-out")
    verdict = page.wait_for_selector("#verdict[data-verdict='allowed']")
    assert "20-1702" in verdict.text_content()
    assert no_horizontal_overflow(page)
    shot(page, screenshot, "gate-verdict")

    passage = Passage.objects.get()
    assert passage.temperature == Decimal("36.5")
    assert passage.direction == "out"
    assert passage.verdict == "allowed"
    assert passage.opening == gate["opening"]
    assert passage.volunteer == gate["volunteer"]
    assert str(passage.client_id) == verdict.get_attribute("data-client-id")

    next_person(page)
    assert page.input_value("#card-input") == ""
    page.fill("#card-input", number)
    # Before any tap: someone of the household is out, so the answer leads with coming
    # back in (never a red "may not go out"), and says why nobody else may go out.
    page.wait_for_selector("#card-info[data-state='back']")
    answer = page.text_content("#card-answer")
    assert "现在不能外出" not in answer and "下次可外出" in answer
    screenshot("gate-card")
    page.click(".temp-btn[data-temp='36.6']")
    page.click("#btn-out")
    page.wait_for_selector("#verdict[data-verdict='denied'][data-reason='quota_used']")
    assert page.text_content("#verdict-message").strip()
    shot(page, screenshot, "gate-denied")
    assert Passage.objects.filter(verdict="denied", reason="quota_used").count() == 1

    next_person(page)
    rows = page.locator("#records li.rec-sent")
    assert rows.count() == 2
    assert page.get_attribute("#pending-count", "data-count") == "0"
    screenshot("gate-list")


def test_choosing_a_resident_in_quarantine_turns_the_card_answer_to_no(
    page, login, live_server, gate
):
    from django.utils import timezone

    gate["first"].residents.update(quarantine_until=timezone.localdate())
    open_gate(page, login, live_server, gate)
    page.fill("#card-input", gate["card1"].number)
    # Someone of the household is in quarantine: nobody named, nobody goes out.
    page.wait_for_selector("#card-info[data-state='no']")
    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-out")
    # The volunteer must say who is going out before anything is recorded.
    page.wait_for_selector("#gate-error", state="visible")
    assert page.is_hidden("#verdict") and not Passage.objects.exists()
    # The picker tells family members apart: relation, sex, age; the quarantined marked.
    assert "户主" in page.text_content(".resident-btn")
    assert page.get_attribute(".resident-btn", "data-quarantined") == "1"
    page.click(".resident-btn")
    page.wait_for_selector("#card-info[data-state='no']")
    assert "居家隔离" in page.text_content("#card-answer")
    assert page.get_attribute(".resident-btn", "aria-pressed") == "true"
    page.click("#btn-out")
    page.wait_for_selector("#verdict[data-verdict='denied'][data-reason='quarantined']")
    assert Passage.objects.get().resident_id == gate["first"].residents.get().pk


def test_fever_on_exit_is_denied_and_alerted(page, login, live_server, gate):
    open_gate(page, login, live_server, gate)
    page.fill("#card-input", gate["card1"].number)
    page.fill("#temp-other", "38.2")
    page.click("#btn-out")
    page.wait_for_selector("#verdict[data-verdict='denied'][data-reason='fever']")
    passage = Passage.objects.get()
    assert passage.fever and passage.verdict == "denied"
    assert passage.fever_alert.temperature == Decimal("38.2")


def test_fever_on_entry_lets_the_resident_in_and_alerts(page, login, live_server, screenshot, gate):
    open_gate(page, login, live_server, gate)
    record(page, gate["card2"].number, "37.6", direction="in")
    page.wait_for_selector("#verdict[data-verdict='fever']")
    shot(page, screenshot, "gate-fever-entry")
    passage = Passage.objects.get()
    assert (passage.direction, passage.verdict, passage.fever) == ("in", "allowed", True)
    assert passage.fever_alert.status == "open"


def test_impossible_reading_is_refused_on_the_phone(page, login, live_server, gate):
    open_gate(page, login, live_server, gate)
    page.fill("#card-input", gate["card1"].number)
    page.fill("#temp-other", "45.1")
    page.click("#btn-out")
    page.wait_for_selector("#gate-error", state="visible")
    assert page.is_hidden("#verdict")
    assert not Passage.objects.exists()


def test_records_taken_offline_upload_by_themselves(
    page, context, login, live_server, screenshot, gate
):
    open_gate(page, login, live_server, gate)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The worker has kept this page and its files: it can now open without a network.
    page.wait_for_selector("body[data-offline-ready='1']")

    context.set_offline(True)
    page.wait_for_selector("#net-status[data-online='0']")
    record(page, gate["card1"].number, "36.5")
    # The phone decides with its snapshot of the compound, and says so.
    assert page.get_attribute("#verdict", "data-verdict") == "allowed"
    assert page.get_attribute("#verdict", "data-decided-on") == "device"
    shot(page, screenshot, "gate-offline-verdict")
    next_person(page)
    record(page, gate["card2"].number, "37.8")
    # Offline, the phone decides only the fever line: red, no exit.
    assert page.get_attribute("#verdict", "data-verdict") == "denied"
    assert page.get_attribute("#verdict", "data-local") == "1"
    next_person(page)
    page.wait_for_selector("#pending-count[data-count='2']")
    assert page.locator("#records li.rec-pending").count() == 2
    screenshot("gate-offline")
    assert not Passage.objects.exists()

    # The page itself opens without a network, from the service worker's cache, and the
    # queue is still there.
    page.reload()
    page.wait_for_selector("#pending-count[data-count='2']")
    assert page.is_visible("#offline-banner")

    context.set_offline(False)
    page.wait_for_selector("#pending-count[data-count='0']", timeout=30_000)
    assert page.locator("#records li.rec-sent").count() == 2

    passages = {p.household_id: p for p in Passage.objects.all()}
    assert passages[gate["first"].pk].verdict == "allowed"
    assert passages[gate["first"].pk].decided_on == "device"
    assert passages[gate["first"].pk].temperature == Decimal("36.5")
    assert passages[gate["second"].pk].verdict == "denied"
    assert passages[gate["second"].pk].reason == "fever"
    assert passages[gate["second"].pk].fever_alert is not None

    listed = page.request.get(f"{live_server.url}/api/v1/passages/").json()
    assert {row["client_id"] for row in listed["results"]} == {
        str(p.client_id) for p in passages.values()
    }


def test_refused_record_stays_visible_and_can_be_sent_again(page, login, live_server, gate):
    open_gate(page, login, live_server, gate)

    def refuse(route):
        route.fulfill(
            status=400,
            content_type="application/json",
            body='{"code": "recorded_in_future", "detail": "clock ahead"}',
        )

    page.route("**/api/v1/passages/", refuse)
    record(page, gate["card1"].number, "36.5")
    assert page.get_attribute("#verdict", "data-verdict") == "failed"
    assert "clock ahead" in page.text_content("#verdict-message")
    next_person(page)
    # Refused is not waiting: it is not retried by itself, and it is not dropped either.
    assert page.get_attribute("#pending-count", "data-count") == "0"
    failed = page.locator("#records li.rec-failed")
    assert failed.count() == 1
    assert not Passage.objects.exists()

    page.unroute("**/api/v1/passages/")
    failed.locator(".rec-retry").click()
    page.wait_for_selector("#records li.rec-sent")
    assert page.locator("#records li.rec-failed").count() == 0
    assert Passage.objects.get().verdict == "allowed"


def test_chosen_opening_is_remembered_on_this_phone(page, login, live_server, gate):
    side = f.opening(compound=gate["compound"], name="北侧应急通道", state="emergency")
    login("volunteer")
    url = f"{live_server.url}/c/{gate['compound'].pk}/gate/"
    page.goto(url)
    # Two openings: the volunteer chooses once; the sealed one is not offered.
    page.wait_for_selector("#gate-choose", state="visible")
    assert page.locator(".opening-btn").count() == 2
    page.click(f".opening-btn[data-opening='{side.pk}']")
    page.wait_for_selector("#card-input", state="visible")

    page.reload()
    page.wait_for_selector("#card-input", state="visible")
    assert page.text_content("#gate-name") == "北侧应急通道"
    record(page, gate["card1"].number, "36.4")
    page.wait_for_selector("#verdict[data-verdict='allowed']")
    assert Passage.objects.get().opening == side


def test_queue_uploads_through_the_service_worker_with_the_page_closed(
    page, context, login, live_server, gate
):
    open_gate(page, login, live_server, gate)
    if not page.evaluate("navigator.serviceWorker.ready.then(r => 'sync' in r)"):
        pytest.skip("this Chromium has no Background Sync")
    page.wait_for_selector("body[data-offline-ready='1']")
    context.set_offline(True)
    record(page, gate["card1"].number, "36.5")
    page.wait_for_selector("#pending-count[data-count='1']")
    page.close()

    # No page is left to upload: only the worker's Background Sync can.
    context.set_offline(False)
    watcher = context.new_page()  # about:blank, only to wait on
    for _ in range(60):
        if Passage.objects.exists():
            break
        watcher.wait_for_timeout(250)
    passage = Passage.objects.get()
    assert passage.verdict == "allowed"
    assert passage.temperature == Decimal("36.5")


# --- The queue shared by the page and its service worker ---------------------------------
# The server's 409 client_id_conflict, 400 recorded_too_old and JSON 503 land from other
# branches: here Playwright's routes give those answers, so that the page is tested alone.
PASSAGES = "**/api/v1/passages/"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
READ_QUEUE = """() => new Promise((resolve, reject) => {
  const req = indexedDB.open("bastion-gate");
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    const all = db.transaction("records").objectStore("records").getAll();
    all.onsuccess = () => { db.close(); resolve(all.result); };
  };
})"""
UPLOAD_LOCK_FREE = """() => navigator.locks.query().then(
  (s) => !s.held.some((l) => l.name === "bastion-gate-upload"))"""


def wait_for(page, condition, tries: int = 120) -> None:
    for _ in range(tries):
        if condition():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the condition never came true")


def go_offline_with_one_record(page, context, gate) -> None:
    """A record queued by the page offline; the page closed, so only the worker is left."""
    if not page.evaluate("navigator.serviceWorker.ready.then(r => 'sync' in r)"):
        pytest.skip("this Chromium has no Background Sync")
    page.wait_for_selector("body[data-offline-ready='1']")
    context.set_offline(True)
    record(page, gate["card1"].number, "36.5")
    page.wait_for_selector("#pending-count[data-count='1']")
    page.close()


def test_page_and_worker_share_one_queue_module(page, context, login, live_server, gate):
    open_gate(page, login, live_server, gate)
    page.wait_for_selector("body[data-offline-ready='1']")
    assert page.evaluate("typeof BastionGateQueue.uploadWaiting") == "function"
    worker = context.service_workers[0]
    assert worker.evaluate("typeof BastionGateQueue.uploadWaiting") == "function"

    # And so the worker reads a refusal as the page does: a record the page queued, which
    # the worker uploads into a conflict, is kept as refused with its code.
    go_offline_with_one_record(page, context, gate)
    hits = []

    def conflict(route):
        hits.append(route.request.post_data_json)
        route.fulfill(
            status=409,
            content_type="application/json",
            body='{"code": "client_id_conflict", "detail": "another passage"}',
        )

    context.route(PASSAGES, conflict)
    context.set_offline(False)
    watcher = context.new_page()
    watcher.goto(f"{live_server.url}/static/css/gate.css")  # same origin, no gate.js
    wait_for(watcher, lambda: [r["status"] for r in watcher.evaluate(READ_QUEUE)] == ["failed"])
    assert len(hits) == 1
    assert watcher.evaluate(READ_QUEUE)[0]["error_code"] == "client_id_conflict"

    watcher.goto(f"{live_server.url}/c/{gate['compound'].pk}/gate/")
    row = watcher.wait_for_selector("#records li.rec-failed[data-code='client_id_conflict']")
    assert "another passage" in row.text_content()
    assert not Passage.objects.exists()


def test_worker_upload_gives_up_on_a_hanging_request_and_keeps_the_record(
    page, context, login, live_server, gate
):
    open_gate(page, login, live_server, gate)
    go_offline_with_one_record(page, context, gate)
    hanging = []
    context.route(PASSAGES, lambda route: hanging.append(route))  # never answered
    context.set_offline(False)
    watcher = context.new_page()
    watcher.goto(f"{live_server.url}/static/css/gate.css")
    wait_for(watcher, lambda: len(hanging) == 1)
    # The worker gives up (its own timeout) and lets go of the queue for the next try.
    wait_for(watcher, lambda: watcher.evaluate(UPLOAD_LOCK_FREE))
    assert [r["status"] for r in watcher.evaluate(READ_QUEUE)] == ["pending"]
    assert not Passage.objects.exists()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (409, {"code": "client_id_conflict", "detail": "another passage"}),
        (400, {"code": "recorded_too_old", "detail": "older than 7 days"}),
        (400, {"code": "recorded_in_future", "detail": "clock ahead"}),
        (400, {"code": "recorded_too_old"}),
    ],
)
def test_refusal_with_a_code_is_shown_and_kept_on_the_phone(
    page, login, live_server, screenshot, gate, status, body
):
    # Plain HTTP on a LAN address has no crypto.randomUUID: the fallback must give UUIDs.
    page.add_init_script("delete Crypto.prototype.randomUUID")
    open_gate(page, login, live_server, gate)
    posted = []

    def refuse(route):
        posted.append(route.request.post_data_json)
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route(PASSAGES, refuse)
    record(page, gate["card1"].number, "36.5")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "failed"
    assert verdict.get_attribute("data-code") == body["code"]
    message = page.text_content("#verdict-message")
    # The server's words when it gives some, else a sentence of the page's: never a code.
    assert body.get("detail", "") in message
    assert body["code"] not in message and message.strip()
    first_id = posted[0]["client_id"]
    assert UUID4.match(first_id)
    shot(page, screenshot, f"gate-refused-{body['code']}")
    next_person(page)

    # Kept, across a reload, and not retried by itself.
    page.reload()
    row = page.wait_for_selector(f"#records li.rec-failed[data-code='{body['code']}']")
    assert page.get_attribute("#pending-count", "data-count") == "0"
    assert len(posted) == 1
    screenshot(f"gate-refused-{body['code']}-list")

    page.unroute(PASSAGES)
    row.query_selector(".rec-retry").click()
    page.wait_for_selector("#records li.rec-sent")
    passage = Passage.objects.get()
    assert UUID4.match(str(passage.client_id))
    # Another passage holds the first id on the server: this one goes under a new id.
    if body["code"] == "client_id_conflict":
        assert str(passage.client_id) != first_id
    else:
        assert str(passage.client_id) == first_id


def test_busy_server_keeps_the_record_queued_until_its_retry_after(
    page, context, login, live_server, screenshot, gate
):
    page.clock.install()
    open_gate(page, login, live_server, gate)
    posted = []
    busy = {"on": True}

    def answer(route):
        posted.append(route.request.post_data_json)
        if not busy["on"]:
            route.fallback()
            return
        route.fulfill(
            status=503,
            headers={"Retry-After": "120"},
            content_type="application/json",
            body='{"code": "service_unavailable", "detail": "database down"}',
        )

    context.route(PASSAGES, answer)
    record(page, gate["card1"].number, "36.5")
    # A busy server gives no verdict: the phone decides, and the record waits.
    assert page.get_attribute("#verdict", "data-verdict") == "allowed"
    assert page.get_attribute("#verdict", "data-decided-on") == "device"
    assert page.get_attribute("#verdict", "data-busy") == "1"
    next_person(page)
    screenshot("gate-busy")
    assert page.get_attribute("#pending-count", "data-count") == "1"
    assert page.locator("#records li.rec-pending").count() == 1
    assert page.is_visible("#busy-banner")

    # Neither the network coming back nor the usual retry timer sends before Retry-After.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.clock.fast_forward("01:00")
    busy["on"] = False
    page.clock.fast_forward("01:01")
    page.wait_for_selector("#pending-count[data-count='0']")
    page.wait_for_selector("#records li.rec-sent")
    assert len(posted) == 2
    assert Passage.objects.get().verdict == "allowed"
    assert page.is_hidden("#busy-banner")


def test_page_cached_before_the_queue_module_still_works(page, login, live_server, gate):
    # A gate page kept offline by an older deployment loads gate.js alone.
    def older_page(route):
        response = route.fetch()
        html = response.text().replace('<script src="/static/js/gate-queue.js" defer></script>', "")
        assert "gate-queue.js" not in html
        route.fulfill(response=response, body=html)

    page.route("**/c/*/gate/", older_page)
    open_gate(page, login, live_server, gate)
    record(page, gate["card1"].number, "36.5")
    assert page.get_attribute("#verdict", "data-verdict") == "allowed"
    assert Passage.objects.get().verdict == "allowed"


# A camera that films the QR code given as QR_SRC (a data: URI), for a headless browser.
FAKE_CAMERA = """(() => {
  delete window.BarcodeDetector;
  navigator.mediaDevices.getUserMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 360;
    const ctx = canvas.getContext("2d");
    const img = new Image();
    img.src = QR_SRC;
    await img.decode();
    const draw = () => {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, 360, 360);
      ctx.drawImage(img, 30, 30, 300, 300);
    };
    draw();
    setInterval(draw, 100);
    return canvas.captureStream(10);
  };
})();"""


def test_qr_scanned_with_the_camera_fills_in_the_card(page, login, live_server, gate):
    # Headless Chromium has no camera: a canvas showing the card's QR code stands in for
    # one, and the vendored jsQR decoder reads it (BarcodeDetector is removed to be sure).
    qr = segno.make(gate["card1"].secret, error="m").png_data_uri(scale=6, border=4)
    page.add_init_script(FAKE_CAMERA.replace("QR_SRC", json.dumps(qr)))
    open_gate(page, login, live_server, gate)
    page.click("#scan-btn")
    page.wait_for_selector("#card-info[data-state='ok']")
    assert page.is_hidden("#scanner")  # the camera stops once a code is read
    assert "20-1702" in page.text_content("#card-address")
    assert page.evaluate("typeof window.jsQR") == "function"
    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-out")
    page.wait_for_selector("#verdict[data-verdict='allowed']")
    assert Passage.objects.get().card == gate["card1"]
