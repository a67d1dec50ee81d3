"""One rule, one refusal: the same bad resident or household sent through the page, the
API, the Excel import and the admin is refused with the same code and the same message,
and nothing is written.

The import names a unit by its building and number (a missing unit is created in that
building), so "a unit of another building" cannot be written in a file: that case runs
over the three other paths.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from compounds.models import AuditEntry
from compounds.office import office_group
from residents.excel import households_import
from residents.models import Household, Resident
from tests import factories as f

THIS_YEAR = timezone.localdate().year
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
GOOD_ID = f.id_number("19620304", 222)
BAD_CHECKSUM = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")
REGISTERED_ID = f.id_number("19700101", 555)  # 王五's, in 21-301 of the same compound

# (field, what the bad resident has, code, message)
BAD_RESIDENTS = {
    "birth year 1885": (
        "birth_year",
        {"birth_year": 1885},
        "birth_year_range",
        f"The birth year must be between 1890 and {THIS_YEAR}.",
    ),
    "ID number registered elsewhere in the compound": (
        "id_number",
        {"id_number": REGISTERED_ID},
        "id_number_registered",
        "This ID card number is already registered for 王五 in 21-301.",
    ),
    "bad ID check digit": (
        "id_number",
        {"id_number": BAD_CHECKSUM},
        "id_checksum",
        "This ID card number's check digit is wrong; please check it again.",
    ),
    "ID number too short": (
        "id_number",
        {"id_number": "12345"},
        "id_format",
        "An ID card number has 18 characters: 17 digits and a digit or X.",
    ),
    "phone of words": (
        "phone",
        {"phone": "call me"},
        "phone_format",
        "Enter a phone number of digits only.",
    ),
    "return date in the future": (
        "returned_on",
        {"returnee": True, "returned_on": TOMORROW},
        "returned_on_future",
        "The return date cannot be in the future.",
    ),
}
RESIDENT = {"name": "李春华", "sex": "F", "birth_year": 1962, "relation": "spouse"}


@pytest.fixture
def place(compound_a, household_a, officer):
    """20-1702 to add the bad resident to; 王五 of 21-301 holds REGISTERED_ID."""
    officer.groups.add(office_group())
    other = f.household(building=f.building(compound=compound_a, number="21"), room="301")
    f.resident(household=other, name="王五", id_number=REGISTERED_ID)
    client = Client()
    client.force_login(officer)
    return {"compound": compound_a, "household": household_a, "client": client, "actor": officer}


def _first(errors, field):
    error = errors.as_data()[field][0]
    return error.code, error.messages[0]


def _form_values(values):
    data = {}
    for key, value in values.items():
        if value is True:
            data[key] = "on"
        elif value is not None:
            data[key] = str(value)
    return data


# --- the four paths for a resident ---------------------------------------------------------


def resident_by_page(place, values, field):
    page = reverse("residents:resident-create", args=[place["compound"].pk, place["household"].pk])
    response = place["client"].post(page, _form_values(values))
    assert response.status_code == 200
    return _first(response.context["form"].errors, field)


def resident_by_api(place, values, field):
    body = {"household": place["household"].pk, **values}
    if "returned_on" in body:
        body["returned_on"] = body["returned_on"].isoformat()
    response = place["client"].post("/api/v1/residents/", body, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    return answer["code"], answer[field][0]


COLUMN_ZH = {
    "name": "姓名",
    "sex": "性别",
    "birth_year": "出生年份",
    "relation": "与户主关系",
    "phone": "手机号",
    "id_number": "身份证号",
    "returnee": "返乡人员",
    "returned_on": "返回日期",
}


def _import(place, headers, row):
    workbook = Workbook()
    workbook.active.append(headers)
    workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("bad.xlsx", buffer.getvalue())
    result = households_import(compound=place["compound"], file=file, actor=place["actor"])
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def resident_by_import(place, values, field):
    cells = ["是" if v is True else v for v in values.values()]
    issue = _import(place, ["楼栋", "房号", *map(COLUMN_ZH.get, values)], ["20", "1702", *cells])
    assert issue.row == 2 and issue.column == COLUMN_ZH[field]
    return issue.code, issue.message


def resident_by_admin(place, values, field):
    data = {"household": place["household"].pk, **_form_values(values)}
    response = place["client"].post(reverse("admin:residents_resident_add"), data)
    assert response.status_code == 200
    return _first(response.context["adminform"].form.errors, field)


RESIDENT_PATHS = {
    "page": resident_by_page,
    "api": resident_by_api,
    "import": resident_by_import,
    "admin": resident_by_admin,
}


@pytest.mark.parametrize("path", RESIDENT_PATHS)
@pytest.mark.parametrize("case", BAD_RESIDENTS)
def test_a_bad_resident_is_refused_alike_by_every_path(place, case, path):
    field, bad, code, message = BAD_RESIDENTS[case]
    before = (Resident.objects.count(), AuditEntry.objects.count())

    refusal = RESIDENT_PATHS[path](place, {**RESIDENT, **bad}, field)

    assert refusal == (code, message)
    assert (Resident.objects.count(), AuditEntry.objects.count()) == before


# --- the paths for a household -------------------------------------------------------------


@pytest.fixture
def other_unit(place, compound_a):
    """Unit 1 of building 21: a unit of the compound, but not of building 20."""
    return f.unit(building=Household.objects.get(room="301").building, number="1")


def household_by_page(place, values, field):
    page = reverse("residents:household-create", args=[place["compound"].pk])
    response = place["client"].post(page, _form_values(values))
    assert response.status_code == 200
    return _first(response.context["form"].errors, field)


def household_by_api(place, values, field):
    response = place["client"].post("/api/v1/households/", values, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    return answer["code"], answer[field][0]


def household_by_admin(place, values, field):
    data = {**_form_values(values), "residents-TOTAL_FORMS": "0", "residents-INITIAL_FORMS": "0"}
    response = place["client"].post(reverse("admin:residents_household_add"), data)
    assert response.status_code == 200
    return _first(response.context["adminform"].form.errors, field)


def household_by_import(place, values, field):
    headers = ["楼栋", "房号", "姓名", "户联系电话"]
    issue = _import(place, headers, ["20", "1801", None, values[field]])
    assert issue.row == 2 and issue.column == "户联系电话"
    return issue.code, issue.message


HOUSEHOLD_PATHS = {
    "page": household_by_page,
    "api": household_by_api,
    "admin": household_by_admin,
}


@pytest.mark.parametrize("path", HOUSEHOLD_PATHS)
def test_a_unit_of_another_building_is_refused_alike_by_every_path(
    place, building_a, other_unit, path
):
    before = (Household.objects.count(), AuditEntry.objects.count())
    values = {"building": building_a.pk, "unit": other_unit.pk, "room": "1801"}

    refusal = HOUSEHOLD_PATHS[path](place, values, "unit")

    assert refusal == ("unit_other_building", "This unit is not in building 20.")
    assert (Household.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("path", [*HOUSEHOLD_PATHS, "import"])
def test_a_bad_contact_phone_is_refused_alike_by_every_path(place, building_a, path):
    before = (Household.objects.count(), AuditEntry.objects.count())
    values = {"building": building_a.pk, "room": "1801", "contact_phone": "call me"}
    send = {**HOUSEHOLD_PATHS, "import": household_by_import}[path]

    refusal = send(place, values, "contact_phone")

    assert refusal == ("phone_format", "Enter a phone number of digits only.")
    assert (Household.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("path", HOUSEHOLD_PATHS)
def test_a_registered_address_is_refused_alike_by_every_path(place, building_a, path):
    before = (Household.objects.count(), AuditEntry.objects.count())
    values = {"building": building_a.pk, "room": "1702"}

    refusal = HOUSEHOLD_PATHS[path](place, values, "room")

    assert refusal == ("household_exists", "Household 20-1702 is already registered.")
    assert (Household.objects.count(), AuditEntry.objects.count()) == before
