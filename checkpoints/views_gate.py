"""The gate page a volunteer uses on a phone, and the service worker that keeps it
working offline.

The page itself only renders the shell: the compound's open openings, the fever line, the
API addresses and every sentence the script shows (translated here, never in the .js).
Cards are checked and passages recorded through the gate API (``checkpoints/api.py``).

Service workers run only on HTTPS or on localhost: on plain HTTP over a LAN the page
still works online, but it cannot open offline.
"""

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from checkpoints.errors import Reason, reason_message
from checkpoints.models import VisitorReason
from checkpoints.services import rules_for
from compounds import access
from compounds.models import Compound, Opening
from residents.models import Resident
from residents.validators import TEMPERATURE_MAX, TEMPERATURE_MIN

SERVICE_WORKER = "js/gate-sw.js"
# The upload queue, loaded by the page (<script>) and by the worker (importScripts).
QUEUE_SCRIPT = "js/gate-queue.js"
# What the service worker keeps for offline use besides the gate pages themselves.
OFFLINE_ASSETS = (
    "css/bastion.css",
    "css/gate.css",
    QUEUE_SCRIPT,
    "js/gate-rules.js",
    "js/gate.js",
    "js/bastion.js",
)
# Kept for offline use on their first use only: the QR decoder (57 KB compressed) is
# fetched when the camera is first opened on a browser without BarcodeDetector.
LAZY_ASSETS = ("vendor/jsqr/jsQR.js",)
_CARD_CODE_PLACEHOLDER = "CARDCODE"
_ID_PLACEHOLDER = 987654321


