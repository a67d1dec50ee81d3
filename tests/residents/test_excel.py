"""Excel import and export of households and residents."""

import datetime
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from compounds.models import AuditEntry, Building, Unit
from residents.excel import MAX_ROWS, households_import, sample_id_number
from residents.models import Household, Resident
from tests import factories as f

ZH = [
    "楼栋",
    "单元",
    "房号",
    "户联系电话",
    "姓名",
    "性别",
    "出生年份",
    "手机号",
    "身份证号",
    "与户主关系",
    "党员",
    "独居老人",
    "慢性病",
    "残疾",
    "孕妇",
    "婴幼儿",
    "返乡人员",
    "返回地",
    "返回日期",
    "交通方式",
    "隔离至",
]
# The template's headers in English (the tests' language), in the same order as ZH.
ZH_HEADERS_EN = (
    "Building",
    "Unit",
    "Room",
    "Household contact phone",
    "Name",
    "Sex",
    "Birth year",
    "Phone",
    "ID card number",
    "Relation to head",
    "Party member",
    "Elderly living alone",
    "Chronic illness",
    "Disability",
    "Pregnant",
    "Infant",
    "Returnee",
    "Returned from",
    "Return date",
    "Transport",
    "Quarantine until",
)
ID_1 = f.id_number("19800101", 123)
ID_2 = f.id_number("19820305", 224)
ID_3 = f.id_number("20190101", 331)


def row(**values):
    """A data row in the ZH column order from keyword values (missing ones empty)."""
    keys = [
        "building",
        "unit",
        "room",
        "contact_phone",
        "name",
        "sex",
        "birth_year",
        "phone",
        "id_number",
        "relation",
        "party_member",
        "elderly_alone",
        "chronic_illness",
        "disability",
        "pregnant",
        "infant",
        "returnee",
        "returned_from",
        "returned_on",
        "transport",
        "quarantine_until",
    ]
    return [values.get(k) for k in keys]


GOOD_ROWS = [
    row(
        building="20",
        unit="1",
        room="1702",
        contact_phone="13807901234",
        name="张小流",
        sex="男",
        birth_year=1980,
        phone="13807901234",
        id_number=ID_1,
        relation="户主",
        party_member="是",
    ),
    row(
        building="20",
        unit="1",
        room="1702",
        name="李红",
        sex="女",
        birth_year="1982",
        id_number=ID_2,
        relation="配偶",
        chronic_illness="Y",
        returnee="是",
        returned_from="武汉",
        returned_on=datetime.datetime(2020, 1, 20),
        transport="火车",
    ),
    row(
        building="20",
        unit="1",
        room="1702",
        name="张小宝",
        sex="M",
        birth_year=2019,
        id_number=ID_3,
        relation="child",
        infant=1,
    ),
    row(building="21栋", room="301", contact_phone="13907900000"),  # nobody registered yet
]


def xlsx(rows, headers=ZH, name="households.xlsx", title=None):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def counts():
    return (
        Building.objects.count(),
        Unit.objects.count(),
        Household.objects.count(),
        Resident.objects.count(),
        AuditEntry.objects.count(),
    )


def url(name, compound):
    return reverse(f"residents:{name}", args=[compound.pk])


def sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# --- Import: a good file ----------------------------------------------------------------


