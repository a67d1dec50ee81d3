"""Archiving a compound at the end of the emergency: handed over, purged, kept, frozen."""

import hashlib
import io
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from bastion import archive
from checkpoints.models import Passage
from checkpoints.services import passage_record
from compounds.errors import CompoundArchived, CompoundError
from compounds.models import AuditEntry, Compound
from compounds.office import is_ours
from residents import services
from residents.models import ERASED_NAME, FeverAlert, Household, Resident
from tests import factories as f

OLD = {
    "name": "王秘密",
    "phone": "15399990001",
    "id_number": f.id_number(birth="19610203", serial=417),
    "contact": "15399990002",
    "note": "楼下王阿姨的儿子",
}


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"
    return settings.ARCHIVE_DIR


@pytest.fixture
def register(household_a, resident_a, gate_a, secretary, volunteer, household_b):
    """Compound A with a resident changed twice (old values in the trail), a passage, a
    fever alert with a note; compound B with a resident of its own."""
    services.household_update(
        household=household_a, actor=secretary, contact_phone=OLD["contact"], note="二楼"
    )
    person = services.resident_create(
        household=household_a,
        actor=secretary,
        name=OLD["name"],
        phone=OLD["phone"],
        id_number=OLD["id_number"],
        birth_year=1961,
        note=OLD["note"],
        elderly_alone=True,
    )
    services.resident_update(resident=person, actor=secretary, phone="15399990003")
    card = f.card(household=household_a, actor=secretary)
    passage = passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("38.3"),
        actor=volunteer,
        client_id=uuid.uuid4(),
        resident_id=person.pk,
    ).passage
    services.fever_alert_handle(
        alert=passage.fever_alert, status="remeasured", actor=secretary, note="王秘密 在家"
    )
    f.resident(household=household_b, name="钱南嘉", phone="15399990009")
    return household_a.compound


def _counts() -> dict[str, int]:
    """Rows of every model of our apps (a model added later is counted too)."""
    return {
        model._meta.label: model._default_manager.count()
        for config in apps.get_app_configs()
        if is_ours(config)
        for model in config.get_models()
    }


def test_the_register_is_handed_over_in_excel_before_it_is_purged(register, officer):
    done = archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")

    assert done.path.exists() and oct(done.path.stat().st_mode & 0o777) == "0o600"
    content = done.path.read_bytes()
    assert hashlib.sha256(content).hexdigest() == done.sha256
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {OLD["name"], OLD["id_number"], "15399990003", OLD["contact"], "张小流"} <= cells
    assert "钱南嘉" not in cells  # another compound's register is not in this file
    figures = load_workbook(io.BytesIO(content)).worksheets[1]
    assert [c.value for c in figures[1]] == ["Figure", "Value"]

    # Recorded as an export, with the file's fingerprint, before the purge and the mark.
    trail = list(AuditEntry.objects.filter(compound=register).order_by("pk"))
    actions = [e.action for e in trail]
    export = trail[actions.index("archive_export")]
    assert export.changes == {"rows": done.rows, "file": done.path.name, "sha256": done.sha256}
    assert export.actor == officer
    assert actions.index("archive_export") < actions.index("compound_purge")
    assert actions.index("compound_purge") < actions.index("compound_archive")


def test_every_resident_is_anonymised_and_the_trail_masked(register, officer, compound_b):
    archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")

    residents = Resident.objects.filter(household__compound=register)
    assert residents.count() == 2
    for r in residents:
        assert (r.name, r.phone, r.id_number, r.note, r.birth_year) == (
            ERASED_NAME,
            "",
            "",
            "",
            None,
        )
        assert r.erased_at is not None
    assert residents.filter(elderly_alone=True).count() == 1  # the flags stay for the figures
    household = Household.objects.get(compound=register)
    assert (household.contact_phone, household.note) == ("", "")
    trail = json.dumps(
        list(AuditEntry.objects.filter(compound=register).values("object_repr", "changes")),
        ensure_ascii=False,
    )
    # Digests and ids (the handover file's SHA-256, client ids) may hold any four digits
    # by chance: they are not personal data, and are left out of the search.
    trail = re.sub(
        r"[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", trail
    )
    for value in [*OLD.values(), "15399990003", OLD["id_number"][-4:], "二楼", "1961"]:
        assert value not in trail, value
    assert not FeverAlert.objects.filter(actions__note__contains="王秘密").exists()
    # Compound B is untouched.
    assert Resident.objects.get(household__compound=compound_b).name == "钱南嘉"


def test_every_row_and_every_figure_is_kept(register, officer):
    before = _counts()
    figures = archive.figures(register)
    done = archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")
    after = _counts()

    assert after.pop("compounds.AuditEntry") == before.pop("compounds.AuditEntry") + 3
    assert after == before
    assert archive.figures(register) == figures == done.figures
    assert figures["passages"] == 1 and figures["fever_alerts"] == 1
    passage = Passage.objects.get(compound=register)
    assert passage.resident.name == ERASED_NAME  # the key still holds


