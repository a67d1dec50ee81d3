"""The API answers in JSON with a code, whatever goes wrong: bad bodies, unknown paths,
a database outage (503 with Retry-After, what the gate page's offline queue waits for)."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError
from django.test import Client

from compounds import access
from compounds.api_errors import RETRY_AFTER_SECONDS
from compounds.parsers import MAX_DEPTH


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("url", ["/api/v1/passages/", "/api/v1/households/", "/api/v1/residents/"])
@pytest.mark.parametrize("depth", [100_000, MAX_DEPTH + 1])
def test_deeply_nested_json_is_refused_with_a_code(as_secretary, url, depth):
    response = as_secretary.post(url, nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_json_nested_within_the_limit_reaches_the_serializer(as_secretary):
    response = as_secretary.post(
        "/api/v1/passages/", nested(MAX_DEPTH), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json().get("code") != "json_too_deep"


def test_malformed_json_answers_a_code(as_volunteer):
    response = as_volunteer.post("/api/v1/passages/", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_field_errors_come_with_a_code_and_their_messages_as_detail(as_volunteer, gate_a):
    response = as_volunteer.post(
        "/api/v1/passages/", {"gate": gate_a.pk, "card": "1"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["direction"] == ["This field is required."]
    assert "This field is required." in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nothing", "/api/v1/compounds/abc/"])
def test_unknown_api_path_answers_json_404(as_volunteer, path):
    response = as_volunteer.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_unknown_page_outside_the_api_stays_a_page(as_volunteer):
    response = as_volunteer.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_an_api_404_from_a_view_carries_a_code(as_volunteer_b, compound_a):
    response = as_volunteer_b.get(f"/api/v1/compounds/{compound_a.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _outage(*args, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def _assert_database_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "database_unavailable"


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_outage_in_an_api_view_answers_503_with_retry_after(
    as_volunteer, monkeypatch, error
):
    def down(*args, **kwargs):
        raise error("connection already closed")

    monkeypatch.setattr(access, "visible_compound_ids", down)
    _assert_database_unavailable(as_volunteer.get("/api/v1/compounds/"))


def test_database_outage_on_a_check_in_answers_503(as_volunteer, gate_a, monkeypatch):
    from checkpoints import gate_sql

    monkeypatch.setattr(gate_sql, "opening_for_gate", _outage)
    response = as_volunteer.post(
        "/api/v1/passages/",
        {
            "gate": gate_a.pk,
            "card": "123456789",
            "direction": "out",
            "temperature": 36.6,
            "client_id": "0b0c8f5e-5d0e-4d3e-9d8e-1f2a3b4c5d6e",
        },
        content_type="application/json",
    )
    _assert_database_unavailable(response)


def test_database_outage_while_loading_the_session_answers_503(volunteer, monkeypatch):
    """The session is read in middleware, outside any API view."""
    client = Client(raise_request_exception=False)
    client.force_login(volunteer)
    monkeypatch.setattr(SessionMiddleware, "process_request", lambda self, request: _outage())
    _assert_database_unavailable(client.get("/api/v1/compounds/"))


def test_other_errors_outside_a_view_answer_json_500(volunteer, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(volunteer)

    def broken(self, request):
        raise RuntimeError("bug")

    monkeypatch.setattr(SessionMiddleware, "process_request", broken)
    response = client.get("/api/v1/compounds/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_database_outage_on_a_page_is_not_answered_as_json(volunteer, compound_a, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(volunteer)
    monkeypatch.setattr(SessionMiddleware, "process_request", lambda self, request: _outage())
    response = client.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