def test_good_file_creates_buildings_units_households_and_residents(compound_a, secretary):
    result = households_import(compound=compound_a, file=xlsx(GOOD_ROWS), actor=secretary)

    assert result.errors == []
    assert (result.rows_read, result.households_created, result.residents_created) == (4, 2, 3)
    assert (result.households_updated, result.residents_updated) == (0, 0)
    flat = Household.objects.get(building__number="20", unit__number="1", room="1702")
    assert flat.compound == compound_a and flat.contact_phone == "13807901234"
    assert (
        Household.objects.get(building__number="21", unit=None, room="301").residents.count() == 0
    )
    head = flat.residents.get(name="张小流")
    assert (head.sex, head.birth_year, head.relation, head.party_member) == (
        "M",
        1980,
        "head",
        True,
    )
    assert head.id_number == ID_1
    spouse = flat.residents.get(name="李红")
    assert (spouse.relation, spouse.chronic_illness, spouse.returnee) == ("spouse", True, True)
    assert (spouse.returned_from, spouse.returned_on, spouse.return_transport) == (
        "武汉",
        datetime.date(2020, 1, 20),
        "train",
    )
    child = flat.residents.get(name="张小宝")
    assert (child.relation, child.infant, child.party_member) == ("child", True, False)


def test_import_writes_masked_audit_rows_by_the_actor(compound_a, secretary):
    households_import(compound=compound_a, file=xlsx(GOOD_ROWS), actor=secretary)

    entries = AuditEntry.objects.filter(compound=compound_a, action="import_create")
    assert entries.filter(object_type="household").count() == 2
    assert entries.filter(object_type="resident").count() == 3
    assert set(entries.values_list("actor", flat=True)) == {secretary.pk}
    head = entries.get(object_type="resident", object_repr="张小流")
    assert head.changes["name"] == [None, "张小流"]
    assert ID_1 not in str(head.changes) and head.changes["id_number"][1].startswith("3605")


def test_english_headers_in_another_order_with_extra_columns_are_read(compound_a, secretary):
    headers = ["Remarks", "Name", "Room", "Building", "ID card number", "Sex", "Relation to head"]
    rows = [["楼长", "王五", 1702, 20, ID_1, "female", "head of household"]]
    result = households_import(compound=compound_a, file=xlsx(rows, headers), actor=secretary)

    assert result.errors == []
    resident = Resident.objects.get(name="王五")
    assert resident.household.address == "20-1702"
    assert (resident.sex, resident.id_number) == ("F", ID_1)


def test_title_row_above_the_headers_is_skipped(compound_a, secretary):
    file = xlsx([row(building="20", room="1702", name="张小流")], title="绿景水岸住户登记表")
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert result.errors == [] and result.residents_created == 1


def test_text_date_and_word_flags_are_understood(compound_a, secretary):
    rows = [
        row(
            building="20",
            room="1702",
            name="甲",
            returnee="yes",
            returned_on="2020-01-23",
            elderly_alone="1",
            disability="N",
            pregnant="否",
        ),
    ]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert result.errors == []
    resident = Resident.objects.get(name="甲")
    assert resident.returned_on == datetime.date(2020, 1, 23)
    assert (resident.returnee, resident.elderly_alone, resident.disability, resident.pregnant) == (
        True,
        True,
        False,
        False,
    )


def test_the_unchanged_template_imports_nothing_and_says_so(as_secretary, compound_a, secretary):
    response = as_secretary.get(url("import-template", compound_a))
    book = load_workbook(io.BytesIO(response.content))
    data, guide = book.worksheets
    assert [list(r) for r in data.iter_rows(values_only=True)] == [list(ZH_HEADERS_EN)]
    example = [r[3] for r in guide.iter_rows(min_row=2, values_only=True)]
    assert "张小流" in example and sample_id_number() in example  # the example is a note
    before = counts()

    file = SimpleUploadedFile("t.xlsx", response.content)
    result = households_import(compound=compound_a, file=file, actor=secretary)

    assert counts() == before
    assert [(i.row, i.code) for i in result.errors] == [(None, "import_empty")]
    assert result.errors[0].message.startswith("Nothing was imported: the file has no rows")
    assert "How to fill in" in result.errors[0].message
    page = as_secretary.post(
        url("import", compound_a), {"file": SimpleUploadedFile("t.xlsx", response.content)}
    )
    assert "Nothing was imported: the file has no rows" in page.content.decode()
    assert not Resident.objects.filter(name="张小流").exists()


# --- Import: refusals -------------------------------------------------------------------


