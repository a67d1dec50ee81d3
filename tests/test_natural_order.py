"""One order of buildings, units and rooms everywhere: 2 before 10, 1-1-101 before 1-1-1002.

The order itself is tested in ``tests/compounds/test_ordering.py``; this module checks
that every list of buildings, units and households uses it: models, selectors, forms,
pages, the API, the admin, the cards and the Excel export.
"""

import io
from datetime import date

import pytest
from django.contrib import admin as django_admin
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from checkpoints import selectors as gate_selectors
from compounds.models import Building, Unit
from compounds.office import office_group
from residents import selectors
from residents.forms import HouseholdForm
from residents.models import Household, Resident
from tests import factories as f

BUILDINGS = ["1", "2", "10", "A3", "B", "商业1"]
ADDRESSES = ["1-1-101", "1-1-1002", "1-2-101", "2-301", "10-101", "A3-1", "商业1-2"]


@pytest.fixture
def places(compound_a):
    """Buildings, units and households created out of order, one resident each."""
    buildings = {n: f.building(compound=compound_a, number=n) for n in reversed(BUILDINGS)}
    units = {n: f.unit(building=buildings["1"], number=n) for n in ("2", "1")}
    for address in reversed(ADDRESSES):
        parts = address.split("-")
        unit = units[parts[1]] if len(parts) == 3 else None
        household = f.household(building=buildings[parts[0]], unit=unit, room=parts[-1])
        f.resident(household=household, name=f"住{address}")
    return compound_a


def addresses(households) -> list[str]:
    return [h.address for h in households]


# --- Models and selectors ---------------------------------------------------------


def test_model_orderings_are_natural(places):
    assert [b.number for b in places.buildings.all()] == BUILDINGS
    assert addresses(Household.objects.filter(compound=places)) == ADDRESSES
    assert [r.household.address for r in Resident.objects.filter(household__compound=places)] == (
        ADDRESSES
    )
    units = Unit.objects.filter(building__compound=places)
    assert [u.number for u in units] == ["1", "2"]


def test_selectors_list_buildings_and_households_naturally(places):
    assert [b.number for b in selectors.buildings_with_counts(compound=places)] == BUILDINGS
    assert addresses(selectors.households_for(compound=places)) == ADDRESSES
    assert [r.household.address for r in selectors.residents_of(places)] == ADDRESSES
    found = selectors.household_search(compound=places, query="住", full_phones=True)
    assert addresses(found) == ADDRESSES


def test_returnees_of_one_day_are_in_address_order(places):
    Resident.objects.filter(household__compound=places).update(
        returnee=True, returned_on=date(2022, 4, 1)
    )
    rows = selectors.returnees(compound=places)
    assert [r.household.address for r in rows] == ADDRESSES


def test_python_key_agrees_with_the_database(places):
    households = list(Household.objects.filter(compound=places).order_by("?"))
    assert addresses(sorted(households, key=lambda h: h.address_key)) == ADDRESSES


def test_household_form_offers_buildings_and_units_naturally(places):
    form = HouseholdForm(compound=places)
    assert [b.number for b in form.fields["building"].queryset] == BUILDINGS
    assert [u.number for u in form.fields["unit"].queryset] == ["1", "2"]


# --- Pages, cards and the export -------------------------------------------------


def test_pages_list_buildings_and_households_naturally(places, as_secretary):
    page = as_secretary.get(reverse("residents:buildings", args=[places.pk]))
    assert [b.number for b in page.context["buildings"]] == BUILDINGS
    page = as_secretary.get(reverse("residents:households", args=[places.pk]))
    assert addresses(page.context["page"].object_list) == ADDRESSES


def test_cards_list_and_print_sheet_are_in_walking_order(places):
    for household in Household.objects.filter(compound=places):
        f.card(household=household)
    assert addresses(gate_selectors.households_with_cards(compound=places)) == ADDRESSES
    cards = gate_selectors.cards_for_print(compound=places)
    assert [c.household.address for c in cards] == ADDRESSES


def test_excel_export_is_in_address_order(places, as_secretary):
    response = as_secretary.get(reverse("residents:export", args=[places.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, max_col=3, values_only=True))
    exported = ["-".join(str(c) for c in row if c not in (None, "")) for row in rows]
    assert exported == ADDRESSES


# --- API -----------------------------------------------------------------------------


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def api_addresses(response) -> list[str]:
    return [row["address"] for row in response.json()["results"]]


def test_api_lists_buildings_naturally(places, as_secretary):
    assert numbers(as_secretary.get("/api/v1/buildings/")) == BUILDINGS
    assert numbers(as_secretary.get("/api/v1/buildings/?ordering=number")) == BUILDINGS
    assert numbers(as_secretary.get("/api/v1/buildings/?ordering=-number")) == BUILDINGS[::-1]


def test_api_lists_households_naturally(places, as_secretary):
    assert api_addresses(as_secretary.get("/api/v1/households/")) == ADDRESSES
    by_building = api_addresses(as_secretary.get("/api/v1/households/?ordering=-building__number"))
    assert [a.split("-")[0] for a in by_building] == ["商业1", "A3", "10", "2", "1", "1", "1"]
    by_room = api_addresses(as_secretary.get("/api/v1/households/?ordering=room"))
    assert by_room.index("10-101") < by_room.index("2-301") < by_room.index("1-1-1002")


def test_api_lists_residents_in_address_order(places, as_secretary):
    rows = as_secretary.get("/api/v1/residents/").json()["results"]
    assert [r["name"] for r in rows] == [f"住{a}" for a in ADDRESSES]


# --- Admin ---------------------------------------------------------------------------


def changelist(client, model, **params):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.get(url, params).context["cl"]


def column(model, name, user) -> str:
    """The admin's ``o=`` value that sorts by the column ``name``."""
    request = RequestFactory().get("/")
    request.user = user
    model_admin = django_admin.site._registry[model]
    names = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):  # the changelist puts the checkbox column first
        names.insert(0, "action_checkbox")
    return str(names.index(name))


@pytest.fixture
def as_staff_officer(officer):
    officer.groups.add(office_group())
    client = Client()
    client.force_login(officer)
    return client


def test_admin_lists_are_natural(places, as_staff_officer):
    cl = changelist(as_staff_officer, Building)
    assert [b.number for b in cl.result_list] == BUILDINGS
    cl = changelist(as_staff_officer, Household)
    assert addresses(cl.result_list) == ADDRESSES
    cl = changelist(as_staff_officer, Unit)
    assert [u.number for u in cl.result_list] == ["1", "2"]


def test_admin_columns_sort_naturally(places, as_staff_officer, officer):
    o = column(Household, "address", officer)
    assert addresses(changelist(as_staff_officer, Household, o=o).result_list) == ADDRESSES
    assert (
        addresses(changelist(as_staff_officer, Household, o=f"-{o}").result_list)
        == (ADDRESSES[::-1])
    )
    o = column(Resident, "household_address", officer)
    rows = changelist(as_staff_officer, Resident, o=o).result_list
    assert [r.household.address for r in rows] == ADDRESSES
    o = column(Building, "label", officer)
    assert [b.number for b in changelist(as_staff_officer, Building, o=o).result_list] == (
        BUILDINGS
    )