def _strings() -> dict[str, str]:
    """Every sentence gate.js may show, in the request's language."""
    return {
        "allowed": _("Allowed"),
        "denied": _("Denied"),
        "fever_entry": _("Fever on entry"),
        "fever_no_exit": _("Fever — no exit"),
        "fever_offline": _(
            "%(t)s °C is at or above the fever line (%(line)s °C): no exit. The record is "
            "kept on this phone; the branch is alerted when it is uploaded."
        ),
        "fever_entry_offline": _(
            "%(t)s °C is at or above the fever line (%(line)s °C): let the resident in and "
            "report it. The branch is alerted when the record is uploaded."
        ),
        "offline_title": _("Recorded offline"),
        "offline_message": _(
            "No network: the card could not be checked. The record is kept on this phone "
            "and will be checked when it is uploaded."
        ),
        "failed_title": _("Not accepted"),
        "failed_message": _("The server refused this record: %(detail)s"),
        # The server's code for a refusal that came without words (see gate-queue.js).
        "refused_recorded_too_old": _("the record is too old to be uploaded."),
        "refused_recorded_in_future": _(
            "the record's time is in the future: check this phone's date and time."
        ),
        "refused_client_id_conflict": _(
            "Another record was uploaded under this record's number: this one was not saved."
        ),
        "conflict_title": _("Clashes with an uploaded record"),
        # After the server's own words, which may advise telling the branch.
        "conflict_hint": _("If this passage did happen, send it as a new record."),
        "busy_title": _("Server busy"),
        "busy_message": _(
            "The server is busy: the card could not be checked. The record is kept on this "
            "phone and sent by itself in a moment."
        ),
        "busy_banner": _(
            "The server is busy: the records waiting on this phone are sent by themselves "
            "from %(time)s."
        ),
        "login_expired": _(
            "Your login has expired: log in again to upload the records waiting on this phone."
        ),
        "out": _("Out"),
        "in": _("In"),
        "status_pending": _("waiting"),
        "status_sent": _("sent"),
        "status_failed": _("refused"),
        "status_conflict": _("clash"),
        "late": _("uploaded late"),
        "retry": _("Send again"),
        "send_as_new": _("Send as a new record"),
        "no_records": _("No records from this phone today."),
        "other_user_pending": _(
            "%(count)s records of another login are waiting on this phone: they are sent "
            "when that person opens the gate page."
        ),
        "need_gate": _("Choose your opening first."),
        "need_card": _("Type the card number or scan the card first."),
        "need_temperature": _("Measure, then tap the reading."),
        "temperature_invalid": _(
            "Enter a reading between %(min)s and %(max)s °C with one decimal, e.g. 37.4."
        ),
        "card_checking": _("Checking the card…"),
        "card_unknown": _("No such card. Check the number, or ask the branch for a card."),
        # The card API answers a card of another compound as unknown (404); should a
        # page still tell the two apart, it says the same.
        "card_other_compound": _("No such card. Check the number, or ask the branch for a card."),
        "card_offline": _(
            "Offline: the card cannot be checked now. The record will be checked on upload."
        ),
        "card_error": _("The card could not be checked. You can still record the passage."),
        "may_go_out": _("May go out now"),
        "may_not_go_out": _("May not go out now"),
        "may_come_back": _("May come back in"),
        "may_not_pass": _("May not pass"),
        "exit_not_now": _("Going out is not allowed now: %(detail)s"),
        "out_now": _("Out now: %(names)s"),
        "out_now_entry": _("%(name)s since %(time)s"),
        "someone": _("one person"),
        "qr_card": _("QR card"),
        "camera_unavailable": _("No camera on this device: type the card number."),
        "camera_failed": _("The camera could not be opened: type the card number."),
        "online": _("Online"),
        "offline": _("Offline"),
        "offline_ready": _("Ready to work offline"),
        "allowed_out": _("May go out"),
        "allowed_in": _("May come in"),
        "allowed_work_pass": _("May go out (work pass)"),
        "decided_on_phone": _("Decided on this phone (no answer from the server)."),
        "decided_on_phone_short": pgettext("decided on", "phone"),
        "breach": _("server disagrees"),
        "cannot_decide": _("Cannot decide"),
        "cannot_decide_no_snapshot": _(
            "This phone holds no copy of the compound's cards yet: open the gate page once "
            "with a network."
        ),
        "cannot_decide_stale": _(
            "This phone's copy of the compound's cards is more than a day old."
        ),
        "cannot_decide_clock": _(
            "This phone's clock does not match the server's: set the date and time."
        ),
        "pick_who": _("Someone in this household is in home quarantine: tap who is going out."),
        "in_quarantine": _("in quarantine"),
        "need_visitor": _("Give the visitor's name."),
        "need_plate": _("Type the plate number first."),
        "trip_offline": _("Vehicles are recorded online only: record each person on foot."),
        "trip_mixed": _("Everyone in one vehicle goes the same way."),
        "vehicle_refused_in": _("The vehicle may not come in here: its people walk in."),
        "visitor": _("visitor"),
        "link_not_card": _(
            "This QR code is a link, not a pass card: scan the household's pass card."
        ),
        "age": _("%(age)s yrs"),
        "month_day": _("%(month)s/%(day)s"),
        "reason_quota_used": _("Last outing: %(last)s. Next allowed: %(next)s."),
        "reason_card_unknown": reason_message(Reason.CARD_UNKNOWN),
        "reason_card_revoked": reason_message(Reason.CARD_REVOKED),
        "reason_building_sealed": reason_message(Reason.BUILDING_SEALED),
        "reason_quarantined": reason_message(Reason.QUARANTINED),
        "reason_gate_sealed": reason_message(Reason.GATE_SEALED),
        "reason_vehicle_barred": reason_message(Reason.VEHICLE_BARRED),
        "storage_unavailable": _(
            "This browser cannot keep records on the phone: records are lost if the network "
            "is down. Use a normal (not private) browser window."
        ),
    }


