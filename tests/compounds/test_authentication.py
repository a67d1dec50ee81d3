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