def test_bad_rows_are_each_reported_with_row_and_column_and_nothing_is_saved(
    compound_a, secretary, resident_a
):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    bad_id = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")
    rows = [
        GOOD_ROWS[0],  # row 2 is fine
        row(building="20", room="1703", name="甲", id_number=bad_id),  # row 3
        row(building="20", room="1703", name="乙", phone="call me"),  # row 4
        row(building="20", room="1703", name="丙", birth_year=1850),  # row 5
        row(building="20", room="1703", name="丁", sex="x"),  # row 6
        row(building="20", room="1703", name="戊", relation="boss"),  # row 7
        row(building="20", room="1703", name="己", returned_on=future),  # row 8
        row(building="20", room="1703", name="庚", returned_on="23/01/2020"),  # row 9
        row(building="", room="1704", name="辛"),  # row 10: no building
        row(building="20", room="1705", sex="女"),  # row 11: resident data without a name
        row(building="20", room="1706", name="壬", party_member="maybe"),  # row 12
    ]
    before = counts()

    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)

    assert counts() == before
    assert not result.ok and result.households_created == result.residents_created == 0
    found = {(issue.row, issue.column) for issue in result.errors}
    assert found == {
        (3, "身份证号"),
        (4, "手机号"),
        (5, "出生年份"),
        (6, "性别"),
        (7, "与户主关系"),
        (8, "返回日期"),
        (9, "返回日期"),
        (10, "楼栋"),
        (11, "姓名"),
        (12, "党员"),
    }
    assert all(issue.message for issue in result.errors)


def test_missing_required_column_is_one_clear_error(compound_a, secretary):
    headers = ["楼栋", "单元", "姓名"]
    result = households_import(
        compound=compound_a, file=xlsx([["20", "1", "张小流"]], headers), actor=secretary
    )
    assert len(result.errors) == 1
    assert "Room" in result.errors[0].message
    assert Household.objects.count() == 0


def test_same_id_number_twice_in_the_file_is_refused(compound_a, secretary):
    rows = [
        row(building="20", room="1702", name="甲", id_number=ID_1),
        row(building="20", room="1703", name="乙", id_number=ID_1),
    ]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert [(i.row, i.column) for i in result.errors] == [(3, "身份证号")]
    assert "2" in result.errors[0].message
    assert Resident.objects.count() == 0


def test_id_number_of_a_resident_registered_elsewhere_is_refused(compound_a, secretary, resident_a):
    rows = [row(building="21", room="101", name="冒名", id_number=resident_a.id_number)]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert [(i.row, i.column) for i in result.errors] == [(2, "身份证号")]
    assert "20-1702" in result.errors[0].message
    assert not Household.objects.filter(room="101").exists()


def test_same_resident_twice_in_a_household_is_refused(compound_a, secretary):
    rows = [row(building="20", room="1702", name="甲"), row(building="20", room="1702", name="甲")]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert [(i.row, i.column) for i in result.errors] == [(3, "姓名")]


def test_id_number_typed_as_a_number_gets_a_hint(compound_a, secretary):
    rows = [row(building="20", room="1702", name="甲", id_number=float(ID_1[:-1] + "0"))]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert len(result.errors) == 1 and "text" in result.errors[0].message


def test_oversized_file_is_refused_with_the_limit(compound_a, secretary, settings):
    settings.IMPORT_MAX_BYTES = 1024
    file = xlsx(GOOD_ROWS * 20)
    assert file.size > 1024
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert len(result.errors) == 1 and "1.0" in result.errors[0].message  # "1.0 KB"
    assert Household.objects.count() == 0


@pytest.mark.parametrize(
    "content", [b"building,room,name\n20,1702,x\n", b"PK\x03\x04 not really a zip", b""]
)
def test_non_xlsx_upload_is_refused(compound_a, secretary, content):
    file = SimpleUploadedFile("households.xlsx", content)
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert len(result.errors) == 1 and ".xlsx" in result.errors[0].message
    assert Household.objects.count() == 0


