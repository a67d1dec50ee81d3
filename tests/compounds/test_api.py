"""Registry API, read side: /api/v1/compounds/, /buildings/, /openings/, and the schema."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from tests import factories as f


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def outsider_compound(db):
    other = f.community("城北社区")
    compound = f.compound(community=other, name="外区花园")
    f.building(compound=compound, number="9")
    f.opening(compound=compound, name="外区北门")
    return compound


# --- who sees what ----------------------------------------------------------------------


def test_officer_lists_every_compound_of_their_community_only(
    as_officer, compound_a, compound_b, outsider_compound
):
    response = as_officer.get("/api/v1/compounds/")
    assert response.status_code == 200
    assert ids(response) == {compound_a.pk, compound_b.pk}


@pytest.mark.parametrize("who", ["as_secretary", "as_volunteer"])
def test_compound_a_team_lists_only_compound_a(request, who, compound_a, compound_b):
    response = request.getfixturevalue(who).get("/api/v1/compounds/")
    assert ids(response) == {compound_a.pk}


def test_volunteer_of_b_does_not_see_a_in_lists(as_volunteer_b, building_a, gate_a, building_b):
    assert building_a.pk not in ids(as_volunteer_b.get("/api/v1/buildings/"))
    assert ids(as_volunteer_b.get("/api/v1/buildings/")) == {building_b.pk}
    assert gate_a.pk not in ids(as_volunteer_b.get("/api/v1/openings/"))


@pytest.mark.parametrize(
    "url",
    ["/api/v1/compounds/{compound}/", "/api/v1/buildings/{building}/", "/api/v1/openings/{gate}/"],
)
def test_volunteer_of_b_gets_404_for_objects_of_a(as_volunteer_b, building_a, gate_a, url):
    path = url.format(compound=building_a.compound_id, building=building_a.pk, gate=gate_a.pk)
    assert as_volunteer_b.get(path).status_code == 404


@pytest.mark.parametrize("who", ["as_officer", "as_secretary", "as_volunteer"])
def test_cast_of_a_reads_building_and_gate_of_a(request, who, building_a, gate_a):
    client = request.getfixturevalue(who)
    building = client.get(f"/api/v1/buildings/{building_a.pk}/")
    assert building.status_code == 200 and building.json()["number"] == "20"
    assert client.get(f"/api/v1/openings/{gate_a.pk}/").json()["name"] == "南门"


@pytest.mark.parametrize("url", ["/api/v1/compounds/", "/api/v1/buildings/", "/api/v1/openings/"])
def test_anonymous_is_refused(client, compound_a, url):
    assert client.get(url).status_code == 401


def test_user_without_a_role_sees_nothing(compound_a, building_a):
    c = Client()
    c.force_login(f.user("nobody"))
    assert c.get("/api/v1/compounds/").json()["count"] == 0
    assert c.get(f"/api/v1/buildings/{building_a.pk}/").status_code == 404


def test_token_auth_reads_the_registry(volunteer, compound_a):
    token = Token.objects.create(user=volunteer)
    c = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = c.get("/api/v1/compounds/")
    assert response.status_code == 200 and ids(response) == {compound_a.pk}


def test_bad_token_is_401(compound_a):
    c = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert c.get("/api/v1/compounds/").status_code == 401


# --- content, filters, pagination -------------------------------------------------------


def test_compound_carries_its_counts(as_officer, household_a, resident_a, household_b):
    f.resident(household=household_a, name="张大流")
    rows = {r["name"]: r for r in as_officer.get("/api/v1/compounds/").json()["results"]}
    assert rows["绿景水岸"]["household_count"] == 1
    assert rows["绿景水岸"]["resident_count"] == 2
    assert rows["绿景水岸"]["building_count"] == 1
    assert rows["南嘉商业城"]["three_without"] is True
    assert rows["南嘉商业城"]["community_name"] == "春龙社区"


def test_buildings_filter_by_compound_and_seal(as_officer, building_a, building_b):
    sealed = f.building(compound=building_a.compound, number="21", sealed=True)
    assert ids(as_officer.get(f"/api/v1/buildings/?compound={building_b.compound_id}")) == {
        building_b.pk
    }
    assert ids(as_officer.get("/api/v1/buildings/?sealed=true")) == {sealed.pk}


def test_openings_filter_by_state(as_officer, gate_a, gate_b):
    sealed = f.opening(compound=gate_a.compound, name="车库出口", state="sealed")
    assert ids(as_officer.get("/api/v1/openings/?state=sealed")) == {sealed.pk}


def test_compounds_search_by_name(as_officer, compound_a, compound_b):
    assert ids(as_officer.get("/api/v1/compounds/?search=绿景")) == {compound_a.pk}


def test_filtering_on_a_compound_the_user_cannot_see_is_a_bad_choice(
    as_volunteer_b, compound_a, building_b
):
    response = as_volunteer_b.get(f"/api/v1/buildings/?compound={compound_a.pk}")
    assert response.status_code == 400
    assert "compound" in response.json()


def test_buildings_are_paginated(as_volunteer, compound_a, django_assert_max_num_queries):
    for n in range(55):
        f.building(compound=compound_a, number=str(100 + n))
    with django_assert_max_num_queries(8):
        first = as_volunteer.get("/api/v1/buildings/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["next"]
    second = as_volunteer.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None


def test_registry_places_are_read_only(as_secretary, compound_a, building_a):
    assert as_secretary.post("/api/v1/buildings/", {"number": "99"}).status_code == 405
    assert (
        as_secretary.patch(
            f"/api/v1/buildings/{building_a.pk}/", {"sealed": True}, content_type="application/json"
        ).status_code
        == 405
    )


def test_non_numeric_id_is_404(as_officer, compound_a):
    assert as_officer.get("/api/v1/compounds/abc/").status_code == 404


# --- schema and docs --------------------------------------------------------------------


def test_schema_lists_the_registry_endpoints(as_officer):
    response = as_officer.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("compounds", "buildings", "openings", "households", "residents"):
        assert f"/api/v1/{path}/" in paths and f"/api/v1/{path}/{{id}}/" in paths


def test_schema_generates_without_warnings(db):
    out, err = StringIO(), StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "/api/v1/residents/" in out.getvalue()
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue()


def test_swagger_ui_is_served_without_a_cdn(as_officer):
    response = as_officer.get("/api/docs/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in text
    assert "cdn.jsdelivr" not in text and "unpkg.com" not in text
