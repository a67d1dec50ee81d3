"""The API's token authentication: one hand-written query, the same answers as DRF's."""

from django.test import Client
from rest_framework.authtoken.models import Token

from compounds.authentication import FastTokenAuthentication


def test_it_loads_the_same_user_as_the_orm(volunteer):
    token = Token.objects.create(user=volunteer)
    user, key = FastTokenAuthentication().authenticate_credentials(token.key)
    assert key == token.key
    for field in (
        "pk",
        "username",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "password",
    ):
        assert getattr(user, field) == getattr(volunteer, field), field


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


def test_session_of_an_inactive_user_is_logged_out(volunteer, as_volunteer, compound_a):
    assert as_volunteer.get(f"/c/{compound_a.pk}/").status_code == 200
    volunteer.is_active = False
    volunteer.save()
    response = as_volunteer.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expired_session_is_logged_out(as_volunteer, compound_a):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = as_volunteer.get(f"/c/{compound_a.pk}/")
    assert response.status_code == 302


def test_session_keeps_its_data_between_requests(volunteer, client, compound_a):
    client.post("/accounts/login/", {"username": "volunteer", "password": "bastion-test"})
    assert client.get(f"/c/{compound_a.pk}/").status_code == 200
    assert client.get(f"/c/{compound_a.pk}/").status_code == 200
