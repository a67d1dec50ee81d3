"""Erasure on request: a resident anonymised in place, everywhere, for good."""

import datetime
import io
import json
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from checkpoints import services as gate
from compounds.models import AuditEntry
from compounds.office import office_group
from residents import selectors, services
from residents.errors import Code, ResidentError
from residents.excel import households_import
from residents.models import ERASED_NAME, Resident
from tests import factories as f

OLD = {"name": "王秘密", "phone": "13912345678", "note": "楼下王阿姨的儿子"}


@pytest.fixture
def person(household_a, secretary):
    resident = services.resident_create(
        household=household_a,
        actor=secretary,
        name=OLD["name"],
        phone=OLD["phone"],
        id_number=f.id_number(serial=77),
        birth_year=1961,
        note=OLD["note"],
        returnee=True,
        returned_from="武汉市江汉区",
    )
    # Every field that erasure clears has an old value in the trail.
    services.resident_update(resident=resident, actor=secretary, phone="13912340000")
    return resident


def _feveralert(resident, secretary, **_):
    return services.fever_alert_raise(
        compound=resident.household.compound,
        source="phone",
        temperature=Decimal("38.2"),
        actor=secretary,
        household=resident.household,
        resident=resident,
    )


def _workpass(resident, secretary, **_):
    day = datetime.date.today()
    return gate.work_pass_create(
        resident=resident,
        actor=secretary,
        work_unit="市第一医院",
        certificate="A-1",
        valid_from=day,
        valid_to=day,
    )


def _passage(resident, secretary, *, gate_a, volunteer):
    card = f.card(household=resident.household, actor=secretary)
    return gate.passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("36.5"),
        actor=volunteer,
        client_id=uuid.uuid4(),
        resident_id=resident.pk,
    ).passage


def _duty_log(resident, secretary, **_):
    from checkpoints.rosters import services as rosters
    from checkpoints.rosters.models import DutyLogResident

    entry = rosters.log_record(
        compound=resident.household.compound,
        actor=secretary,
        kind="sent_home",
        what_happened="劝返",
        people=resident.name,
    )
    return DutyLogResident.objects.get(entry=entry)


def _quarantine(resident, secretary, **_):
    from residents.quarantine.services import quarantine_start

    return quarantine_start(resident=resident, actor=secretary, reason="returnee")


def _close_contact(resident, secretary, **_):
    from residents.quarantine.models import CloseContact

    return CloseContact.objects.create(
        compound=resident.household.compound,
        case=resident,
        contact=resident,
        name=resident.name,
        last_contact_on=datetime.date.today(),
    )


def _named_contact(resident, secretary, **_):
    from compounds.models import Branch, BranchMember
    from residents.quarantine.models import NamedContact

    branch = Branch.objects.create(
        name="支部", compound=resident.household.compound, founded_on=datetime.date(2020, 2, 2)
    )
    member = BranchMember.objects.create(branch=branch, name="单线联系人")
    return NamedContact.objects.create(resident=resident, member=member)


# One maker per model pointing at a resident. A model added later with a key to Resident
# fails ``test_erasure_walks_every_foreign_key_to_a_resident`` until it gets one here.
MAKERS: dict[str, Callable[..., models.Model]] = {
    "residents.FeverAlert": _feveralert,
    "checkpoints.WorkPass": _workpass,
    "checkpoints.Passage": _passage,
    "checkpoints.DutyLogResident": _duty_log,
    "residents.Quarantine": _quarantine,
    "residents.CloseContact": _close_contact,
    "residents.NamedContact": _named_contact,
}


