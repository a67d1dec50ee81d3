"""The gate page in headless Chromium against gunicorn, static files compressed.

What it measures (each the median of ``trials``, 20, or 2 with ``--quick``):

- gate_first_load_kb: bytes on the wire (DevTools' encodedDataLength) for the gate page
  with an empty browser cache, the snapshot and the QR decoder counted apart;
- gate_snapshot_kb: the snapshot of a 1,300-household compound, gzipped;
- gate_offline_ready_kb: all the phone keeps to work offline: the first load, the
  snapshot, the service worker and the QR decoder;
- gate_verdict_ms_*: from the tap on 出 to the verdict on screen, on a good network, on
  "slow 3G" (2,000 ms latency, 400 kbit/s each way: DevTools' emulation), on a network
  that never answers (route interception) and offline;
- gate_taps_exit_scan / gate_taps_exit_typed: taps and keystrokes from card in hand to
  verdict, the reading (36.5) and the opening already chosen; the scan plays the card's QR
  through Chromium's fake camera;
- alert_to_secretary_s: a fever recorded at the gate until it shows on the secretary's
  open compound page; the worst of 5;
- alert_poll_ms: the poll endpoint answering 304 (nothing changed), server time in process.

Skipped with a log line when Chromium (/usr/bin/chromium, or $CHROMIUM) or Playwright is
missing. Run it alone: ``manage.py bench --only browser``; leave it out: ``--skip browser``.
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bastion.demo import build_compound
from checkpoints.models import PassCard
from checkpoints.services import passage_record
from compounds.models import Community, Compound, Opening, Role

NAME = "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
COMMUNITY = "基准测试社区"
COMPOUND = "绿景水岸（浏览器基准）"
PHONE = {"width": 390, "height": 844}
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
GOOD = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

PRESS_OUT = """async () => {
  const v = document.getElementById('verdict');
  const t0 = performance.now();
  document.getElementById('btn-out').click();
  await new Promise(done => {
    if (!v.hidden) { done(); return; }
    new MutationObserver((m, o) => { if (!v.hidden) { o.disconnect(); done(); } })
      .observe(v, {attributes: true});
  });
  return performance.now() - t0;
}"""


def run(log: Callable[[str], None], opts: dict[str, Any]) -> dict[str, float | int | str]:
    if not Path(CHROMIUM).exists():
        log(f"browser: no Chromium at {CHROMIUM}: part skipped (--skip browser leaves it out)")
        return {}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        log("browser: Playwright is not installed: part skipped")
        return {}
    # Playwright's sync API runs an event loop in this thread; the ORM calls in between
    # (a fever recorded for the alert figure) are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    quick = bool(opts.get("quick"))
    trials = 2 if quick else 20
    world = _world(households=30 if quick else 1300, log=log)
    static_root = tempfile.mkdtemp(prefix="bastion-static-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "MANIFEST_STATIC": "1",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE": "0",
        # The trials log in more often than a person would.
        "LOGIN_ATTEMPTS": "100000",
    }
    base = Path(settings.BASE_DIR)
    log("browser: collectstatic (compressed, hashed names) …")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=base,
        env=env,
        check=True,
    )
    from bastion.management.commands.bench import free_port, wait_for_port

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bastion.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=base,
        env=env,
    )
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                figures = _measure(browser, url, world, trials, quick, log)
            finally:
                browser.close()
            figures.update(_scan_taps(p, url, world, trials, log))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)
    figures["alert_poll_ms"] = _poll_ms(world, 5 if quick else 50)
    return figures


def _user(name: str, compound: Compound, kind: str, password: str) -> Any:
    user, _created = get_user_model().objects.get_or_create(username=name)
    user.set_password(password)
    user.save()
    Role.objects.get_or_create(user=user, kind=kind, compound=compound)
    return user


def _world(*, households: int, log: Callable[[str], None]) -> dict[str, Any]:
    community, _ = Community.objects.get_or_create(name=COMMUNITY)
    compound = Compound.objects.filter(community=community, name=COMPOUND).first()
    if compound is not None and compound.households.count() != households:
        log("browser: dropping the previous browser bench compound …")
        from checkpoints.models import Passage
        from residents.models import FeverAlert, Household

        Passage.objects.filter(compound=compound).delete()
        FeverAlert.objects.filter(compound=compound).delete()
        PassCard.objects.filter(compound=compound).delete()
        Household.objects.filter(compound=compound).delete()
        compound.delete()
        compound = None
    if compound is None:
        log(f"browser: building {households:,} households …")
        with transaction.atomic():
            compound = build_compound(
                community, COMPOUND, households, round(households * 3.46), random.Random(2021)
            )
    password = uuid.uuid4().hex
    opening = compound.openings.exclude(state=Opening.State.SEALED).order_by("pk").first()
    assert opening is not None
    # Every exit of an earlier run is gone: each trial finds the household's outing free.
    from checkpoints.models import Passage

    Passage.objects.filter(compound=compound).delete()
    return {
        "compound": compound,
        "opening": opening,
        "password": password,
        "volunteer": _user("bench-gate-volunteer", compound, "volunteer", password),
        "secretary": _user("bench-gate-secretary", compound, "secretary", password),
        "cards": list(
            PassCard.objects.filter(
                compound=compound,
                state=PassCard.State.ACTIVE,
                household__building__sealed=False,
                household__quarantine_until__isnull=True,
            )
            .exclude(household__residents__quarantine_until__isnull=False)
            .values_list("number", "secret")
            .distinct()
        ),
    }


def _login(page: Any, url: str, username: str, password: str) -> None:
    # To the account page: a volunteer would land on the gate, which must load later.
    page.goto(f"{url}/accounts/login/?next={reverse('account')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else -1.0


def _session(browser: Any, url: str, username: str, password: str) -> Any:
    """A logged-in session's cookies, to open fresh contexts (empty cache, no worker)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, url, username, password)
    state = context.storage_state()
    context.close()
    return state


