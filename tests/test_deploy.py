"""What a server needs before it meets the public: error pages in the site's layout, the
content security policy, request size limits and `check --deploy`."""

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from checkpoints.models import Passage

ROOT = Path(__file__).resolve().parents[1]


def test_the_403_page_is_in_the_sites_layout(as_volunteer, compound_a):
    response = as_volunteer.get(f"/c/{compound_a.pk}/import/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="topbar"' in body and "You may not do this" in body


def test_the_404_page_is_in_the_sites_layout(as_volunteer):
    response = as_volunteer.get("/no-such-page/")
    assert response.status_code == 404
    assert 'class="topbar"' in response.content.decode()
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_database_or_a_request():
    # No database here: pytest-django fails any query in a test without the db mark.
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert 'lang="zh-hans"' in body and 'class="topbar"' in body and "500" in body


def test_an_expired_form_gets_the_sites_page_not_djangos(volunteer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "volunteer", "password": "x"})
    assert response.status_code == 403
    assert "This page has expired" in response.content.decode()


def test_every_page_has_a_content_security_policy_without_inline_script(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:", re.I
)


def test_no_template_has_inline_script_style_or_handlers():
    templates = [
        path
        for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
        for path in folder.rglob("*.html")
    ]
    assert templates
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_body_over_the_limit_is_refused_from_its_length_alone(as_volunteer, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = as_volunteer.post("/api/v1/passages/", "x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    page = as_volunteer.post("/accounts/login/", {"username": "y" * 2000})
    assert page.status_code == 413 and 'class="topbar"' in page.content.decode()


def test_an_oversized_json_body_is_refused_and_stores_nothing(as_volunteer, gate_a, household_a):
    from tests import factories as f

    card = f.card(household=household_a)
    body = json.dumps(
        {
            "gate": gate_a.pk,
            "card": card.number,
            "direction": "out",
            "temperature": 36.5,
            "client_id": str(uuid.uuid4()),
            "padding": "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        }
    )
    response = as_volunteer.post("/api/v1/passages/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert Passage.objects.count() == 0


# An Excel file over IMPORT_MAX_BYTES: tests/residents/test_excel.py.


def deploy_check(**env: str) -> set[str]:
    """The ids of the warnings of `manage.py check --deploy` under production settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE"))}
    environment.update(
        DEBUG="0",
        SECRET_KEY="deploy-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ALLOWED_HOSTS="bastion.example.org",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


@pytest.mark.parametrize(
    ("secure", "expected"),
    [
        ("1", set()),
        # Plain HTTP: exactly the four HTTPS warnings that the README explains.
        ("0", {"security.W004", "security.W008", "security.W012", "security.W016"}),
    ],
)
def test_check_deploy_warns_about_https_only_and_only_without_it(secure, expected):
    assert deploy_check(SECURE=secure) == expected


def test_make_load_drives_only_a_server_on_loopback(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="loopback only"):
        call_command("load", url="http://192.0.2.10:8000", seconds=1)
