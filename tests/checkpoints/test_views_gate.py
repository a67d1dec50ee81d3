"""The gate page and its service worker, for the fixed cast."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from checkpoints.models import CompoundRules
from residents.models import HealthRules
from tests import factories as f

pytestmark = pytest.mark.django_db


def _gate_url(compound) -> str:
    return reverse("checkpoints:gate", args=[compound.pk])


def _blob(response, element_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("client_name", ["as_volunteer", "as_secretary", "as_officer"])
def test_gate_page_opens_for_everyone_in_the_compound(request, client_name, compound_a, gate_a):
    client = request.getfixturevalue(client_name)
    response = client.get(_gate_url(compound_a))
    assert response.status_code == 200
    assert response.templates[0].name == "checkpoints/gate.html"
    assert 'id="card-input"' in response.content.decode()


def test_gate_page_of_another_compound_is_not_found(as_volunteer_b, compound_a, gate_a):
    assert as_volunteer_b.get(_gate_url(compound_a)).status_code == 404


def test_gate_page_of_a_missing_compound_is_not_found(as_officer, compound_a):
    assert as_officer.get(reverse("checkpoints:gate", args=[999_999])).status_code == 404


def test_anonymous_is_sent_to_login(client, compound_a):
    response = client.get(_gate_url(compound_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_gate_page_lists_only_openings_that_are_not_sealed(as_volunteer, compound_a, gate_a):
    emergency = f.opening(compound=compound_a, name="北侧应急通道", state="emergency")
    sealed = f.opening(compound=compound_a, name="西侧小门", state="sealed")
    response = as_volunteer.get(_gate_url(compound_a))
    ids = {o["id"] for o in _blob(response, "gate-config")["openings"]}
    assert ids == {gate_a.pk, emergency.pk}
    assert [o.pk for o in response.context["openings"]] == [emergency.pk, gate_a.pk]
    html = response.content.decode()
    assert f'data-opening="{gate_a.pk}"' in html
    assert f'data-opening="{sealed.pk}"' not in html


def test_gate_page_does_not_list_other_compounds_openings(as_officer, compound_a, gate_a, gate_b):
    response = as_officer.get(_gate_url(compound_a))
    assert [o["id"] for o in _blob(response, "gate-config")["openings"]] == [gate_a.pk]


def test_gate_page_carries_the_compound_fever_line_and_api_urls(
    as_volunteer, volunteer, compound_a, gate_a
):
    HealthRules.objects.filter(compound=compound_a).update(fever_line=Decimal("37.0"))
    config = _blob(as_volunteer.get(_gate_url(compound_a)), "gate-config")
    assert config["feverLine"] == "37.0"
    assert config["compound"] == compound_a.pk
    assert config["user"] == volunteer.pk
    assert config["urls"]["passages"] == reverse("passage-list")
    card_url = config["urls"]["card"].replace(config["urls"]["cardPlaceholder"], "K7P3QX")
    # The card preview asks about this compound only: any other card is "no such card".
    path = reverse("card-detail", kwargs={"code": "K7P3QX"})
    assert card_url == f"{path}?compound={compound_a.pk}"
    assert config["urls"]["serviceWorker"] == "/gate-sw.js"


def test_gate_page_uses_default_rules_when_none_were_saved(as_volunteer, compound_a, gate_a):
    CompoundRules.objects.filter(compound=compound_a).delete()
    HealthRules.objects.filter(compound=compound_a).delete()
    config = _blob(as_volunteer.get(_gate_url(compound_a)), "gate-config")
    assert config["feverLine"] == "37.3"


def test_gate_page_passes_translated_strings_to_the_script(as_volunteer, compound_a, gate_a):
    as_volunteer.cookies["django_language"] = "en"
    strings = _blob(as_volunteer.get(_gate_url(compound_a)), "gate-strings")
    for key in ("allowed", "denied", "fever_no_exit", "offline_title", "temperature_invalid"):
        assert strings[key]
    assert strings["out"] == "Out"


def test_gate_page_sets_the_csrf_cookie_for_the_script(as_volunteer, compound_a, gate_a):
    response = as_volunteer.get(_gate_url(compound_a))
    assert "csrftoken" in response.cookies


def test_gate_page_offers_quick_readings_from_36_1_to_36_9(as_volunteer, compound_a, gate_a):
    html = as_volunteer.get(_gate_url(compound_a)).content.decode()
    for tenth in range(1, 10):
        assert f'data-temp="36.{tenth}"' in html


def test_service_worker_is_served_as_javascript_from_the_root(client):
    response = client.get("/gate-sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith("const BASTION_GATE = ")
    assert 'addEventListener("fetch"' in body


def test_service_worker_lists_the_files_it_keeps_offline(client):
    body = client.get(reverse("checkpoints:service-worker")).content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("const BASTION_GATE = ").rstrip(";"))
    assert "/static/js/gate.js" in config["assets"]
    assert "/static/css/gate.css" in config["assets"]
    assert "/static/js/gate-rules.js" in config["assets"]
    # The QR decoder is kept on its first use, not downloaded at the first visit.
    assert "/static/vendor/jsqr/jsQR.js" not in config["assets"]
    assert "/static/vendor/jsqr/jsQR.js" in config["lazyAssets"]
    assert config["passagesUrl"] == reverse("passage-list")
    assert len(config["version"]) == 16


def test_page_and_service_worker_load_the_same_queue_script(as_volunteer, compound_a, gate_a):
    body = as_volunteer.get(reverse("checkpoints:service-worker")).content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("const BASTION_GATE = ").rstrip(";"))
    assert config["queueScript"] == "/static/js/gate-queue.js"
    assert config["queueScript"] in config["assets"]  # the page's copy works offline too
    assert "importScripts(BASTION_GATE.queueScript)" in body
    html = as_volunteer.get(_gate_url(compound_a)).content.decode()
    assert html.index('src="/static/js/gate-queue.js"') < html.index('src="/static/js/gate.js"')


def test_service_worker_gate_path_matches_gate_pages_only(client, compound_a):
    body = client.get("/gate-sw.js").content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("const BASTION_GATE = ").rstrip(";"))
    pattern = re.compile(config["gatePath"])
    assert pattern.match(_gate_url(compound_a))
    assert not pattern.match(reverse("checkpoints:log", args=[compound_a.pk]))


def test_vendored_qr_decoder_is_served_from_our_static_files(client):
    response = client.get("/static/vendor/jsqr/jsQR.js")
    assert response.status_code == 200
    assert b"jsQR" in b"".join(response.streaming_content)


def test_gate_page_never_tells_a_card_of_another_compound_from_no_card(
    as_volunteer, compound_a, gate_a
):
    strings = _blob(as_volunteer.get(_gate_url(compound_a)), "gate-strings")
    assert "another compound" not in " ".join(strings.values())