# --- Re-import and round trip -----------------------------------------------------------


def test_importing_again_updates_instead_of_duplicating(compound_a, secretary):
    households_import(compound=compound_a, file=xlsx(GOOD_ROWS), actor=secretary)
    before = counts()[:4]
    changed = [list(r) for r in GOOD_ROWS]
    changed[1][7] = "13900000002"  # 李红's phone
    changed[3][3] = "13907900009"  # 21-301's contact phone

    result = households_import(compound=compound_a, file=xlsx(changed), actor=secretary)

    assert result.errors == []
    assert counts()[:4] == before
    assert (result.households_created, result.households_updated) == (0, 1)
    assert (result.residents_created, result.residents_updated) == (0, 1)
    assert Resident.objects.get(name="李红").phone == "13900000002"
    update = AuditEntry.objects.get(action="import_update", object_type="resident")
    assert update.changes == {"phone": ["", "13900000002"]}
    household_update = AuditEntry.objects.get(action="import_update", object_type="household")
    assert household_update.changes == {"contact_phone": ["13907900000", "13907900009"]}


def test_import_leaves_residents_not_in_the_file_alone(compound_a, secretary, resident_a):
    rows = [row(building="20", room="1702", name="新人")]
    result = households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    assert result.residents_created == 1 and result.households_created == 0
    assert Resident.objects.filter(pk=resident_a.pk).exists()


def test_export_then_import_changes_nothing(as_secretary, compound_a, building_a, secretary):
    unit = f.unit(building=building_a, number="2")
    flat = f.household(building=building_a, unit=unit, room="501")
    f.resident(
        household=flat,
        name='=HYPERLINK("http://x","y")',
        relation="spouse",
        returnee=True,
        returned_from="+1 武汉",
        returned_on=datetime.date(2020, 1, 20),
        return_transport="plane",
        elderly_alone=True,
    )
    f.resident(household=flat, name="@SUM", sex="", birth_year=None, phone="", id_number="")
    f.household(building=building_a, room="1702")  # nobody registered
    response = as_secretary.get(url("export", compound_a))
    file = SimpleUploadedFile("export.xlsx", response.content)
    audit_before = AuditEntry.objects.count()  # the export's own entry is counted already
    result = households_import(compound=compound_a, file=file, actor=secretary)

    assert result.errors == []
    assert result.rows_read == 3
    assert not result.changed
    assert AuditEntry.objects.count() == audit_before


# --- Export -----------------------------------------------------------------------------


def test_export_has_one_row_per_resident_with_neutralised_formulas(
    as_secretary, compound_a, household_a, resident_a
):
    f.resident(household=household_a, name='=HYPERLINK("http://evil","x")', returned_from="+1")
    f.resident(household=household_a, name="@SUM(A1:A9)")
    f.household(building=household_a.building, room="1801")

    response = as_secretary.get(url("export", compound_a))

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    day = timezone.localdate().isoformat()
    assert quote("绿景水岸-") in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(quote(f"-{day}.xlsx"))
    rows = sheet_rows(response)
    assert len(rows) == 1 + 3 + 1
    names = [r[4] for r in rows[1:]]
    assert names == ["张小流", '\'=HYPERLINK("http://evil","x")', "'@SUM(A1:A9)", None]
    assert rows[2][17] == "'+1"
    assert rows[1][8] == resident_a.id_number  # full number, as text, for the managers


def test_export_is_recorded_once_with_compound_and_row_count(
    as_secretary, secretary, compound_a, household_a, resident_a
):
    f.resident(household=household_a, name="李四")
    as_secretary.get(url("export", compound_a))
    entries = AuditEntry.objects.filter(action="export_registry")
    assert [(e.compound_id, e.actor, e.changes) for e in entries] == [
        (compound_a.pk, secretary, {"rows": 2})
    ]


