"""One rule for stored text (``compounds.text``), the same on every write path, and
exports that survive rows stored before the rule.

A name holding a bell (U+0007) or a vertical tab (U+000B) used to be accepted by the API
and the pages; then every Excel export of the compound answered 500 (openpyxl refuses
those characters) until someone edited the row.
"""

import datetime
import io
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework import serializers

from bastion.api_urls import router
from checkpoints import services as gate
from checkpoints.errors import CheckpointError
from checkpoints.models import Passage, WorkPass
from compounds.models import AuditEntry, Building, Community, Compound, Opening, Unit
from compounds.office import office_group
from residents import services
from residents.errors import ResidentError
from residents.excel import households_import
from residents.models import FeverAction, FeverAlert, Household, Resident
from tests import factories as f

CODE = "text_control_character"
ASCII_CONTROLS = "".join(map(chr, range(0x20))) + "\x7f"
# Every ASCII control and DEL, a C1 control (NEL) and a right-to-left override, between
# two ordinary characters so that no trimming of the ends takes them away.
EVIL = "甲" + ASCII_CONTROLS + "\x85\u202e" + "乙"
# The same without NUL, which DRF and Django forms refuse by themselves: what really
# slipped through.
EVIL_NO_NUL = EVIL.replace("\x00", "")
# What rows written before the rule may hold: short enough for every column, no NUL
# (PostgreSQL refuses NUL in text anyway), and U+FFFF, which XML (so xlsx) cannot hold.
STORED = "甲\x01\x07\x0b\x1f\x7f\x85\u202e\uffff乙"
STORED_IN_XLSX = "甲\x7f\x85\u202e乙"

BAD_NAMES = ["张\x07三", "张\x0b三", "张\x1b三", "张\x7f三", "张\x85三", "张\u202e三", "张\n三"]
API = "/api/v1/"


def our_apps():
    base = Path(settings.BASE_DIR).resolve()
    # Our apps sit at the top of the project (a venv inside it holds everyone else's).
    return [a for a in apps.get_app_configs() if Path(a.path).resolve().parent == base]


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data, content_type="application/json")


def assert_refused(response):
    assert response.status_code == 400, response.content
    assert response.json()["code"] == CODE, response.json()


def registry_counts():
    return (
        Building.objects.count(),
        Unit.objects.count(),
        Household.objects.count(),
        Resident.objects.count(),
        AuditEntry.objects.count(),
    )


def stored_rows(household, resident):
    return (
        registry_counts(),
        Household.objects.filter(pk=household.pk).values().get(),
        Resident.objects.filter(pk=resident.pk).values().get(),
    )


def workbook_of(response):
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def cells(workbook):
    return [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]


def fetch_every_export(client, compound):
    """The compound's Excel export and today's gate log: 200 and a workbook that opens."""
    residents = workbook_of(client.get(reverse("residents:export", args=[compound.pk])))
    log = workbook_of(client.get(reverse("checkpoints:log-export", args=[compound.pk])))
    return residents, log


@pytest.fixture
def office(officer):
    officer.groups.add(office_group())
    return officer


@pytest.fixture
def as_office(office):
    c = Client()
    c.force_login(office)
    return c


# --- The rule is defined once and every text column uses it ----------------------------


def test_every_text_column_of_our_apps_checks_its_text():
    from compounds.text import CheckedTextField

    unchecked = [
        f"{model._meta.label}.{field.name}"
        for app in our_apps()
        for model in app.get_models()
        for field in model._meta.concrete_fields
        # A field with choices holds one of its codes and nothing else.
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not isinstance(field, CheckedTextField)
    ]
    assert our_apps() and unchecked == []


@pytest.mark.parametrize("char", [*ASCII_CONTROLS.replace("\t", "").replace("\n", "")])
def test_every_ascii_control_but_tab_and_newline_is_refused_even_in_multi_line_text(char):
    from django.core.exceptions import ValidationError

    from compounds.text import validate_text

    if char == "\r":
        validate_text("a\rb", multiline=True, label="note")  # becomes a newline
        return
    with pytest.raises(ValidationError) as info:
        validate_text(f"a{char}b", multiline=True, label="note")
    assert info.value.code == CODE
    assert f"U+{ord(char):04X}" in info.value.messages[0]


