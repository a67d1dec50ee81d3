"""The audit trail: one builder for every app, registered actions, scoped entries."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from checkpoints import audit as gate_audit
from checkpoints.services import cards_issue_missing, rules_update
from compounds import audit
from compounds.models import AuditEntry, Role
from compounds.office import office_group
from compounds.selectors import audit_entries_visible
from compounds.services import role_grant, role_revoke
from residents import audit as registry_audit
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
APPS = ("compounds", "residents", "checkpoints", "supplies", "bastion")
BUILDERS = {"audit_record", "audit_entry"}


# --- actions: registered, labelled, never free strings ----------------------------------


def test_every_registered_action_has_a_label():
    actions = audit.registered_actions()
    assert {"card_issue", "import_create", "login", "role_grant", "seal"} <= set(actions)
    unlabelled = [name for name, action in actions.items() if not str(action.label).strip()]
    assert unlabelled == []
    for name, action in actions.items():
        assert str(action.label) != name, f"{name} is labelled with its own name"


def test_an_unregistered_action_is_refused(compound_a, secretary):
    with pytest.raises(audit.UnknownAuditAction):
        audit.audit_record(compound=compound_a, actor=secretary, action="nonsense", obj=compound_a)
    assert not AuditEntry.objects.filter(action="nonsense").exists()


def test_registering_one_name_with_two_labels_fails_loudly():
    with pytest.raises(ValueError, match="card_issue"):
        audit.register_action("card_issue", "something else")


def _is_free_string(value: ast.expr) -> bool:
    if isinstance(value, ast.IfExp):
        return _is_free_string(value.body) or _is_free_string(value.orelse)
    return isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp)


def _builder_calls_with_a_literal_action() -> list[str]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in BUILDERS:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action" and _is_free_string(keyword.value):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_audit_call_names_its_action_by_a_registered_constant():
    assert _builder_calls_with_a_literal_action() == []


def test_the_household_history_labels_an_import(as_secretary, compound_a, household_a):
    audit.audit_record(
        compound=compound_a,
        actor=None,
        action=registry_audit.IMPORT_CREATE,
        obj=household_a,
        changes={"room": [None, "1702"]},
    )
    url = reverse("residents:household", args=[compound_a.pk, household_a.pk])
    page = as_secretary.get(url).content.decode()
    assert "imported from Excel" in page
    assert ">import_create<" not in page and "<b>import_create</b>" not in page


# --- one builder: single and bulk, masked, no empty updates -----------------------------


def test_secret_fields_are_masked_by_the_single_and_the_bulk_writer(compound_a, resident_a):
    changes = {"id_number": ["420106198001010123", "420106198001010456"]}
    single = audit.audit_record(
        compound=compound_a,
        actor=None,
        action=registry_audit.RESIDENT_UPDATE,
        obj=resident_a,
        changes=changes,
    )
    (bulk,) = audit.audit_bulk(
        [
            audit.audit_entry(
                compound=compound_a,
                actor=None,
                action=registry_audit.IMPORT_UPDATE,
                obj=resident_a,
                changes=changes,
            )
        ]
    )
    for entry in (single, bulk):
        entry.refresh_from_db()
        assert entry.changes["id_number"] == ["4201**********0123", "4201**********0456"]


def test_an_update_without_a_change_writes_nothing(compound_a, resident_a):
    assert (
        audit.audit_record(
            compound=compound_a,
            actor=None,
            action=registry_audit.RESIDENT_UPDATE,
            obj=resident_a,
            changes={},
        )
        is None
    )
    assert (
        audit.audit_bulk(
            [
                audit.audit_entry(
                    compound=compound_a,
                    actor=None,
                    action=registry_audit.IMPORT_UPDATE,
                    obj=resident_a,
                    changes={},
                )
            ]
        )
        == []
    )
    assert not AuditEntry.objects.exists()


def test_saving_the_rules_unchanged_writes_no_entry(compound_a, secretary):
    rules_update(compound=compound_a, actor=secretary, quota_days=3)
    rules_update(compound=compound_a, actor=secretary, quota_days=3)
    entries = AuditEntry.objects.filter(action=gate_audit.RULES_UPDATE.name)
    assert [e.changes for e in entries] == [{"quota_days": [2, 3]}]


def test_issuing_missing_cards_writes_one_entry_per_card(compound_a, secretary, building_a):
    for room in ("101", "102"):
        f.household(building=building_a, room=room)
    assert cards_issue_missing(compound=compound_a, actor=secretary) == 2
    entries = AuditEntry.objects.filter(action=gate_audit.CARD_ISSUE.name, compound=compound_a)
    assert entries.count() == 2


# --- where an entry belongs ---------------------------------------------------------------


def test_an_entry_belongs_to_a_compound_or_a_community_not_both(compound_a, community):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(
            compound=compound_a,
            community=community,
            action="seal",
            object_type="compound",
            object_id=compound_a.pk,
            object_repr="x",
        )


def test_granting_an_officer_role_is_recorded_with_the_community(community, officer):
    user = f.user("new-officer")
    role = role_grant(user=user, kind=Role.Kind.OFFICER, community=community, actor=officer)
    entry = AuditEntry.objects.get(action="role_grant")
    assert (entry.community, entry.compound, entry.actor) == (community, None, officer)
    assert entry.object_id == role.pk
    role_revoke(role=role, actor=officer)
    assert not Role.objects.filter(user=user).exists()
    revoked = AuditEntry.objects.get(action="role_revoke")
    assert (revoked.community, revoked.compound) == (community, None)


def test_granting_a_volunteer_role_is_recorded_with_the_compound(compound_a, officer):
    user = f.user("new-volunteer")
    role_grant(user=user, kind=Role.Kind.VOLUNTEER, compound=compound_a, actor=officer)
    entry = AuditEntry.objects.get(action="role_grant")
    assert (entry.compound, entry.community) == (compound_a, None)
    assert entry.changes == {"user": [None, "new-volunteer"], "kind": [None, "volunteer"]}


def test_an_officer_of_another_community_may_not_grant_roles_here(compound_a):
    from compounds.errors import CompoundError

    other = f.community("别的社区")
    stranger = f.user("stranger", is_staff=True)
    f.role(user=stranger, kind="officer", community=other)
    with pytest.raises(CompoundError) as refused:
        role_grant(user=f.user("x"), kind=Role.Kind.VOLUNTEER, compound=compound_a, actor=stranger)
    assert refused.value.code == "role_forbidden"
    assert not AuditEntry.objects.exists()


def test_a_role_for_a_compound_given_to_an_officer_kind_is_refused(compound_a, officer):
    from compounds.errors import CompoundError

    with pytest.raises(CompoundError) as refused:
        role_grant(user=f.user("x"), kind=Role.Kind.OFFICER, compound=compound_a, actor=officer)
    assert refused.value.code == "role_invalid"


def test_a_login_is_recorded_without_a_compound(volunteer):
    volunteer.set_password("pw-123456")
    volunteer.save()
    assert Client().login(username="volunteer", password="pw-123456")
    entry = AuditEntry.objects.get(action="login")
    assert (entry.compound, entry.community, entry.actor) == (None, None, volunteer)
    assert (entry.object_type, entry.object_id) == ("user", volunteer.pk)


def test_a_failed_login_is_recorded_for_the_user_it_names(volunteer):
    response = Client().post(reverse("login"), {"username": "volunteer", "password": "wrong"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="login_failed")
    assert (entry.actor, entry.object_id, entry.compound) == (None, volunteer.pk, None)
    Client().post(reverse("login"), {"username": "nobody", "password": "wrong"})
    unknown = AuditEntry.objects.filter(action="login_failed").exclude(pk=entry.pk).get()
    assert (unknown.object_id, unknown.object_repr) == (None, "nobody")


# --- who sees which entries ---------------------------------------------------------------


@pytest.fixture
def trail(community, compound_a, compound_b, building_a, officer, secretary, volunteer):
    """One entry of each kind: compound A, compound B, the community, another community,
    a volunteer's login and the login of somebody without roles. {name: entry id}"""
    seal = audit.registered_actions()["seal"]
    audit.audit_record(compound=compound_a, actor=None, action=seal, obj=building_a)
    audit.audit_record(compound=compound_b, actor=None, action=seal, obj=compound_b)
    role_grant(user=f.user("o2"), kind=Role.Kind.OFFICER, community=community, actor=None)
    other = f.community("别的社区")
    role_grant(user=f.user("o3"), kind=Role.Kind.OFFICER, community=other, actor=None)
    outsider = f.user("outsider")
    for user in (volunteer, outsider):
        audit.audit_record(actor=user, action=audit.LOGIN, obj=user)
    entries = AuditEntry.objects
    return {
        "a": entries.get(compound=compound_a).pk,
        "b": entries.get(compound=compound_b).pk,
        "community": entries.get(community=community).pk,
        "other": entries.get(community=other).pk,
        "volunteer_login": entries.get(actor=volunteer).pk,
        "outsider_login": entries.get(actor=outsider).pk,
    }


