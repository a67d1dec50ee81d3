"""Who is logged in: Django's database sessions and DRF's tokens, and the rules we rely on."""

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_backends
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from compounds.authentication import DeviceTokenAuthentication
from compounds.login_guard import LoginGuardBackend
from tests import factories as f

_OUR_APPS = ("bastion", "compounds", "checkpoints", "residents", "supplies")


def test_who_is_logged_in_is_decided_by_django_and_drf_not_by_our_code():
    # Hand-written SQL once loaded tokens, sessions and users here; a fast path in front
    # of authentication is a risk no check-in's millisecond is worth.
    deciders = [
        import_string(settings.SESSION_ENGINE + ".SessionStore"),
        *(type(backend) for backend in get_backends()),
        *api_settings.DEFAULT_AUTHENTICATION_CLASSES,
    ]
    for cls in deciders:
        if cls is DeviceTokenAuthentication:
            continue  # the per-device tokens issue 7 asks for: see the test below
        if cls is LoginGuardBackend:
            continue  # axes' lockout check, which only ever refuses: see the test below
        assert not cls.__module__.startswith(_OUR_APPS), cls
    assert issubclass(deciders[0], SessionBase)
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_the_login_guard_lets_no_one_in_it_only_refuses(volunteer, rf):
    # The one backend of ours: django-axes' lockout check, skipped for an authenticate()
    # without a request (a management command, a test client's login()).
    assert issubclass(LoginGuardBackend, AxesStandaloneBackend)
    request = rf.post("/accounts/login/")
    assert LoginGuardBackend().authenticate(None, username="volunteer", password="x") is None
    assert LoginGuardBackend().authenticate(request, username="volunteer", password="x") is None


def test_device_tokens_are_looked_up_by_the_orm_not_by_hand_written_sql():
    # Ours, but a plain ORM lookup by the token's hash in the capability helper: no raw SQL,
    # no cache in front of it, the user's is_active checked on every request.
    import inspect

    from compounds import authentication, capabilities

    for module in (authentication, capabilities):
        source = inspect.getsource(module)
        assert ".raw(" not in source and "cursor" not in source, module


def test_unknown_token_is_401(db):
    response = Client(HTTP_AUTHORIZATION="Token " + "0" * 40).get("/api/v1/compounds/")
    assert response.status_code == 401


def test_token_of_an_inactive_user_is_refused(volunteer):
    token = Token.objects.create(user=volunteer)
    volunteer.is_active = False
    volunteer.save()
    response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/compounds/")
    assert response.status_code == 401


def test_token_of_an_active_user_lists_their_compounds(volunteer, compound_a, compound_b):
    token = Token.objects.create(user=volunteer)
    data = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/compounds/").json()
    assert [c["id"] for c in data["results"]] == [compound_a.pk]


def test_token_of_an_inactive_superuser_sees_nothing(db, compound_a):
    root = f.user("root", is_superuser=True, is_staff=True, is_active=False)
    token = Token.objects.create(user=root)
    response = Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/compounds/")
    assert response.status_code == 401


def test_session_of_a_deactivated_user_is_ended(volunteer, as_volunteer, compound_a):
    assert as_volunteer.get(f"/c/{compound_a.pk}/").status_code == 200
    volunteer.is_active = False
    volunteer.save()
    response = as_volunteer.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_session_of_a_deactivated_user_cannot_record_at_the_gate(
    volunteer, as_volunteer, gate_a, household_a
):
    card = f.card(household=household_a)
    volunteer.is_active = False
    volunteer.save()
    response = as_volunteer.post(
        "/api/v1/passages/",
        {
            "gate": gate_a.pk,
            "card": card.number,
            "direction": "out",
            "temperature": "36.5",
            "client_id": "0f8f6a4e-3f0a-4a47-9a51-0c3b0f3d2c11",
        },
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not card.household.passages.exists()


def test_session_ends_when_the_password_is_changed_elsewhere(volunteer, as_volunteer, compound_a):
    volunteer.set_password("a-new-password-2022")
    volunteer.save()
    response = as_volunteer.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expired_session_is_logged_out(as_volunteer, compound_a):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = as_volunteer.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 302


def test_session_keeps_its_data_between_requests(volunteer, client, compound_a):
    client.post("/accounts/login/", {"username": "volunteer", "password": "bastion-test"})
    assert client.get(f"/c/{compound_a.pk}/").status_code == 200
    assert client.get(f"/c/{compound_a.pk}/").status_code == 200