def _keys_to_resident() -> list[models.ForeignKey]:
    """Every key to a resident in every app (one-to-one keys are foreign keys too)."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is Resident
    ]


def test_erasure_walks_every_foreign_key_to_a_resident(person, secretary, gate_a, volunteer):
    keys = _keys_to_resident()
    reverse_keys = {r.field for r in Resident._meta.related_objects}
    assert set(keys) >= reverse_keys and keys
    unknown = {k.model._meta.label for k in keys} - MAKERS.keys()
    assert not unknown, f"add a maker for {unknown} to MAKERS"
    made = {
        key: MAKERS[key.model._meta.label](person, secretary, gate_a=gate_a, volunteer=volunteer)
        for key in keys
    }

    services.resident_erase(resident=person, actor=secretary, reason="本人申请")

    for key, row in made.items():
        again = key.model._default_manager.get(pk=row.pk)
        assert getattr(again, key.attname) == person.pk, key


def test_erasure_clears_the_personal_fields_and_keeps_the_row(person, secretary):
    erased = services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    person.refresh_from_db()
    assert person.pk == erased.pk and person.erased_at is not None
    assert person.name == ERASED_NAME
    assert (person.phone, person.id_number, person.note, person.returned_from) == ("",) * 4
    assert person.birth_year is None
    assert person.returnee  # the figures keep their counts
    assert str(person) == "已删除"


def test_no_audit_entry_mentions_the_old_values(person, secretary):
    old_id = person.id_number
    services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    trail = json.dumps(
        list(AuditEntry.objects.values("object_repr", "changes")), ensure_ascii=False
    )
    for value in [*OLD.values(), "13912340000", old_id, old_id[-4:], "武汉市江汉区", "1961"]:
        assert value not in trail
    own = AuditEntry.objects.get(action="resident_erase")
    assert own.changes["reason"] == "本人申请" and own.object_repr == ERASED_NAME


def test_search_by_the_old_name_or_phone_finds_nothing(person, secretary, compound_a):
    assert selectors.household_search(compound=compound_a, query="王秘密", full_phones=True)
    services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    for query in ["王秘密", "0000", ERASED_NAME]:
        found = selectors.household_search(compound=compound_a, query=query, full_phones=True)
        assert not found.exists(), query


def test_an_erased_resident_cannot_be_edited_back(person, secretary):
    services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    with pytest.raises(ResidentError) as refused:
        services.resident_update(resident=person, actor=secretary, name="王秘密")
    assert refused.value.code == Code.RESIDENT_ERASED
    with pytest.raises(ResidentError) as again:
        services.resident_erase(resident=person, actor=secretary, reason="again")
    assert again.value.code == Code.RESIDENT_ERASED


def test_two_erased_residents_of_one_household_do_not_clash(person, household_a, secretary):
    other = f.resident(household=household_a, name="李四")
    services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    services.resident_erase(resident=other, actor=secretary, reason="本人申请")
    assert Resident.objects.filter(name=ERASED_NAME).count() == 2


def test_a_volunteer_may_not_erase(person, volunteer):
    with pytest.raises(ResidentError) as refused:
        services.resident_erase(resident=person, actor=volunteer, reason="本人申请")
    assert refused.value.code == Code.ERASE_FORBIDDEN
    person.refresh_from_db()
    assert person.name == "王秘密" and person.erased_at is None


def test_erasure_needs_a_reason(person, secretary):
    with pytest.raises(ResidentError) as refused:
        services.resident_erase(resident=person, actor=secretary, reason="  ")
    assert refused.value.code == Code.ERASE_REASON_REQUIRED


def test_an_erasure_reason_with_a_control_character_is_refused(person, secretary):
    with pytest.raises(ResidentError) as refused:
        services.resident_erase(resident=person, actor=secretary, reason="本人\x00申请")
    assert refused.value.code == "text_control_character"
    person.refresh_from_db()
    assert person.name == "王秘密" and person.erased_at is None


def test_officer_may_erase(person, officer):
    services.resident_erase(resident=person, actor=officer, reason="本人申请")
    person.refresh_from_db()
    assert person.erased_at is not None


def _erase_url(resident):
    return reverse("residents:resident-erase", args=[resident.household.compound_id, resident.pk])


def test_secretary_erases_from_the_resident_page_after_confirming(person, as_secretary):
    edit = reverse("residents:resident-edit", args=[person.household.compound_id, person.pk])
    assert _erase_url(person) in as_secretary.get(edit).content.decode()
    unconfirmed = as_secretary.post(_erase_url(person), {"reason": "本人申请"})
    assert unconfirmed.status_code == 200
    person.refresh_from_db()
    assert person.erased_at is None

    done = as_secretary.post(_erase_url(person), {"reason": "本人申请", "confirm": "on"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.name == ERASED_NAME and person.erased_at is not None


def test_volunteer_may_not_erase_through_the_page(person, as_volunteer):
    response = as_volunteer.post(_erase_url(person), {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.erased_at is None


def test_the_office_erases_through_the_admin_action(person, officer):
    officer.groups.add(office_group())
    client = Client()
    client.force_login(officer)
    response = client.post(
        reverse("admin:residents_resident_changelist"),
        {"action": "erase", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == ERASED_NAME and person.erased_at is not None
    page = client.get(reverse("admin:residents_resident_change", args=[person.pk]))
    assert page.status_code == 200 and "王秘密" not in page.content.decode()


def test_an_import_cannot_write_onto_an_erased_resident(person, secretary, as_secretary):
    compound = person.household.compound
    services.resident_erase(resident=person, actor=secretary, reason="本人申请")
    export = as_secretary.get(reverse("residents:export", args=[compound.pk]))
    workbook = load_workbook(io.BytesIO(export.content))
    sheet = workbook.active
    assert sheet.cell(row=2, column=5).value == ERASED_NAME
    sheet.cell(row=2, column=8).value = "13912345678"
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("Returned from") + 1).value = "武汉"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = households_import(
        compound=compound, file=SimpleUploadedFile("x.xlsx", buffer.getvalue()), actor=secretary
    )
    assert result.errors == [] and result.residents_created == 0
    person.refresh_from_db()
    assert (person.phone, person.returned_from) == ("", "")
