"""The gate page in a real phone-sized Chromium: online verdicts, and records taken
without a network that upload by themselves when it comes back.

The UI is Chinese once translated: the tests read element ids, classes and data
attributes, and the rows in the database, never English words.
"""

import json
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
    # Before any tap, the card answer already says no, and why.
    page.wait_for_selector("#card-info[data-state='no']")
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
    assert page.get_attribute("#verdict", "data-verdict") == "offline"
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