def _config(request: HttpRequest, compound: Compound, openings: list[Opening]) -> dict[str, Any]:
    rules = rules_for(compound)
    return {
        "compound": compound.pk,
        "user": request.user.pk,
        "lang": get_language(),
        "feverLine": str(rules.fever_line),
        "tempMin": str(TEMPERATURE_MIN),
        "tempMax": str(TEMPERATURE_MAX),
        # Records older than this are refused on upload (recorded_too_old).
        "offlineMaxDays": settings.GATE_OFFLINE_MAX_DAYS,
        "openings": [{"id": o.pk, "name": o.name, "state": o.state} for o in openings],
        # Labels for the "who is going out" picker, in the request's language.
        "relations": {k: str(v) for k, v in Resident.Relation.choices},
        "sexes": {k: str(v) for k, v in Resident.Sex.choices},
        "urls": {
            # Asked about this compound only: another compound's card is "no such card".
            "card": reverse("card-detail", kwargs={"code": _CARD_CODE_PLACEHOLDER})
            + f"?compound={compound.pk}",
            "cardPlaceholder": _CARD_CODE_PLACEHOLDER,
            "passages": reverse("passage-list"),
            "snapshot": reverse("gate-snapshot", kwargs={"compound_id": compound.pk}),
            "trips": reverse("vehicle-trip"),
            "serviceWorker": reverse("checkpoints:service-worker"),
            "serviceWorkerScope": "/",
            "login": reverse("login"),
            # Loaded only when the browser has no BarcodeDetector and the camera is used.
            "jsqr": static("vendor/jsqr/jsQR.js"),
        },
    }


@login_required
@ensure_csrf_cookie  # gate.js reads the csrftoken cookie for its POSTs, also offline-loaded
@require_GET
# The page carries every sentence the script shows: 13 KB raw, 4 KB compressed, on a
# phone's first load. Django's gzip adds random padding against BREACH (since 4.2).
@gzip_page
def gate(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(
        request.user, Compound.objects.select_related("rules", "health_rules"), pk=compound_id
    )
    openings = list(compound.openings.exclude(state=Opening.State.SEALED).order_by("name"))
    rules = rules_for(compound)
    context = {
        "compound": compound,
        "openings": openings,
        "rules": rules,
        "quick_temperatures": [f"36.{n}" for n in range(1, 10)],
        "visitor_reasons": VisitorReason.choices,
        "config": _config(request, compound, openings),
        "strings": _strings(),
    }
    return render(request, "checkpoints/gate.html", context)


def _read(relative: str) -> bytes:
    path = finders.find(relative)
    return Path(path).read_bytes() if path else b""


@lru_cache(maxsize=4)
def _service_worker_source(
    stamp: tuple[tuple[str, int, int], ...], urls: tuple[str, ...], lazy: tuple[str, ...]
) -> str:
    # The version changes with any cached file, so that a new deployment replaces the
    # phone's copies (the browser compares the worker's bytes on each check).
    digest = hashlib.sha256(repr(urls).encode())
    for name, _mtime, _size in stamp:
        digest.update(_read(name))
    gate_url = reverse("checkpoints:gate", args=[_ID_PLACEHOLDER])
    gate_path = r"\d+".join(re.escape(part) for part in gate_url.split(str(_ID_PLACEHOLDER)))
    config = {
        "version": digest.hexdigest()[:16],
        "assets": list(urls),
        "lazyAssets": list(lazy),
        "gatePath": f"^{gate_path}$",
        "passagesUrl": reverse("passage-list"),
        "queueScript": static(QUEUE_SCRIPT),
        "loginUrl": reverse("login"),
        "logoutUrl": reverse("logout"),
    }
    source = _read(SERVICE_WORKER).decode()
    return f"const BASTION_GATE = {json.dumps(config)};\n{source}"


def _stamp(name: str) -> tuple[str, int, int]:
    path = finders.find(name)
    if not path:
        return (name, 0, 0)
    stat = Path(path).stat()
    return (name, stat.st_mtime_ns, stat.st_size)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """gate-sw.js from the site root, so that its scope may cover every gate page.

    No login: it holds no data, only the list of files to keep and the page addresses.
    """
    stamp = tuple(_stamp(name) for name in (SERVICE_WORKER, *OFFLINE_ASSETS, *LAZY_ASSETS))
    urls = tuple(static(name) for name in OFFLINE_ASSETS)
    lazy = tuple(static(name) for name in LAZY_ASSETS)
    response = HttpResponse(
        _service_worker_source(stamp, urls, lazy),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
