"""Registry writes: each refusal code, nothing partial written, audit rows with their diff."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from compounds.models import AuditEntry
from residents import services
from residents.errors import Code, ResidentError
from residents.models import FeverAlert, HealthRules, Household, Resident
from tests import factories as f


def audit_rows(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk)


# --- household_create ----------------------------------------------------------------


def test_household_create_writes_household_and_audit(compound_a, building_a, secretary):
    unit = f.unit(building=building_a, number="2")
    household = services.household_create(
        compound=compound_a,
        actor=secretary,
        building=building_a,
        unit=unit,
        room=" 1801 ",
        contact_phone="13907905678",
        note="",
    )
    assert household.compound == compound_a
    assert household.room == "1801"
    assert household.address == "20-2-1801"
    entry = audit_rows(household).get()
    assert entry.action == "household_create"
    assert entry.actor == secretary
    assert entry.compound == compound_a
    assert entry.changes == {
        "address": [None, "20-2-1801"],
        "contact_phone": [None, "13907905678"],
    }


def test_household_create_refuses_building_of_another_compound(compound_a, building_b, secretary):
    with pytest.raises(ResidentError) as caught:
        services.household_create(
            compound=compound_a,
            actor=secretary,
            building=building_b,
            unit=None,
            room="101",
            contact_phone="",
            note="",
        )
    assert caught.value.code == Code.BUILDING_OTHER_COMPOUND
    assert caught.value.params["field"] == "building"
    assert not Household.objects.filter(room="101").exists()
    assert not AuditEntry.objects.exists()


def test_household_create_refuses_unit_of_another_building(compound_a, building_a, secretary):
    other = f.building(compound=compound_a, number="21")
    unit = f.unit(building=other, number="1")
    with pytest.raises(ResidentError) as caught:
        services.household_create(
            compound=compound_a,
            actor=secretary,
            building=building_a,
            unit=unit,
            room="101",
            contact_phone="",
            note="",
        )
    assert caught.value.code == Code.UNIT_OTHER_BUILDING
    assert not Household.objects.filter(room="101").exists()


def test_household_create_refuses_an_address_already_registered(compound_a, household_a, secretary):
    with pytest.raises(ResidentError) as caught:
        services.household_create(
            compound=compound_a,
            actor=secretary,
            building=household_a.building,
            unit=None,
            room="1702",
            contact_phone="",
            note="",
        )
    assert caught.value.code == Code.HOUSEHOLD_EXISTS
    assert Household.objects.filter(room="1702").count() == 1


def test_household_create_refuses_a_bad_phone_with_the_field_named(
    compound_a, building_a, secretary
):
    with pytest.raises(ResidentError) as caught:
        services.household_create(
            compound=compound_a,
            actor=secretary,
            building=building_a,
            unit=None,
            room="101",
            contact_phone="call me",
            note="",
        )
    assert caught.value.code == Code.PHONE_FORMAT
    assert "contact_phone" in caught.value.params["errors"]
    assert not Household.objects.filter(room="101").exists()
    assert not AuditEntry.objects.exists()


# --- household_update ----------------------------------------------------------------


def test_household_update_records_only_changed_fields(household_a, secretary):
    services.household_update(
        household=household_a, actor=secretary, contact_phone="13600001111", note=""
    )
    household_a.refresh_from_db()
    assert household_a.contact_phone == "13600001111"
    entry = audit_rows(household_a).get()
    assert entry.action == "household_update"
    assert entry.changes == {"contact_phone": ["13807901234", "13600001111"]}


def test_household_update_moving_room_records_the_address(household_a, secretary):
    services.household_update(household=household_a, actor=secretary, room="1703")
    entry = audit_rows(household_a).get()
    assert entry.changes == {"address": ["20-1702", "20-1703"]}


def test_household_update_without_change_writes_no_audit(household_a, secretary):
    services.household_update(household=household_a, actor=secretary, room="1702")
    assert not audit_rows(household_a).exists()


def test_household_update_uses_database_values_for_before(household_a, secretary):
    # A bound ModelForm writes into its instance before the service runs.
    household_a.contact_phone = "13600001111"
    services.household_update(household=household_a, actor=secretary, contact_phone="13600001111")
    assert audit_rows(household_a).get().changes == {
        "contact_phone": ["13807901234", "13600001111"]
    }


def test_household_update_refuses_building_of_another_compound(household_a, building_b, secretary):
    with pytest.raises(ResidentError) as caught:
        services.household_update(household=household_a, actor=secretary, building=building_b)
    assert caught.value.code == Code.BUILDING_OTHER_COMPOUND
    household_a.refresh_from_db()
    assert household_a.building.number == "20"


def test_household_update_refuses_moving_onto_another_household(building_a, household_a, secretary):
    other = f.household(building=building_a, room="1703")
    with pytest.raises(ResidentError) as caught:
        services.household_update(household=other, actor=secretary, room="1702")
    assert caught.value.code == Code.HOUSEHOLD_EXISTS
    other.refresh_from_db()
    assert other.room == "1703"


def test_household_update_refuses_unknown_fields(household_a, compound_b, secretary):
    with pytest.raises(ResidentError) as caught:
        services.household_update(household=household_a, actor=secretary, compound=compound_b)
    assert caught.value.code == Code.UNKNOWN_FIELD
    household_a.refresh_from_db()
    assert household_a.compound_id != compound_b.pk


# --- resident_create -----------------------------------------------------------------


def test_resident_create_upper_cases_id_and_audits_it_masked(household_a, secretary):
    id_with_x = None
    for serial in range(1, 400):  # find a serial whose check digit is X
        candidate = f.id_number(serial=serial)
        if candidate.endswith("X"):
            id_with_x = candidate
            break
    assert id_with_x is not None
    resident = services.resident_create(
        household=household_a,
        actor=secretary,
        name="王芳",
        phone="13912345678",
        id_number=id_with_x.lower(),
        elderly_alone=True,
    )
    assert resident.id_number == id_with_x
    entry = audit_rows(resident).get()
    assert entry.action == "resident_create"
    assert entry.changes["name"] == [None, "王芳"]
    assert entry.changes["elderly_alone"] == [None, True]
    assert entry.changes["id_number"] == ["", id_with_x[:4] + "*" * 10 + id_with_x[-4:]]
    assert id_with_x not in str(entry.changes)


def test_resident_create_refuses_a_name_already_in_the_household(resident_a, secretary):
    with pytest.raises(ResidentError) as caught:
        services.resident_create(household=resident_a.household, actor=secretary, name="张小流")
    assert caught.value.code == Code.RESIDENT_EXISTS
    assert caught.value.params["field"] == "name"
    assert Resident.objects.filter(name="张小流").count() == 1


def test_resident_create_refuses_an_id_number_registered_elsewhere(
    building_a, resident_a, secretary
):
    other = f.household(building=building_a, room="301")
    with pytest.raises(ResidentError) as caught:
        services.resident_create(
            household=other, actor=secretary, name="李四", id_number=resident_a.id_number
        )
    assert caught.value.code == Code.ID_NUMBER_REGISTERED
    # The message names where, never the number itself.
    assert resident_a.id_number not in str(caught.value)
    assert "20-1702" in str(caught.value)
    assert not other.residents.exists()


def test_resident_create_refuses_a_bad_id_checksum(household_a, secretary):
    good = f.id_number(serial=5)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(ResidentError) as caught:
        services.resident_create(household=household_a, actor=secretary, name="李四", id_number=bad)
    assert caught.value.code == Code.ID_CHECKSUM
    assert "id_number" in caught.value.params["errors"]
    assert not Resident.objects.filter(name="李四").exists()
    assert not AuditEntry.objects.exists()


def test_resident_create_refuses_a_birth_year_out_of_range(household_a, secretary):
    with pytest.raises(ResidentError) as caught:
        services.resident_create(
            household=household_a,
            actor=secretary,
            name="李四",
            birth_year=timezone.localdate().year + 1,
        )
    assert caught.value.code == Code.BIRTH_YEAR_RANGE
    assert not Resident.objects.filter(name="李四").exists()


def test_resident_create_refuses_a_return_date_in_the_future(household_a, secretary):
    with pytest.raises(ResidentError) as caught:
        services.resident_create(
            household=household_a,
            actor=secretary,
            name="李四",
            returnee=True,
            returned_from="武汉",
            returned_on=timezone.localdate() + timedelta(days=2),
        )
    assert caught.value.code == Code.RETURNED_ON_FUTURE


def test_resident_create_refuses_unknown_fields(household_a, secretary):
    with pytest.raises(ResidentError) as caught:
        services.resident_create(
            household=household_a, actor=secretary, name="李四", created_at=None
        )
    assert caught.value.code == Code.UNKNOWN_FIELD


# --- resident_update -----------------------------------------------------------------


def test_resident_update_writes_diff_of_changed_fields(resident_a, secretary):
    old_phone = resident_a.phone
    services.resident_update(
        resident=resident_a,
        actor=secretary,
        name="张小流",
        phone="13700001234",
        elderly_alone=True,
    )
    resident_a.refresh_from_db()
    assert resident_a.phone == "13700001234"
    assert resident_a.elderly_alone
    entry = audit_rows(resident_a).get()
    assert entry.action == "resident_update"
    assert entry.actor == secretary
    assert entry.changes == {
        "phone": [old_phone, "13700001234"],
        "elderly_alone": [False, True],
    }


def test_resident_update_masks_both_id_numbers_in_the_audit(resident_a, secretary):
    old = resident_a.id_number
    new = f.id_number(birth="19750505", serial=321)
    services.resident_update(resident=resident_a, actor=secretary, id_number=new)
    entry = audit_rows(resident_a).get()
    assert entry.changes["id_number"] == [
        old[:4] + "*" * 10 + old[-4:],
        new[:4] + "*" * 10 + new[-4:],
    ]
    assert old not in str(entry.changes) and new not in str(entry.changes)


def test_resident_update_refuses_a_name_taken_in_the_household(resident_a, secretary):
    other = f.resident(household=resident_a.household, name="王芳")
    with pytest.raises(ResidentError) as caught:
        services.resident_update(resident=other, actor=secretary, name="张小流")
    assert caught.value.code == Code.RESIDENT_EXISTS
    other.refresh_from_db()
    assert other.name == "王芳"


def test_resident_update_may_keep_its_own_id_number(resident_a, secretary):
    services.resident_update(
        resident=resident_a, actor=secretary, id_number=resident_a.id_number.lower(), note="ok"
    )
    entry = audit_rows(resident_a).get()
    assert entry.changes == {"note": ["", "ok"]}


def test_resident_update_refuses_a_bad_phone_and_keeps_the_old_one(resident_a, secretary):
    old_phone = resident_a.phone
    with pytest.raises(ResidentError) as caught:
        services.resident_update(resident=resident_a, actor=secretary, phone="abc")
    assert caught.value.code == Code.PHONE_FORMAT
    resident_a.refresh_from_db()
    assert resident_a.phone == old_phone
    assert not AuditEntry.objects.exists()


# --- Health: the fever line and fever alerts -------------------------------------------


def test_a_fever_alert_is_the_persons_whatever_measured_it(
    compound_a, household_a, resident_a, volunteer
):
    at = datetime(2020, 2, 13, 8, 0, tzinfo=UTC)
    alert = services.fever_alert_raise(
        compound=compound_a,
        source=FeverAlert.Source.QUARANTINE_CHECK,
        resident=resident_a,
        temperature=Decimal("38.04"),
        actor=volunteer,
        at=at,
    )
    alert.refresh_from_db()
    assert (alert.source, alert.household_id, alert.resident_id) == (
        "quarantine_check",
        household_a.pk,
        resident_a.pk,
    )
    assert (alert.temperature, alert.status, alert.created_at) == (Decimal("38.0"), "open", at)


def test_a_phoned_in_fever_needs_no_household(compound_a, secretary):
    alert = services.fever_alert_raise(
        compound=compound_a, source="phone", temperature=Decimal("38.5"), actor=secretary
    )
    assert (alert.household, alert.resident) == (None, None)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"source": "rumour"}, Code.ALERT_SOURCE_INVALID),
        ({"temperature": Decimal("44.0")}, Code.TEMPERATURE_OUT_OF_RANGE),
        ({"household": "b"}, Code.ALERT_OTHER_COMPOUND),
        ({"resident": "b"}, Code.ALERT_OTHER_COMPOUND),
    ],
)
def test_a_fever_alert_that_cannot_be_is_refused(
    overrides, code, compound_a, household_a, household_b, volunteer
):
    kwargs = {
        "compound": compound_a,
        "source": "door_visit",
        "household": household_a,
        "temperature": Decimal("38.2"),
        "actor": volunteer,
    }
    if overrides.get("household") == "b":
        overrides["household"] = household_b
    if overrides.get("resident") == "b":
        overrides["resident"] = f.resident(household=household_b)
    with pytest.raises(ResidentError) as error:
        services.fever_alert_raise(**{**kwargs, **overrides})
    assert error.value.code == code
    assert not FeverAlert.objects.exists()


def test_fever_alert_handling_is_recorded_step_by_step(compound_a, household_a, secretary):
    alert = services.fever_alert_raise(
        compound=compound_a,
        source="door_visit",
        household=household_a,
        temperature=Decimal("38.0"),
        actor=secretary,
    )
    services.fever_alert_handle(
        alert=alert, status="remeasured", actor=secretary, temperature=Decimal("37.9")
    )
    services.fever_alert_handle(alert=alert, status="resolved", actor=secretary, note="普通感冒")
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert [a.status for a in alert.actions.all()] == ["remeasured", "resolved"]
    with pytest.raises(ResidentError) as error:
        services.fever_alert_handle(alert=alert, status="reported", actor=secretary)
    assert error.value.code == Code.ALERT_RESOLVED
    with pytest.raises(ResidentError) as error:
        services.fever_alert_handle(alert=alert, status="open", actor=secretary)
    assert error.value.code == Code.ALERT_STATUS_INVALID


def test_the_fever_line_is_set_once_for_every_app_and_audited(compound_a, secretary):
    services.health_rules_update(compound=compound_a, actor=secretary, fever_line=Decimal("37.5"))
    services.health_rules_update(compound=compound_a, actor=secretary, fever_line=Decimal("37.5"))
    assert HealthRules.objects.get(compound=compound_a).fever_line == Decimal("37.5")
    (entry,) = AuditEntry.objects.filter(object_type="healthrules")
    assert entry.changes == {"fever_line": ["37.3", "37.5"]}


def test_a_fever_line_out_of_range_is_refused(compound_a, secretary):
    with pytest.raises(ResidentError) as error:
        services.health_rules_update(
            compound=compound_a, actor=secretary, fever_line=Decimal("35.0")
        )
    assert error.value.code == Code.INVALID and error.value.params["field"] == "fever_line"
    assert HealthRules.objects.get(compound=compound_a).fever_line == Decimal("37.3")
