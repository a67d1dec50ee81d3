"""Logins that resist guessing: the per-address limit before hashing, the per-pair lockout
with its growing cool-off, the access logs, sessions and logging out everywhere."""

from collections import Counter
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from compounds.models import AuditEntry
from tests import factories as f

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _empty_shared_cache(db):
    cache.clear()


def attempt(username: str, password: str, address: str = "203.0.113.5"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def hashes():
    """Counts password hashes (checks and the dummy hash for unknown users)."""
    calls = {"n": 0}
    real_verify, real_encode = MD5PasswordHasher.verify, MD5PasswordHasher.encode

    def verify(self, password, encoded):
        calls["n"] += 1
        return real_verify(self, password, encoded)

    def encode(self, password, salt):
        calls["n"] += 1
        return real_encode(self, password, salt)

    with (
        mock.patch.object(MD5PasswordHasher, "verify", verify),
        mock.patch.object(MD5PasswordHasher, "encode", encode),
    ):
        yield calls


def test_an_address_over_its_limit_gets_429_before_any_hash(volunteer, settings, hashes):
    settings.LOGIN_ATTEMPTS, settings.LOGIN_ATTEMPT_WINDOW = 3, 3600
    statuses = [attempt(f"someone{n}", "wrong-password").status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    hashed = hashes["n"]
    refused = attempt("volunteer", f.PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert hashes["n"] == hashed  # the right password was not even checked
    assert attempt("volunteer", f.PASSWORD, address="198.51.100.7").status_code == 302


def test_the_admin_login_counts_against_the_same_limit(settings, db):
    settings.LOGIN_ATTEMPTS, settings.LOGIN_ATTEMPT_WINDOW = 1, 3600
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 200
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 429


def test_the_fifth_wrong_password_locks_the_account_out_from_that_address(volunteer, hashes):
    statuses = [attempt("volunteer", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    hashed = hashes["n"]
    locked = attempt("volunteer", f.PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 5 * 60
    assert hashes["n"] == hashed  # a locked-out pair is refused before hashing


def test_the_lockout_holds_for_the_pair_only(volunteer, secretary):
    for _ in range(5):
        attempt("volunteer", "wrong-password", address="203.0.113.5")
    # The same volunteer from another network, and a colleague behind the same address.
    assert attempt("volunteer", f.PASSWORD, address="198.51.100.7").status_code == 302
    assert attempt("secretary", f.PASSWORD, address="203.0.113.5").status_code == 302


def test_each_new_lockout_of_the_same_pair_doubles_the_cool_off(volunteer):
    waits = []
    for _ in range(3):
        for _ in range(5):
            response = attempt("volunteer", "wrong-password")
        waits.append(int(response["Retry-After"]))
        # The cool-off runs out: axes' failure counter expires, the strike count stays.
        for key in [k for k in _cache_keys() if k.startswith("axes-")]:
            cache.delete(key)
    assert waits == [300, 600, 1200]


def _cache_keys() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM bastion_cache")
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]


def test_the_lockout_page_is_in_the_sites_layout(volunteer):
    for _ in range(5):
        response = attempt("volunteer", "wrong-password")
    body = response.content.decode()
    assert 'class="topbar"' in body and "Login locked for a while" in body


def test_logins_failures_and_the_start_of_a_lockout_are_in_the_audit_trail(volunteer):
    attempt("volunteer", f.PASSWORD)
    for _ in range(6):
        attempt("volunteer", "wrong-password", address="198.51.100.7")
    entries = list(
        AuditEntry.objects.filter(action__startswith="login")
        .order_by("pk")
        .values_list("action", "changes")
    )
    actions = [a for a, _ in entries]
    # The sixth failure, refused without a hash, is a failure all the same.
    assert Counter(actions) == {"login": 1, "login_failed": 6, "login_locked_out": 1}
    assert entries[0][1] == {"ip": "203.0.113.5"}
    lockout = dict(entries)["login_locked_out"]
    assert lockout == {"ip": "198.51.100.7", "minutes": 5}


def test_a_proxys_forwarded_address_counts_only_when_a_proxy_is_declared(volunteer, settings):
    settings.LOGIN_ATTEMPTS, settings.LOGIN_ATTEMPT_WINDOW = 1, 3600
    spoofing = Client(REMOTE_ADDR="203.0.113.5")
    spoofing.post(LOGIN, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="10.0.0.1")
    other = {"HTTP_X_FORWARDED_FOR": "10.0.0.2"}
    assert spoofing.post(LOGIN, {"username": "x", "password": "y"}, **other).status_code == 429
    settings.PROXY_COUNT = 1
    behind_proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert behind_proxy.post(LOGIN, {"username": "x", "password": "y"}, **other).status_code == 200


def test_sessions_end_after_a_working_day(volunteer, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    response = attempt("volunteer", f.PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600


def test_log_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(volunteer, secretary):
    phone, laptop, colleague = Client(), Client(), Client()
    phone.force_login(volunteer)
    laptop.force_login(volunteer)
    colleague.force_login(secretary)
    response = phone.post("/accounts/logout-everywhere/")
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302  # back to the login page
    assert phone.get("/").status_code == 302
    assert colleague.get("/accounts/").status_code == 200
    assert Session.objects.count() == 1


def test_log_out_everywhere_is_post_only(as_volunteer):
    assert as_volunteer.get("/accounts/logout-everywhere/").status_code == 405


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(volunteer):
    here, elsewhere = Client(), Client()
    here.force_login(volunteer)
    elsewhere.force_login(volunteer)
    new = "a-much-longer-passphrase-7"
    response = here.post(
        "/accounts/password/",
        {"old_password": f.PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert here.get("/accounts/").status_code == 200
    assert elsewhere.get("/accounts/").status_code == 302
    assert Session.objects.count() == 1


@pytest.mark.parametrize("password", ["short-pw1", "1234567890123", "password123"])
def test_weak_passwords_are_refused(volunteer, password):
    with pytest.raises(ValidationError):
        validate_password(password, volunteer)


def test_a_ten_character_passphrase_is_accepted(volunteer):
    validate_password("gate-south-7", volunteer)