@pytest.mark.parametrize(
    "char",
    [
        "\x80",
        "\x85",
        "\x9f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
        "\ud800",
        "\uffff",
    ],
)
def test_c1_controls_bidi_controls_surrogates_and_xml_noncharacters_are_refused(char):
    from django.core.exceptions import ValidationError

    from compounds.text import validate_text

    with pytest.raises(ValidationError):
        validate_text(f"a{char}b", multiline=True, label="note")


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\u2028", "\u2029"])
def test_single_line_text_refuses_tabs_and_line_breaks_and_says_so(char):
    from django.core.exceptions import ValidationError

    from compounds.text import validate_text

    validate_text(f"a{char}b", multiline=True, label="note")
    with pytest.raises(ValidationError) as info:
        validate_text(f"a{char}b", multiline=False, label="name")
    assert info.value.code == CODE
    assert info.value.messages[0].startswith("Name must be a single line")


@pytest.mark.parametrize(
    "text",
    ["张小流", "王😷", "一家人👨\u200d👩\u200d👧", "🇨🇳", "O'Brien-Смит", "ⅡＡ栋", "العربية", "é"],
)
def test_emoji_cjk_and_other_scripts_are_accepted(text):
    from compounds.text import validate_text

    validate_text(text, multiline=False, label="name")


def test_multi_line_text_gets_unix_newlines():
    from compounds.text import normalise_newlines

    assert normalise_newlines("一\r\n二\r三\n四\t五") == "一\n二\n三\n四\t五"


def test_the_message_names_the_field_and_is_translated():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from compounds.text import validate_text

    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_text(
            "a\x07b", multiline=False, label=Resident._meta.get_field("name").verbose_name
        )
    assert info.value.messages[0].startswith(
        "Name contains an invisible control character (U+0007)"
    )


# --- Every writable text field of the API --------------------------------------------

# Write endpoints whose input is only looked up, never stored: the gate's card code.
LOOKUP_ONLY = {"passage"}


def write_actions(viewset):
    return [a for a in ("create", "partial_update") if hasattr(viewset, a)]


def serializer_for(viewset, action):
    view = viewset()
    view.action = action
    view.request = None
    view.format_kwarg = None
    return view.get_serializer_class()


def writable_text_fields(serializer_class):
    return sorted(
        name
        for name, field in serializer_class().fields.items()
        if isinstance(field, serializers.CharField) and not field.read_only
    )


@pytest.fixture
def api_writes(household_a, resident_a, building_a):
    """For every (endpoint, action) that writes: the URL, the method and a valid body."""
    return {
        ("household", "create"): (
            f"{API}households/",
            "post",
            {"building": building_a.pk, "room": "1801", "contact_phone": "13807901234"},
        ),
        ("household", "partial_update"): (f"{API}households/{household_a.pk}/", "patch", {}),
        ("resident", "create"): (
            f"{API}residents/",
            "post",
            {"household": household_a.pk, "name": "李春华", "relation": "spouse"},
        ),
        ("resident", "partial_update"): (f"{API}residents/{resident_a.pk}/", "patch", {}),
        ("visit", "create"): (
            f"{API}visits/",
            "post",
            {
                "client_id": "6f1c1d4e-3c55-4a59-9d47-5b7c3e0b1a21",
                "round": _a_round(household_a).pk,
                "household": household_a.pk,
                "result": "everyone",
                "returnee": True,
            },
        ),
    }


def _a_round(household):
    from residents.rounds.models import Round, Visit

    round_ = Round.objects.create(
        compound=household.compound,
        number=9,
        title="第9轮",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
    )
    Visit.objects.create(round=round_, compound=household.compound, household=household)
    return round_


def test_every_write_endpoint_of_the_api_is_covered(api_writes):
    writes = {
        (basename, action)
        for _prefix, viewset, basename in router.registry
        if basename not in LOOKUP_ONLY
        for action in write_actions(viewset)
    }
    assert writes == set(api_writes)