def _first_load(browser: Any, url: str, world: dict[str, Any]) -> tuple[float, float]:
    """(page bytes, snapshot bytes) of one gate page load with an empty cache."""
    context = browser.new_context(viewport=PHONE, storage_state=world["session"])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")
    page.goto(f"{url}/c/{world['compound'].pk}/gate/")
    page.wait_for_selector("body[data-snapshot]", state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    # What the page fetched, as DevTools counts it: bytes on the wire, headers included.
    entries = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(e => [e.name, e.transferSize])"""
    )
    if os.environ.get("BENCH_DEBUG"):
        for name, size in entries:
            print(f"{size:>8} {name}", file=sys.stderr)
    snapshot = sum(n for name, n in entries if "gate-snapshot" in name)
    rest = sum(n for name, n in entries if "gate-snapshot" not in name)
    context.close()
    return rest / 1024, snapshot / 1024


def _gzip_kb(path: str) -> float:
    import gzip

    from django.contrib.staticfiles import finders

    found = finders.find(path)
    return len(gzip.compress(Path(found).read_bytes())) / 1024 if found else 0.0


def _gate_page(browser: Any, url: str, world: dict[str, Any]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=PHONE, storage_state=world["session"])
    page = context.new_page()
    page.goto(f"{url}/c/{world['compound'].pk}/gate/")
    page.wait_for_selector("body[data-snapshot]", state="attached", timeout=60_000)
    page.wait_for_selector("body[data-offline-ready='1']", timeout=60_000)
    return context, page


def _verdicts(page: Any, cards: list[tuple[str, str]], trials: int) -> list[float]:
    times = []
    for _ in range(trials):
        number, _secret = cards.pop()
        page.fill("#card-input", number)
        page.click(".temp-btn[data-temp='36.5']")
        times.append(page.evaluate(PRESS_OUT))
        page.click("#verdict-next")
    return times


def _typed_taps(page: Any, cards: list[tuple[str, str]], trials: int) -> list[float]:
    taps: list[float] = []
    for _ in range(trials):
        number, _secret = cards.pop()
        page.fill("#card-input", "")
        keys = 0
        for char in number:
            page.keyboard.type(char)
            keys += 1
            value = page.input_value("#card-input").replace("-", "")
            if len(value) >= 6:
                break
        page.click(".temp-btn[data-temp='36.5']")
        page.click("#btn-out")
        page.wait_for_selector("#verdict", state="visible")
        taps.append(keys + 2)
        page.click("#verdict-next")
    return taps


def _measure(
    browser: Any,
    url: str,
    world: dict[str, Any],
    trials: int,
    quick: bool,
    log: Callable[[str], None],
) -> dict[str, float | int | str]:
    cards = list(world["cards"])
    random.Random(7).shuffle(cards)
    world["session"] = _session(browser, url, "bench-gate-volunteer", world["password"])
    log(f"browser: first loads ({trials}) …")
    loads = [_first_load(browser, url, world) for _ in range(trials)]
    first = _median([a for a, _b in loads])
    snapshot = _median([b for _a, b in loads])
    decoder = round(_gzip_kb("vendor/jsqr/jsQR.js"), 1)
    figures: dict[str, float | int | str] = {
        "gate_first_load_kb": first,
        "gate_snapshot_kb": snapshot,
        "gate_offline_ready_kb": round(first + snapshot + decoder + _gzip_kb("js/gate-sw.js"), 1),
    }
    context, page = _gate_page(browser, url, world)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    log(f"browser: verdicts online, slow 3G, hanging, offline ({trials} each) …")
    figures["gate_verdict_ms_online"] = _median(_verdicts(page, cards, trials))
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    figures["gate_verdict_ms_slow3g"] = _median(_verdicts(page, cards, trials))
    cdp.send("Network.emulateNetworkConditions", GOOD)
    page.route("**/api/v1/passages/", lambda route: None)  # never answered
    figures["gate_verdict_ms_hang"] = _median(_verdicts(page, cards, trials))
    page.unroute("**/api/v1/passages/")
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-online='0']")
    figures["gate_verdict_ms_offline"] = _median(_verdicts(page, cards, trials))
    context.set_offline(False)
    figures["gate_taps_exit_typed"] = _median([float(t) for t in _typed_taps(page, cards, trials)])
    context.close()
    log(f"browser: fever to the secretary's page ({1 if quick else 5}) …")
    figures["alert_to_secretary_s"] = _alert_to_secretary(
        browser, url, world, cards, 1 if quick else 5
    )
    return figures


def _alert_to_secretary(
    browser: Any, url: str, world: dict[str, Any], cards: list[tuple[str, str]], trials: int
) -> float:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, url, "bench-gate-secretary", world["password"])
    page.goto(f"{url}/c/{world['compound'].pk}/")
    page.wait_for_selector("#alert-poll")
    page.wait_for_load_state("networkidle")
    worst = 0.0
    for n in range(trials):
        number, _secret = cards.pop()
        passage_record(
            opening=world["opening"],
            code=number,
            direction="out",
            temperature=Decimal("38.4"),
            actor=world["volunteer"],
            client_id=uuid.uuid4(),
        )
        start = time.monotonic()
        page.wait_for_function(
            "n => document.querySelectorAll('#alert-poll-news li[data-kind=alert]').length > n",
            arg=n,
            timeout=60_000,
        )
        worst = max(worst, time.monotonic() - start)
    context.close()
    return round(worst, 1)


def _fake_camera(secret: str, path: Path) -> None:
    """A Y4M video of the card's QR for Chromium's fake camera (grey, 640×480)."""
    import segno

    width, height, scale = 640, 480, 8
    matrix = segno.make(secret, error="m").matrix
    size = len(matrix) * scale
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray([255]) * (width * height)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * width + left + x * scale
                    luma[start : start + scale] = bytes(scale)
    chroma = bytes([128]) * (width * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n" + frame * 10)


def _scan_taps(
    p: Any, url: str, world: dict[str, Any], trials: int, log: Callable[[str], None]
) -> dict[str, float | int | str]:
    number, secret = world["cards"][0]
    video = Path(tempfile.mkstemp(suffix=".y4m")[1])
    _fake_camera(secret, video)
    args = [
        *ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    log(f"browser: exits by scanning the card's QR with the fake camera ({trials}) …")
    taps: list[float] = []
    try:
        context = browser.new_context(viewport=PHONE, permissions=["camera"])
        page = context.new_page()
        _login(page, url, "bench-gate-volunteer", world["password"])
        page.goto(f"{url}/c/{world['compound'].pk}/gate/")
        page.wait_for_selector("body[data-snapshot]", state="attached", timeout=60_000)
        for _ in range(trials):
            page.fill("#card-input", "")
            page.click("#scan-btn")
            page.wait_for_function(
                "() => document.getElementById('card-input').value.length > 0", timeout=20_000
            )
            page.click(".temp-btn[data-temp='36.5']")
            page.click("#btn-out")
            page.wait_for_selector("#verdict", state="visible")
            taps.append(3.0)  # scan, reading, 出: nothing else was needed
            page.click("#verdict-next")
    except Exception as error:  # noqa: BLE001 (a camera that never reads: say so, go on)
        log(f"browser: the fake camera gave no card ({type(error).__name__}); figure left out")
        return {"gate_taps_exit_scan": "n/a"}
    finally:
        browser.close()
        video.unlink(missing_ok=True)
    return {"gate_taps_exit_scan": _median(taps)}


def _poll_ms(world: dict[str, Any], trials: int) -> float:
    client = Client(HTTP_HOST="localhost")
    client.force_login(world["secretary"])
    poll = reverse("checkpoints:alerts-poll", args=[world["compound"].pk])
    etag = client.get(poll)["ETag"]
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        response = client.get(poll, HTTP_IF_NONE_MATCH=etag)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 304
    return round(statistics.median(times), 2)