def _seen(user, trail) -> set[str]:
    visible = set(audit_entries_visible(user).values_list("pk", flat=True))
    return {name for name, pk in trail.items() if pk in visible}


def test_an_officer_sees_the_community_and_the_logins_of_its_people(officer, trail):
    assert _seen(officer, trail) == {"a", "b", "community", "volunteer_login"}


def test_a_secretary_sees_their_compound_only(secretary, trail):
    assert _seen(secretary, trail) == {"a"}


def test_the_admin_lists_what_the_selector_allows(officer, trail):
    officer.groups.add(office_group())
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("admin:compounds_auditentry_changelist"))
    assert response.status_code == 200
    shown = {e.pk for e in response.context["cl"].result_list}
    # The officer's own login (force_login) is theirs to see too.
    assert {trail[k] for k in ("a", "b", "community", "volunteer_login")} <= shown
    assert not {trail[k] for k in ("other", "outsider_login")} & shown


def test_the_admin_grants_and_removes_roles_through_the_services(officer, compound_a):
    officer.groups.add(office_group())
    client = Client()
    client.force_login(officer)
    user = f.user("helper")
    response = client.post(
        reverse("admin:compounds_role_add"),
        {"user": user.pk, "kind": "volunteer", "compound": compound_a.pk, "community": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role = Role.objects.get(user=user)
    assert AuditEntry.objects.filter(action="role_grant", compound=compound_a).count() == 1
    response = client.post(
        reverse("admin:compounds_role_change", args=[role.pk]),
        {"user": user.pk, "kind": "secretary", "compound": compound_a.pk, "community": ""},
    )
    assert response.status_code == 302
    assert Role.objects.get(user=user).kind == "secretary"
    assert AuditEntry.objects.filter(action="role_revoke", compound=compound_a).count() == 1
    role = Role.objects.get(user=user)
    # The office group may not delete; a deployer who lets officers remove roles says so.
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(Permission.objects.get(codename="delete_role"))
    response = client.post(reverse("admin:compounds_role_delete", args=[role.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Role.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="role_revoke", compound=compound_a).count() == 2