def test_every_writable_text_field_of_the_api_refuses_control_characters(
    as_secretary, api_writes, compound_a, household_a, resident_a, gate_a
):
    viewsets = {basename: viewset for _prefix, viewset, basename in router.registry}
    tried = 0
    for (basename, action), (url, method, body) in api_writes.items():
        fields = writable_text_fields(serializer_for(viewsets[basename], action))
        assert fields, basename
        for field in fields:
            for text in (EVIL, EVIL_NO_NUL):
                before = stored_rows(household_a, resident_a)
                response = post_json(as_secretary, url, {**body, field: text}, method)
                assert_refused(response)
                assert field in response.json(), (basename, field, response.json())
                assert stored_rows(household_a, resident_a) == before, (basename, field)
                tried += 1
    assert tried >= 2 * (3 + 3 + 5 + 5)
    residents, log = fetch_every_export(as_secretary, compound_a)
    assert not any(ch in value for value in cells(residents) for ch in ASCII_CONTROLS[:9])


def test_api_error_body_keeps_the_field_message_beside_the_code(as_secretary, household_a):
    response = post_json(
        as_secretary,
        f"{API}residents/",
        {"household": household_a.pk, "name": "张\x07三", "relation": "head"},
    )
    assert_refused(response)
    assert response.json()["name"] == [
        "Name contains an invisible control character (U+0007), usually brought in by "
        "copying and pasting. Type the text again without it."
    ]


# --- Rows stored before the rule ----------------------------------------------------------


def _store_bad_text_everywhere(compound, household, resident, opening, volunteer):
    """Write STORED past validation into every text column the exports and pages show."""
    card = f.card(household=household)
    passage = gate.passage_record(
        opening=opening,
        code=card.number,
        direction="out",
        temperature=Decimal("36.5"),
        actor=volunteer,
        client_id=uuid.uuid4(),
        resident_id=resident.pk,
    ).passage
    Passage.objects.filter(pk=passage.pk).update(breach=STORED)
    Community.objects.filter(pk=compound.community_id).update(name=STORED, hotline=STORED)
    Compound.objects.filter(pk=compound.pk).update(
        name=STORED, address=STORED, grid=STORED, supplies_hotline=STORED
    )
    Building.objects.filter(compound=compound).update(number=STORED, note=STORED)
    Unit.objects.filter(building__compound=compound).update(number=STORED)
    Opening.objects.filter(compound=compound).update(name=STORED)
    Household.objects.filter(pk=household.pk).update(room=STORED, contact_phone=STORED, note=STORED)
    Resident.objects.filter(pk=resident.pk).update(
        name=STORED, phone=STORED, returned_from=STORED, note=STORED
    )
    get_user_model().objects.filter(pk=volunteer.pk).update(username=STORED)
    return passage


def test_rows_stored_before_the_rule_break_no_export_and_no_page(
    as_secretary, compound_a, building_a, gate_a, volunteer
):
    unit = f.unit(building=building_a, number="1")
    household = f.household(building=building_a, unit=unit, room="1702")
    resident = f.resident(household=household, name="张小流")
    _store_bad_text_everywhere(compound_a, household, resident, gate_a, volunteer)

    residents, log = fetch_every_export(as_secretary, compound_a)
    for workbook in (residents, log):
        values = cells(workbook)
        assert STORED_IN_XLSX in values
        assert not any(ILLEGAL_CHARACTERS_RE.search(v) or "\uffff" in v for v in values)
    c = compound_a.pk
    pages = [
        reverse("checkpoints:cards-print", args=[c]),
        reverse("checkpoints:cards", args=[c]),
        reverse("checkpoints:log", args=[c]),
        reverse("checkpoints:out-now", args=[c]),
        reverse("checkpoints:household-history", args=[c, household.pk]),
        reverse("residents:households", args=[c]),
        reverse("residents:household", args=[c, household.pk]),
        reverse("residents:returnees", args=[c]),
        reverse("compound-home", args=[c]),
        f"{API}residents/{resident.pk}/",
        f"{API}passages/?household={household.pk}",
    ]
    for page in pages:
        assert as_secretary.get(page).status_code == 200, page


def test_a_row_stored_before_the_rule_can_be_corrected(as_secretary, compound_a, resident_a):
    Resident.objects.filter(pk=resident_a.pk).update(name="张\x07小流")
    services.resident_update(resident=resident_a, actor=None, name="张小流")
    resident_a.refresh_from_db()
    assert resident_a.name == "张小流"


