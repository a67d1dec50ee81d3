"""The community office's admin: scoped to the officer's community, audited, masked."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import reverse

from checkpoints.errors import CheckpointError
from checkpoints.models import CompoundRules, Passage, PassCard
from checkpoints.services import passage_record
from compounds.capabilities import capability_issue
from compounds.models import AuditEntry, Building
from compounds.office import office_group
from residents.models import FeverAlert, HealthRules, Household, Resident
from residents.services import fever_alert_handle
from tests import factories as f
from tests.capability_urls import DEMO

BASTION_APPS = ("compounds", "residents", "checkpoints")
MODELS = sorted(
    f"{m._meta.app_label}_{m._meta.model_name}"
    for m in django_admin.site._registry
    if m._meta.app_label in BASTION_APPS
)


def changelist(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


def record_fever(opening, household, user):
    card = PassCard.objects.filter(household=household, state="active").first() or f.card(
        household=household
    )
    decision = passage_record(
        opening=opening,
        code=card.number,
        direction="out",
        temperature=Decimal("38.2"),
        actor=user,
        client_id=uuid.uuid4(),
    )
    alert = FeverAlert.objects.get(passage=decision.passage)
    fever_alert_handle(alert=alert, status="remeasured", actor=user, temperature=Decimal("38.0"))
    return decision.passage


def record_refused(opening, household, user):
    """A check-in from a phone whose clock says 1970: refused, kept in RefusedUpload."""
    card = PassCard.objects.filter(household=household, state="active").first()
    with pytest.raises(CheckpointError):
        passage_record(
            opening=opening,
            code=card.number,
            direction="out",
            temperature=Decimal("36.6"),
            actor=user,
            client_id=uuid.uuid4(),
            recorded_at=datetime(1970, 1, 1, tzinfo=UTC),
        )


@pytest.fixture
def office(officer):
    officer.groups.add(office_group())
    return officer


@pytest.fixture
def as_office(office):
    c = Client()
    c.force_login(office)
    return c


@pytest.fixture
def superuser(db):
    return f.user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def as_superuser(superuser):
    c = Client()
    c.force_login(superuser)
    return c


@pytest.fixture
def full_a(household_a, resident_a, gate_a, volunteer, secretary):
    """Compound A with a row of every kind: card, work pass, branch, passage, fever alert."""
    from datetime import date

    from checkpoints.services import work_pass_create

    f.unit(building=household_a.building, number="1")
    f.branch(compound=household_a.compound, secretary_user=secretary)
    work_pass_create(
        resident=resident_a,
        actor=secretary,
        work_unit="区人民医院",
        certificate="医字2020-017",
        valid_from=date(2020, 2, 1),
        valid_to=date(2020, 3, 1),
    )
    record_fever(gate_a, household_a, volunteer)
    record_refused(gate_a, household_a, volunteer)
    capability_issue(purpose=DEMO, actor=secretary, obj=household_a, name="张家的链接")
    from residents.quarantine.services import quarantine_start
    from residents.rounds.services import round_open

    round_open(
        compound=household_a.compound,
        actor=secretary,
        number=1,
        title="第1轮全面排查",
        starts_on=date(2020, 2, 1),
        ends_on=date(2020, 2, 2),
    )
    quarantine_start(resident=resident_a, actor=secretary, reason="returnee")
    return household_a


@pytest.fixture
def outsider(db):
    """A second community with data the officer of 春龙社区 must never see."""
    other = f.community("城北社区")
    compound = f.compound(community=other, name="外区花园")
    building = f.building(compound=compound, number="7")
    household = f.household(building=building, room="0909")
    resident = f.resident(household=household, name="外人甲", id_number=f.id_number(serial=777))
    gate = f.opening(compound=compound, name="外区北门")
    guard = f.user("outside_guard")
    f.role(user=guard, kind="volunteer", compound=compound)
    f.branch(compound=compound)
    record_fever(gate, household, guard)
    record_refused(gate, household, guard)
    capability_issue(purpose=DEMO, actor=None, obj=household, name="外区花园的链接")
    return {"compound": compound, "household": household, "resident": resident, "gate": gate}


@pytest.mark.parametrize("name", MODELS)
def test_every_changelist_renders_for_superuser(as_superuser, full_a, outsider, name):
    response = as_superuser.get(changelist(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", MODELS)
def test_every_changelist_renders_for_officer(as_office, full_a, outsider, name):
    response = as_office.get(changelist(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", MODELS)
def test_officer_changelists_hold_only_their_community(as_office, full_a, outsider, name):
    response = as_office.get(changelist(name))
    rows = list(response.context["cl"].result_list)
    text = response.content.decode()
    assert "外区花园" not in text and "城北社区" not in text and "外人甲" not in text
    if name not in ("compounds_community",):
        # Whatever the row is, it leads to a compound of the officer's community.
        from compounds.admin import compound_id_of

        assert all(compound_id_of(row) != outsider["compound"].pk for row in rows)


def test_superuser_sees_the_other_community_too(as_superuser, full_a, outsider):
    response = as_superuser.get(changelist("residents_household"))
    shown = {h.pk for h in response.context["cl"].result_list}
    assert {full_a.pk, outsider["household"].pk} <= shown


@pytest.mark.parametrize("name", MODELS)
def test_officer_opens_change_and_add_pages_of_every_model(as_office, full_a, outsider, name):
    rows = list(as_office.get(changelist(name)).context["cl"].result_list)
    assert rows, f"the officer should see some {name}"
    app, model = name.split("_", 1)
    change = as_office.get(reverse(f"admin:{app}_{model}_change", args=[rows[0].pk]))
    assert change.status_code == 200
    add = as_office.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code in (200, 403)


def test_officer_sees_rows_of_every_compound_of_their_community(
    as_office, full_a, household_b, outsider
):
    response = as_office.get(changelist("residents_household"))
    shown = {h.pk for h in response.context["cl"].result_list}
    assert shown == {full_a.pk, household_b.pk}


def test_officer_cannot_open_another_communitys_household(as_office, outsider):
    url = reverse("admin:residents_household_change", args=[outsider["household"].pk])
    response = as_office.get(url)
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert "外区" not in as_office.get(response["Location"]).content.decode()


def test_officer_cannot_save_into_another_communitys_building(as_office, building_a, outsider):
    foreign = Building.objects.get(compound=outsider["compound"])
    response = as_office.post(
        reverse("admin:residents_household_add"),
        {
            "building": foreign.pk,
            "room": "101",
            "contact_phone": "13800000000",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert not Household.objects.filter(room="101").exists()


def test_building_choices_are_limited_to_the_officers_compounds(
    as_office, building_a, building_b, outsider
):
    response = as_office.get(reverse("admin:residents_household_add"))
    choices = response.context["adminform"].form.fields["building"].queryset
    assert set(choices) == {building_a, building_b}
    assert "绿景水岸 · " in response.content.decode()


def test_resident_list_masks_id_numbers(as_office, resident_a):
    response = as_office.get(changelist("residents_resident"))
    text = response.content.decode()
    assert resident_a.id_number not in text
    assert resident_a.id_number[:4] + "**********" + resident_a.id_number[-4:] in text


def test_admin_change_of_a_resident_is_written_and_audited_by_the_service(
    as_office, resident_a, office
):
    url = reverse("admin:residents_resident_change", args=[resident_a.pk])
    form = as_office.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(household=resident_a.household_id, birth_year=1955, elderly_alone="on")
    for flag in ("party_member", "chronic_illness", "disability", "pregnant", "infant", "returnee"):
        data.pop(flag, None)
    response = as_office.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="resident_update", object_type="resident")
    assert entry.actor == office and entry.compound_id == resident_a.household.compound_id
    assert entry.changes["birth_year"] == [1980, 1955]
    assert entry.changes["elderly_alone"] == [False, True]
    assert "id_number" not in entry.changes  # unchanged fields are not logged


def test_admin_household_edit_writes_household_and_inline_residents_through_the_services(
    as_office, household_a, resident_a
):
    url = reverse("admin:residents_household_change", args=[household_a.pk])
    data = {
        "building": household_a.building_id,
        "room": "1702",
        "contact_phone": "13912345678",
        "note": "",
        "residents-TOTAL_FORMS": "2",
        "residents-INITIAL_FORMS": "1",
        "residents-0-id": resident_a.pk,
        "residents-0-household": household_a.pk,
        "residents-0-name": resident_a.name,
        "residents-0-sex": "F",
        "residents-0-birth_year": "1980",
        "residents-0-relation": "head",
        "residents-0-phone": resident_a.phone,
        "residents-0-id_number": resident_a.id_number,
        "residents-0-chronic_illness": "on",
        "residents-1-household": household_a.pk,
        "residents-1-name": "张小宝",
        "residents-1-sex": "M",
        "residents-1-birth_year": "2019",
        "residents-1-relation": "child",
        "residents-1-infant": "on",
    }
    response = as_office.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    household_entry = AuditEntry.objects.get(object_type="household", action="household_update")
    assert household_entry.changes["contact_phone"] == ["13807901234", "13912345678"]
    changed = AuditEntry.objects.get(object_type="resident", action="resident_update")
    assert changed.changes == {"chronic_illness": [False, True]}
    added = AuditEntry.objects.get(object_type="resident", action="resident_create")
    assert added.changes["name"] == [None, "张小宝"]
    assert Resident.objects.filter(household=household_a).count() == 2


def test_unit_of_another_building_is_refused(as_office, building_a, building_b):
    unit_b = f.unit(building=building_b, number="2")
    response = as_office.post(
        reverse("admin:residents_household_add"),
        {
            "building": building_a.pk,
            "unit": unit_b.pk,
            "room": "301",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not Household.objects.filter(room="301", building=building_a).exists()


def test_new_household_gets_its_compound_from_the_building(as_office, building_a):
    response = as_office.post(
        reverse("admin:residents_household_add"),
        {
            "building": building_a.pk,
            "room": "0101",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(room="0101")
    assert household.compound_id == building_a.compound_id
    assert AuditEntry.objects.filter(action="household_create", object_id=household.pk).exists()


def test_sealing_a_building_in_the_admin_goes_through_the_service(as_office, building_a):
    url = reverse("admin:compounds_building_change", args=[building_a.pk])
    response = as_office.post(
        url,
        {
            "compound": building_a.compound_id,
            "number": "20",
            "sealed": "on",
            "note": "",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    building_a.refresh_from_db()
    assert building_a.sealed and building_a.sealed_since is not None
    assert AuditEntry.objects.filter(action="seal", object_id=building_a.pk).exists()


def test_a_compound_added_in_the_admin_gets_its_gate_rules(as_office, community):
    response = as_office.post(
        reverse("admin:compounds_compound_add"),
        {
            "community": community.pk,
            "name": "新建小区",
            "kind": "compound",
            **{
                f"{p}-{k}": "0"
                for p in ("buildings", "openings")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CompoundRules.objects.filter(compound__name="新建小区").count() == 1
    assert HealthRules.objects.filter(compound__name="新建小区").count() == 1


def test_passages_are_read_only_in_the_admin(as_superuser, full_a):
    passage = Passage.objects.first()
    assert as_superuser.get(reverse("admin:checkpoints_passage_add")).status_code == 403
    change = reverse("admin:checkpoints_passage_change", args=[passage.pk])
    page = as_superuser.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert as_superuser.post(change, {"reason": "changed"}).status_code == 403
    delete = reverse("admin:checkpoints_passage_delete", args=[passage.pk])
    assert as_superuser.post(delete, {"post": "yes"}).status_code == 403
    assert Passage.objects.filter(pk=passage.pk, reason=passage.reason).exists()


def test_fever_alert_page_shows_its_steps(as_office, full_a):
    alert = FeverAlert.objects.get(compound=full_a.compound)
    response = as_office.get(reverse("admin:residents_feveralert_change", args=[alert.pk]))
    assert response.status_code == 200
    assert "38.0" in response.content.decode()


def test_revoking_cards_from_the_admin_goes_through_the_service(as_office, household_a):
    card = f.card(household=household_a)
    response = as_office.post(
        changelist("checkpoints_passcard"),
        {"action": "revoke_lost", "_selected_action": [card.pk]},
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == "revoked" and card.revoke_reason == "lost"
    assert AuditEntry.objects.filter(action="card_revoke").exists()


def test_card_secrets_are_not_shown(as_office, household_a):
    card = f.card(household=household_a)
    response = as_office.get(reverse("admin:checkpoints_passcard_change", args=[card.pk]))
    assert response.status_code == 200
    assert card.secret not in response.content.decode()


def test_volunteer_without_staff_is_sent_to_the_admin_login(as_volunteer):
    response = as_volunteer.get(changelist("residents_resident"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_officer_without_the_office_group_sees_no_models(as_officer, resident_a):
    assert as_officer.get(changelist("residents_resident")).status_code == 403


def test_resident_changelist_query_count_does_not_grow_with_rows(
    as_office, household_a, django_assert_max_num_queries
):
    for n in range(30):
        f.resident(household=household_a, name=f"住户{n}")
    with django_assert_max_num_queries(14):
        response = as_office.get(changelist("residents_resident"))
    assert response.status_code == 200


def test_household_autocomplete_is_scoped_and_finds_by_compound_and_room(
    as_office, household_a, household_b, outsider, django_assert_max_num_queries
):
    url = reverse("admin:autocomplete")
    params = {"app_label": "residents", "model_name": "resident", "field_name": "household"}
    with django_assert_max_num_queries(8):
        everything = as_office.get(url, {**params, "term": ""}).json()["results"]
    assert {int(r["id"]) for r in everything} == {household_a.pk, household_b.pk}
    found = as_office.get(url, {**params, "term": "绿景 1702"}).json()["results"]
    assert [int(r["id"]) for r in found] == [household_a.pk]


def test_two_new_inline_residents_with_one_id_number_are_refused(as_office, building_a):
    number = f.id_number(serial=808)
    row = {"sex": "F", "birth_year": "1980", "relation": "head", "id_number": number}
    data = {
        "building": building_a.pk,
        "room": "0202",
        "residents-TOTAL_FORMS": "2",
        "residents-INITIAL_FORMS": "0",
        **{f"residents-0-{k}": v for k, v in {**row, "name": "甲"}.items()},
        **{f"residents-1-{k}": v for k, v in {**row, "name": "乙"}.items()},
    }
    response = as_office.post(reverse("admin:residents_household_add"), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[1]["id_number"] == [
        "This ID card number is already registered for 甲 in 20-0202."
    ]
    assert not Household.objects.filter(room="0202").exists()
    assert not Resident.objects.filter(id_number=number).exists()


def test_a_household_added_with_its_residents_is_written_through_the_services(
    as_office, building_a
):
    data = {
        "building": building_a.pk,
        "room": "0303",
        "residents-TOTAL_FORMS": "1",
        "residents-INITIAL_FORMS": "0",
        "residents-0-name": "丙",
        "residents-0-relation": "head",
        "residents-0-birth_year": "1950",
        "residents-0-elderly_alone": "on",
    }
    response = as_office.post(reverse("admin:residents_household_add"), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    resident = Resident.objects.get(name="丙")
    assert resident.household.address == "20-0303" and resident.elderly_alone
    entries = AuditEntry.objects.filter(object_type__in=["household", "resident"])
    assert set(entries.values_list("action", flat=True)) == {"household_create", "resident_create"}


def test_the_admin_moves_no_unit_to_another_building(as_office, building_a, compound_a):
    unit = f.unit(building=building_a, number="1")
    household = f.household(building=building_a, unit=unit, room="0505")
    other = f.building(compound=compound_a, number="22")
    url = reverse("admin:compounds_unit_change", args=[unit.pk])
    response = as_office.post(url, {"building": other.pk, "number": "1"})
    assert response.status_code == 302
    unit.refresh_from_db()
    household.refresh_from_db()
    assert unit.building_id == household.building_id == building_a.pk


def test_the_admin_moves_no_building_to_another_compound(as_office, household_a, compound_b):
    building = household_a.building
    url = reverse("admin:compounds_building_change", args=[building.pk])
    data = {"compound": compound_b.pk, "number": "20", "note": "", "units-TOTAL_FORMS": "0"}
    response = as_office.post(url, {**data, "units-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    building.refresh_from_db()
    assert building.compound_id == household_a.compound_id
