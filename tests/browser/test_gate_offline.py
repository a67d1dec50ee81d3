"""The gate decides without the network: the phone's port of the rule agrees with the
server's, its verdicts are stored as what happened, and it never waits in silence."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from checkpoints.models import Passage
from checkpoints.snapshot import qr_hash
from tests.browser.test_gate import PASSAGES, gate, next_person, open_gate, record  # noqa: F401
from tests.checkpoints.test_gate_cases import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "gate-rules.js"

RUN_CASES = """cases => cases.map(c => {
  const v = BastionGateRules.decide({
    rules: c.rules, fever_line: c.fever_line, card: c.card, gate: c.gate,
    direction: c.direction, vehicle: c.vehicle, temperature: c.temperature,
    exits: c.exits.map(t => Date.parse(t)), at: Date.parse(c.at)});
  return {reason: v.reason, next_exit_at: v.next_exit_at};
})"""


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_phones_rule_agrees_with_the_servers_on_every_case(browser, zone):
    context = browser.new_context(timezone_id=zone)
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=RULES_JS.read_text())
    got = page.evaluate(RUN_CASES, CASES)
    context.close()
    wrong = []
    for case, answer in zip(CASES, got, strict=True):
        want = case["expect"]
        want_next = want["next_exit_at"]
        want_ms = (
            int(timezone.datetime.fromisoformat(want_next).timestamp() * 1000)
            if want_next
            else None
        )
        if answer["reason"] != want["reason"] or (
            want["reason"] and answer["next_exit_at"] != want_ms
        ):
            wrong.append(f"{case['name']}: {answer} != {want}")
    assert wrong == []


def test_the_phone_matches_a_scanned_qr_with_the_snapshots_short_hash(
    page,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    secret = gate["card1"].secret
    got = page.evaluate("s => BastionGateSnapshot.sha256hex(s).slice(0, 12)", secret)
    assert got == qr_hash(secret)


def go_offline(page, context):
    page.wait_for_selector("body[data-offline-ready='1']")
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-online='0']")


def test_an_exit_refused_offline_is_refused_on_screen_and_stored_as_refused(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    record(page, gate["card1"].number, "36.5")  # online: the household's one outing
    page.wait_for_selector("#verdict[data-verdict='allowed'][data-decided-on='server']")
    next_person(page)
    go_offline(page, context)
    record(page, gate["card1"].number, "36.6")
    page.wait_for_selector("#verdict[data-verdict='denied'][data-reason='quota_used']")
    assert page.get_attribute("#verdict", "data-decided-on") == "device"
    assert "下次可外出" in page.text_content("#verdict-message")
    next_person(page)
    context.set_offline(False)
    page.wait_for_selector("#pending-count[data-count='0']", timeout=30_000)
    refused = Passage.objects.get(verdict="denied")
    assert (refused.reason, refused.decided_on, refused.counts_quota) == (
        "quota_used",
        "device",
        False,
    )
    assert refused.server_verdict == "denied" and refused.breach == ""


def test_an_exit_allowed_on_the_phone_is_stored_as_allowed_and_flagged_if_the_server_disagrees(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    go_offline(page, context)
    # Meanwhile, the household went into quarantine; the phone could not know.
    gate["first"].__class__.objects.filter(pk=gate["first"].pk).update(
        quarantine_until=timezone.localdate() + timedelta(days=3)
    )
    record(page, gate["card1"].number, "36.5")
    assert page.get_attribute("#verdict", "data-verdict") == "allowed"
    assert page.get_attribute("#verdict", "data-decided-on") == "device"
    next_person(page)
    context.set_offline(False)
    page.wait_for_selector("#pending-count[data-count='0']", timeout=30_000)
    passage = Passage.objects.get()
    assert (passage.verdict, passage.decided_on, passage.counts_quota) == (
        "allowed",
        "device",
        True,
    )
    assert (passage.server_verdict, passage.breach) == ("denied", "quarantined")


def test_a_hanging_network_gives_a_verdict_on_the_phone_within_the_budget(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    hung = []
    context.route(PASSAGES, lambda route: hung.append(route))  # never answered
    page.fill("#card-input", gate["card1"].number)
    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-out")
    # The budget is 2.5 s; the wait allows the test machine some slack.
    page.wait_for_selector("#verdict[data-verdict='allowed']", timeout=4_000)
    assert page.get_attribute("#verdict", "data-decided-on") == "device"
    assert hung, "the request was sent"


def test_pressing_out_shows_sending_at_once_with_the_buttons_disabled(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    context.route(PASSAGES, lambda route: None)  # the answer never comes
    page.fill("#card-input", gate["card1"].number)
    page.click(".temp-btn[data-temp='36.5']")
    # Read in the tap's own task: nothing may wait for a promise or a frame.
    state = page.evaluate(
        """() => { document.getElementById('btn-out').click();
        return [document.getElementById('btn-out').disabled,
                document.getElementById('btn-in').disabled,
                !document.getElementById('gate-sending').hidden]; }"""
    )
    assert state == [True, True, True]
    page.wait_for_selector("#verdict", state="visible", timeout=5_000)
    assert page.is_enabled("#btn-out")


def test_no_verdict_from_a_phone_whose_clock_is_far_from_the_servers(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    page.clock.install(time=timezone.now() + timedelta(days=2))
    open_gate(page, login, live_server, gate)
    go_offline(page, context)
    record(page, gate["card1"].number, "36.5")
    assert page.get_attribute("#verdict", "data-verdict") == "offline"
    assert page.get_attribute("#verdict", "data-decided-on") == "server"


def test_logging_out_wipes_the_snapshot(page, login, live_server, gate):  # noqa: F811
    open_gate(page, login, live_server, gate)
    names = "async () => (await indexedDB.databases()).map(d => d.name)"
    assert "bastion-gate-snapshot" in page.evaluate(names)
    page.click("form.logout button[type=submit]")
    page.wait_for_load_state()
    assert "bastion-gate-snapshot" not in page.evaluate(names)


def test_the_gate_buttons_stay_on_screen_with_a_banner_showing(
    page,
    context,
    login,
    live_server,
    gate,  # noqa: F811
):
    open_gate(page, login, live_server, gate)
    go_offline(page, context)
    page.evaluate("document.getElementById('storage-banner').hidden = false")
    page.fill("#card-input", gate["card1"].number)
    for selector in ("#btn-out", "#btn-in"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= 844, selector


def test_a_scanned_door_card_link_is_refused_by_name(page, login, live_server, gate):  # noqa: F811
    from compounds import capabilities
    from tests.checkpoints.test_capability_scan import DOOR_CARD

    _cap, token = capabilities.capability_issue(
        purpose=DOOR_CARD, actor=gate["volunteer"], obj=gate["first"]
    )
    open_gate(page, login, live_server, gate)
    page.fill("#card-input", f"{live_server.url}/d/{token}/")
    page.press("#card-input", "Enter")
    page.wait_for_selector("#card-info[data-code='capability_scanned']")
    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-out")
    page.wait_for_selector("#gate-error", state="visible")
    assert page.is_hidden("#verdict") and not Passage.objects.exists()


def test_a_visitor_without_a_card_is_recorded(page, login, live_server, gate):  # noqa: F811
    open_gate(page, login, live_server, gate)
    page.click("#visitor-toggle")
    page.fill("#visitor-name", "刘医生")
    page.fill("#visitor-unit", "社区医院")
    page.select_option("#visitor-reason", "medic")
    page.click(".temp-btn[data-temp='36.5']")
    page.click("#btn-in")
    page.wait_for_selector("#verdict[data-verdict='allowed']")
    passage = Passage.objects.get()
    assert (passage.visitor_name, passage.visitor_reason, passage.card_id) == (
        "刘医生",
        "medic",
        None,
    )


def test_a_vehicle_with_two_people_is_one_trip_with_a_passage_each(
    page,
    login,
    live_server,
    gate,  # noqa: F811
):
    from checkpoints.models import VehicleTrip

    gate["opening"].vehicle_rule = "both"
    gate["opening"].save()
    open_gate(page, login, live_server, gate)
    page.click("#vehicle-toggle")
    page.fill("#vehicle-plate", "沪A12345")
    for card, temperature in ((gate["card1"], "36.5"), (gate["card2"], "36.6")):
        page.fill("#card-input", card.number)
        page.click(f".temp-btn[data-temp='{temperature}']")
        page.click("#btn-out")
    page.wait_for_selector("body[data-trip-people='2']")
    page.click("#vehicle-send")
    page.wait_for_selector("#verdict[data-verdict='allowed']")
    trip = VehicleTrip.objects.get()
    assert trip.plate == "沪A12345" and trip.passages.count() == 2
    assert set(trip.passages.values_list("temperature", flat=True)) == {
        Decimal("36.5"),
        Decimal("36.6"),
    }