# --- The same bad name on every path ------------------------------------------------------


def resident_form(**overrides):
    data = {
        "name": "李春华",
        "relation": "spouse",
        "sex": "F",
        "birth_year": "1962",
        "phone": "",
        "id_number": "",
        "returned_from": "",
        "returned_on": "",
        "return_transport": "",
        "quarantine_until": "",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_same_bad_name_is_refused_by_the_page_the_api_the_admin_and_the_service(
    as_secretary, as_office, secretary, compound_a, household_a, name
):
    before = registry_counts()
    # The page form.
    page = reverse("residents:resident-create", args=[compound_a.pk, household_a.pk])
    response = as_secretary.post(page, resident_form(name=name))
    assert response.status_code == 200
    assert response.context["form"].has_error("name", CODE)
    # The API.
    response = post_json(
        as_secretary, f"{API}residents/", {"household": household_a.pk, "name": name}
    )
    assert_refused(response)
    # The admin.
    response = as_office.post(
        reverse("admin:residents_resident_add"),
        {**resident_form(name=name), "household": household_a.pk},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("name", CODE)
    # The service, called directly.
    with pytest.raises(ResidentError) as info:
        services.resident_create(household=household_a, actor=secretary, name=name)
    assert info.value.code == CODE and info.value.params["field"] == "name"
    assert registry_counts() == before


@pytest.mark.parametrize("name", [n for n in BAD_NAMES if not ILLEGAL_CHARACTERS_RE.search(n)])
def test_the_import_refuses_the_bad_name_with_row_and_column_and_saves_nothing(
    compound_a, secretary, name
):
    wb = Workbook()
    wb.active.append(["楼栋", "房号", "姓名"])
    wb.active.append(["20", "1702", "李春华"])
    wb.active.append(["20", "1702", name])
    buffer = io.BytesIO()
    wb.save(buffer)
    before = registry_counts()
    result = households_import(
        compound=compound_a, file=SimpleUploadedFile("x.xlsx", buffer.getvalue()), actor=secretary
    )
    assert [(issue.row, issue.column) for issue in result.errors] == [(3, "姓名")]
    assert "U+" in result.errors[0].message
    assert registry_counts() == before


def test_the_import_refuses_a_control_character_in_any_text_column(compound_a, secretary):
    wb = Workbook()
    wb.active.append(["楼栋", "单元", "房号", "户联系电话", "姓名", "性别", "返回地"])
    wb.active.append(["20\u202e", "1", "1702", "13807901234", "李春华", "女", ""])
    wb.active.append(["20", "1\x7f", "1703", "13807901234", "李春", "女", ""])
    wb.active.append(["20", "1", "17\x8504", "13807901234", "李华", "女", ""])
    wb.active.append(["20", "1", "1705", "138\t0790", "张华", "女", ""])
    wb.active.append(["20", "1", "1706", "13807901234", "王华", "女\u202e", ""])
    wb.active.append(["20", "1", "1707", "13807901234", "赵华", "女", "武\n汉"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = households_import(
        compound=compound_a, file=SimpleUploadedFile("x.xlsx", buffer.getvalue()), actor=secretary
    )
    assert [(i.row, i.column) for i in result.errors] == [
        (2, "楼栋"),
        (3, "单元"),
        (4, "房号"),
        (5, "户联系电话"),
        (6, "性别"),
        (7, "返回地"),
    ]
    assert all("U+" in i.message for i in result.errors)
    assert Household.objects.count() == 0


# --- The gate office's writes ----------------------------------------------------------


@pytest.fixture
def alert_a(household_a, gate_a, volunteer):
    card = f.card(household=household_a)
    passage = gate.passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("38.4"),
        actor=volunteer,
        client_id=uuid.uuid4(),
    ).passage
    return FeverAlert.objects.get(passage=passage)


def test_fever_alert_note_refuses_control_characters_on_the_page_and_in_the_service(
    as_secretary, secretary, compound_a, alert_a
):
    url = reverse("residents:alert", args=[compound_a.pk, alert_a.pk])
    response = as_secretary.post(url, {"status": "reported", "note": "已报\x07社区"})
    assert response.status_code == 400
    assert response.context["form"].has_error("note", CODE)
    with pytest.raises(ResidentError) as info:
        services.fever_alert_handle(
            alert=alert_a, status="reported", actor=secretary, note="a\u202eb"
        )
    assert info.value.code == CODE and info.value.params["field"] == "note"
    assert not FeverAction.objects.exists()
    alert_a.refresh_from_db()
    assert alert_a.status == FeverAlert.Status.OPEN


def test_fever_alert_note_keeps_its_lines(as_secretary, secretary, compound_a, alert_a):
    services.fever_alert_handle(
        alert=alert_a, status="reported", actor=secretary, note="已报社区\r\n等待回电\t😷"
    )
    assert FeverAction.objects.get().note == "已报社区\n等待回电\t😷"


def test_work_pass_refuses_control_characters_on_the_page_and_in_the_service(
    as_secretary, secretary, compound_a, resident_a
):
    url = reverse("checkpoints:work-passes", args=[compound_a.pk, resident_a.pk])
    data = {
        "work_unit": "区人民\x0b医院",
        "certificate": "医字2020-017",
        "valid_from": "2020-02-01",
        "valid_to": "2020-03-01",
    }
    response = as_secretary.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].has_error("work_unit", CODE)
    with pytest.raises(CheckpointError) as info:
        gate.work_pass_create(
            resident=resident_a,
            actor=secretary,
            work_unit="区人民医院",
            certificate="医字\n2020-017",
            valid_from=datetime.date(2020, 2, 1),
            valid_to=datetime.date(2020, 3, 1),
        )
    assert info.value.code == CODE and info.value.params["field"] == "certificate"
    assert not WorkPass.objects.exists()


def test_admin_refuses_control_characters_in_the_kernel_models(as_office, compound_a):
    url = reverse("admin:compounds_building_add")
    response = as_office.post(
        url,
        {
            "compound": compound_a.pk,
            "number": "2\x071",
            "note": "",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("number", CODE)
    assert not Building.objects.filter(compound=compound_a).exists()


# --- Multi-line text ------------------------------------------------------------------


def test_household_note_keeps_newlines_and_gets_unix_ones(secretary, compound_a, household_a):
    household = services.household_update(
        household=household_a, actor=secretary, note="独居老人\r\n每天送菜\r下午\t3点"
    )
    household.refresh_from_db()
    assert household.note == "独居老人\n每天送菜\n下午\t3点"


def test_api_note_keeps_newlines_and_emoji_names_are_accepted(as_secretary, household_a):
    response = post_json(
        as_secretary,
        f"{API}residents/",
        {"household": household_a.pk, "name": "王😷", "note": "一\r\n二", "relation": "head"},
    )
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    assert (resident.name, resident.note) == ("王😷", "一\n二")


def test_page_form_keeps_note_lines(as_secretary, compound_a, household_a):
    page = reverse("residents:resident-create", args=[compound_a.pk, household_a.pk])
    response = as_secretary.post(page, resident_form(name="李👨\u200d👩\u200d👧", note="一\r\n二"))
    assert response.status_code == 302, response.context["form"].errors
    assert Resident.objects.get(name="李👨\u200d👩\u200d👧").note == "一\n二"


def test_a_lone_surrogate_from_json_is_refused_not_a_server_error(as_secretary, household_a):
    # JSON can spell half of a UTF-16 pair ("\ud800"); neither PostgreSQL nor XML takes it.
    response = as_secretary.post(
        f"{API}residents/",
        '{"household": HH, "name": "\\ud800", "relation": "head"}'.replace(
            "HH", str(household_a.pk)
        ),
        content_type="application/json",
    )
    assert_refused(response)


def test_notes_are_typed_in_a_text_area_and_shown_with_their_lines(
    as_secretary, secretary, compound_a, household_a
):
    services.household_update(household=household_a, actor=secretary, note="独居老人\n每天送菜")
    page = as_secretary.get(reverse("residents:household", args=[compound_a.pk, household_a.pk]))
    assert "独居老人<br>每天送菜" in page.content.decode()
    edit = reverse("residents:household-edit", args=[compound_a.pk, household_a.pk])
    assert '<textarea name="note"' in as_secretary.get(edit).content.decode()