def test_every_write_is_refused_once_archived(register, officer, secretary, volunteer, gate_a):
    archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")
    household = Household.objects.get(compound=register)

    with pytest.raises(CompoundArchived) as refused:
        services.resident_create(household=household, actor=secretary, name="新来的")
    assert refused.value.code == "compound_archived"
    assert "绿景水岸 was archived" in str(refused.value.message)
    with pytest.raises(CompoundArchived):
        services.household_update(household=household, actor=secretary, note="x")
    with pytest.raises(CompoundArchived):
        Compound.objects.get(pk=register.pk).save()

    from django.test import Client

    as_secretary, as_volunteer = Client(), Client()
    as_secretary.force_login(secretary)
    as_volunteer.force_login(volunteer)
    page = as_secretary.post(
        reverse("residents:household-create", args=[register.pk]),
        {"building": household.building_id, "room": "101"},
    )
    assert page.status_code == 409
    assert "was archived at the end of the emergency" in page.content.decode()
    api = as_secretary.post(
        "/api/v1/residents/",
        {"household": household.pk, "name": "新来的"},
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["code"] == "compound_archived"
    gate = as_volunteer.post(
        "/api/v1/passages/",
        {
            "gate": gate_a.pk,
            "card": "ANY",
            "direction": "out",
            "temperature": 36.5,
            "client_id": str(uuid.uuid4()),
        },
        content_type="application/json",
    )
    assert gate.status_code == 409 and gate.json()["code"] == "compound_archived"
    assert Resident.objects.filter(name="新来的").count() == 0
    # Reading still works, and so does the record of reading it.
    assert as_secretary.get(reverse("residents:households", args=[register.pk])).status_code == 200
    assert as_secretary.get(reverse("residents:export", args=[register.pk])).status_code == 200
    with pytest.raises(CompoundArchived):
        archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")


def test_only_the_office_may_archive_and_only_when_confirmed(register, secretary, officer):
    with pytest.raises(CompoundError) as refused:
        archive.compound_archive(compound=register, actor=secretary, confirm_name="绿景水岸")
    assert refused.value.code == "archive_forbidden"
    with pytest.raises(CompoundError) as unconfirmed:
        archive.compound_archive(compound=register, actor=officer, confirm_name="绿景")
    assert unconfirmed.value.code == "archive_not_confirmed"
    assert Resident.objects.filter(name=OLD["name"]).exists()
    assert Compound.objects.get(pk=register.pk).archived_at is None
    assert not AuditEntry.objects.filter(action="archive_export").exists()
    assert archive.archive_files(register) == []


def test_a_register_changed_while_the_file_was_written_is_not_purged(
    register, officer, monkeypatch
):
    states = iter([("before",), ("after",)])
    monkeypatch.setattr(archive, "register_state", lambda compound: next(states))
    with pytest.raises(CompoundError) as refused:
        archive.compound_archive(compound=register, actor=officer, confirm_name="绿景水岸")
    assert refused.value.code == "archive_register_changed"
    assert Resident.objects.filter(name=OLD["name"]).exists()
    assert Compound.objects.get(pk=register.pk).archived_at is None
    # The file was made and its export stays recorded: someone may have it.
    assert AuditEntry.objects.filter(action="archive_export").count() == 1


def test_the_office_archives_from_the_page_and_gets_the_file_as_the_answer(
    register, officer, as_officer, as_secretary, as_volunteer
):
    url = reverse("compound-archive", args=[register.pk])
    home = reverse("compound-home", args=[register.pk])
    assert url in as_officer.get(home).content.decode()  # the office's button
    assert url not in as_secretary.get(home).content.decode()
    assert as_secretary.get(url).status_code == 403
    assert as_volunteer.post(url, {"confirm_name": "绿景水岸", "confirm": "on"}).status_code == 403
    page = as_officer.get(url).content.decode()
    assert "archive-form" in page
    unconfirmed = as_officer.post(url, {"confirm_name": "绿景水岸"})
    assert unconfirmed.status_code == 200
    assert Compound.objects.get(pk=register.pk).archived_at is None

    answer = as_officer.post(url, {"confirm_name": "绿景水岸", "confirm": "on"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(answer.streaming_content)
    (kept,) = archive.archive_files(register)
    assert body == kept.read_bytes()
    assert Compound.objects.get(pk=register.pk).archived_at is not None

    after = as_officer.get(url).content.decode()
    assert "archive-form" not in after and kept.name in after
    again = as_officer.get(reverse("compound-archive-file", args=[register.pk]))
    assert b"".join(again.streaming_content) == body
    assert AuditEntry.objects.filter(action="archive_export").count() == 2
    home = as_officer.get(reverse("compound-home", args=[register.pk])).content.decode()
    assert "read-only, personal data purged" in home


def test_the_command_archives_and_prints_the_file(register, officer, capsys):
    call_command("archive_compound", str(register.pk), "--actor=officer", "--confirm=绿景水岸")
    out = capsys.readouterr().out
    assert "archive_file: " in out and "residents_anonymised: 2" in out
    assert not Resident.objects.filter(name=OLD["name"]).exists()