def test_refused_export_is_not_recorded(as_volunteer, compound_a, household_a):
    assert as_volunteer.get(url("export", compound_a)).status_code == 403
    assert not AuditEntry.objects.filter(action="export_registry").exists()


def test_export_lists_only_this_compound(as_officer, compound_a, household_a, household_b):
    f.resident(household=household_b, name="南嘉人")
    rows = sheet_rows(as_officer.get(url("export", compound_a)))
    assert [r[4] for r in rows[1:]] == [None] and rows[1][2] == "1702"


def test_export_query_count_does_not_grow_with_households(
    as_secretary, compound_a, building_a, django_assert_max_num_queries
):
    for room in range(101, 131):
        f.resident(household=f.household(building=building_a, room=str(room)))
    with django_assert_max_num_queries(8):
        as_secretary.get(url("export", compound_a))


# --- Pages and permissions --------------------------------------------------------------


def test_import_page_links_the_template_and_states_the_limit(as_secretary, compound_a, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    response = as_secretary.get(url("import", compound_a))
    assert response.status_code == 200
    assert response.context["compound"] == compound_a
    content = response.content.decode()
    assert url("import-template", compound_a) in content
    assert "5.0" in content and 'enctype="multipart/form-data"' in content


def test_import_page_states_the_size_limit_as_a_size_in_chinese(as_secretary, compound_a, settings):
    # It once read "最多 5.0 MB 行": the translation put the word for rows after a size.
    settings.LANGUAGE_CODE = "zh-hans"
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    response = as_secretary.get(url("import", compound_a), HTTP_ACCEPT_LANGUAGE="zh-hans")
    content = response.content.decode()
    assert re.search(r"5\.0\sMB", content)
    assert not re.search(r"MB\s*行", content)
    assert str(MAX_ROWS) in content


def test_import_page_states_both_limits_in_english(as_secretary, compound_a, settings):
    settings.IMPORT_MAX_BYTES = 5 * 1024 * 1024
    response = as_secretary.get(url("import", compound_a), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode().replace("\xa0", " ")
    assert f"at most {MAX_ROWS} rows and 5.0 MB per file" in content


def test_import_page_shows_counts_after_a_good_file(as_secretary, compound_a):
    response = as_secretary.post(url("import", compound_a), {"file": xlsx(GOOD_ROWS)})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.residents_created == 3
    assert 'id="import-counts"' in response.content.decode()
    assert Resident.objects.count() == 3


def test_import_page_lists_the_bad_rows_and_saves_nothing(as_secretary, compound_a):
    rows = [GOOD_ROWS[0], row(building="20", room="1703", name="乙", phone="call me")]
    response = as_secretary.post(url("import", compound_a), {"file": xlsx(rows)})
    content = response.content.decode()
    assert 'id="import-errors"' in content
    assert "<td>3</td><td>手机号</td>" in content
    assert Resident.objects.count() == 0


def test_import_page_without_a_file_shows_the_form_error(as_secretary, compound_a):
    response = as_secretary.post(url("import", compound_a), {})
    assert response.status_code == 200
    assert response.context["form"].errors and "result" not in response.context


@pytest.mark.parametrize("name", ["import", "import-template", "export"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("as_secretary", 200), ("as_officer", 200), ("as_volunteer", 403), ("as_volunteer_b", 404)],
)
def test_excel_pages_are_for_managers_of_the_compound(request, compound_a, name, who, status):
    response = request.getfixturevalue(who).get(url(name, compound_a))
    assert response.status_code == status


@pytest.mark.parametrize("name", ["import", "import-template", "export"])
def test_excel_pages_send_anonymous_users_to_login(client, compound_a, name):
    response = client.get(url(name, compound_a))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_volunteer_cannot_post_an_import(as_volunteer, compound_a):
    response = as_volunteer.post(url("import", compound_a), {"file": xlsx(GOOD_ROWS)})
    assert response.status_code == 403
    assert Household.objects.count() == 0


def test_a_column_left_out_keeps_what_is_registered(compound_a, secretary, resident_a):
    phone, id_number = resident_a.phone, resident_a.id_number
    rows = [["20", "1702", "张小流", "女"]]
    file = xlsx(rows, ["楼栋", "房号", "姓名", "性别"])
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert result.errors == [] and result.residents_updated == 0
    resident_a.refresh_from_db()
    assert (resident_a.phone, resident_a.id_number) == (phone, id_number)


def test_template_saved_with_the_guide_sheet_open_still_imports(
    as_secretary, compound_a, secretary
):
    content = as_secretary.get(url("import-template", compound_a)).content
    wb = load_workbook(io.BytesIO(content))
    wb.worksheets[0].append(GOOD_ROWS[0])  # the template's headers are in the ZH order
    wb.active = 1  # the guide sheet
    buffer = io.BytesIO()
    wb.save(buffer)
    file = SimpleUploadedFile("t.xlsx", buffer.getvalue())
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert result.errors == [] and result.residents_created == 1


def test_file_that_unpacks_to_too_much_is_refused(compound_a, secretary, monkeypatch):
    monkeypatch.setattr("residents.excel.reading.MAX_UNPACKED_BYTES", 1000)
    result = households_import(compound=compound_a, file=xlsx(GOOD_ROWS), actor=secretary)
    assert len(result.errors) == 1 and Household.objects.count() == 0


def test_damaged_sheet_inside_a_real_zip_is_refused(compound_a, secretary):
    original = xlsx(GOOD_ROWS).read()
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    file = SimpleUploadedFile("d.xlsx", damaged.getvalue())
    result = households_import(compound=compound_a, file=file, actor=secretary)
    assert len(result.errors) == 1 and ".xlsx" in result.errors[0].message
    assert Household.objects.count() == 0


def test_an_export_import_round_trip_keeps_the_quarantines(
    as_secretary, compound_a, household_a, secretary
):
    from residents.quarantine.models import Quarantine
    from residents.quarantine.services import quarantine_start

    person = f.resident(household=household_a, name="隔离者", returnee=True)
    started = quarantine_start(resident=person, actor=secretary, reason="returnee")
    exported = as_secretary.get(url("export", compound_a)).content
    result = households_import(compound=compound_a, file=io.BytesIO(exported), actor=secretary)
    assert result.errors == []
    assert list(Quarantine.objects.values_list("pk", "ends_on")) == [(started.pk, started.ends_on)]
    assert Resident.objects.get(pk=person.pk).quarantine_until == started.ends_on


def test_an_import_starts_moves_and_ends_quarantines_through_the_service(
    compound_a, household_a, secretary
):
    from residents.models import Household
    from residents.quarantine.models import Quarantine

    today = datetime.date.today()
    until = today + datetime.timedelta(days=10)
    rows = [row(building="20", room="1702", name="新隔离", quarantine_until=until.isoformat())]
    assert households_import(compound=compound_a, file=xlsx(rows), actor=secretary).errors == []
    quarantine = Quarantine.objects.get(resident__name="新隔离")
    assert (quarantine.starts_on, quarantine.ends_on) == (today, until)
    assert Household.objects.get(pk=household_a.pk).quarantine_until == until
    later = until + datetime.timedelta(days=2)
    rows = [row(building="20", room="1702", name="新隔离", quarantine_until=later.isoformat())]
    households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    quarantine.refresh_from_db()
    assert quarantine.ends_on == later and quarantine.end_changes.count() == 1
    rows = [row(building="20", room="1702", name="新隔离", quarantine_until="")]
    households_import(compound=compound_a, file=xlsx(rows), actor=secretary)
    quarantine.refresh_from_db()
    assert quarantine.ended_on == today
    assert Household.objects.get(pk=household_a.pk).quarantine_until is None
