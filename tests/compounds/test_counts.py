"""Counts an app registers for the kernel's models show in the API and the admin."""

import pytest
from django.urls import reverse

from compounds import counts
from compounds.models import Building, Compound, Opening
from compounds.office import office_group
from tests import factories as f


@pytest.fixture
def opening_count():
    counts.register(Compound, counts.Count("opening_count", "openings", Opening, "compound"))
    yield
    counts.unregister(Compound, "opening_count")


def test_residents_registers_its_counts_without_the_kernel_importing_it():
    assert counts.names(Compound) == ["household_count", "resident_count"]
    assert counts.names(Building) == ["household_count"]


def test_a_registered_count_is_an_api_field_to_sort_by(
    opening_count, as_officer, compound_a, compound_b
):
    f.opening(compound=compound_b, name="东口")
    f.opening(compound=compound_b, name="西口")
    f.opening(compound=compound_a, name="南门")
    rows = as_officer.get("/api/v1/compounds/", {"ordering": "-opening_count"}).json()["results"]
    assert [(r["name"], r["opening_count"]) for r in rows] == [("南嘉商业城", 2), ("绿景水岸", 1)]
    rows = as_officer.get("/api/v1/compounds/", {"ordering": "opening_count"}).json()["results"]
    assert [r["name"] for r in rows] == ["绿景水岸", "南嘉商业城"]


def test_a_registered_count_is_an_admin_column(opening_count, officer, client, compound_a):
    officer.groups.add(office_group())
    client.force_login(officer)
    f.opening(compound=compound_a, name="南门")
    response = client.get(reverse("admin:compounds_compound_changelist"), {"o": "-8"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="sortable column-opening_count sorted descending"' in body
    assert 'class="field-opening_count">1<' in body


def test_building_list_counts_households(as_officer, household_a, building_a):
    rows = as_officer.get("/api/v1/buildings/").json()["results"]
    assert [(r["number"], r["household_count"]) for r in rows] == [("20", 1)]
