"""The "Community office" group: made by migrate, in step with every model of our apps."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from compounds.office import OFFICE_GROUP, office_group, sync_office_group
from tests import factories as f


def codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("codename", flat=True))


@pytest.mark.django_db
def test_migrate_makes_the_group_without_any_demo_data():
    group = Group.objects.get(name=OFFICE_GROUP)
    assert {"view_household", "change_resident", "view_passcard"} <= codenames(group)


@pytest.mark.django_db
def test_office_group_gives_view_add_change_but_only_view_of_the_gate_log():
    group = office_group()
    names = codenames(group)
    assert {"view_household", "add_household", "change_household"} <= names
    assert {"view_resident", "change_resident", "view_passage", "view_auditentry"} <= names
    assert "add_passage" not in names and "change_passage" not in names
    assert not any(c.startswith("delete_") for c in names)
    user = f.user("clerk", is_staff=True)
    user.groups.add(group)
    user = get_user_model().objects.get(pk=user.pk)
    assert user.has_perm("residents.change_resident")


@pytest.mark.django_db
def test_libraries_and_logins_stay_out_of_the_group():
    labels = set(office_group().permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"compounds", "residents", "checkpoints", "supplies"}


@pytest.mark.django_db
def test_a_new_apps_models_join_the_group_on_migrate():
    # A model of supplies that does not exist yet, as migrate would register it.
    kind = ContentType.objects.create(app_label="supplies", model="newthing")
    for action in ("view", "add", "change", "delete"):
        Permission.objects.create(
            content_type=kind, codename=f"{action}_newthing", name=f"{action} new thing"
        )
    call_command("migrate", interactive=False, verbosity=0)
    names = codenames(Group.objects.get(name=OFFICE_GROUP))
    assert {"view_newthing", "add_newthing", "change_newthing"} <= names
    assert "delete_newthing" not in names


@pytest.mark.django_db
def test_migrate_puts_back_a_permission_taken_from_the_group():
    group = office_group()
    group.permissions.remove(Permission.objects.get(codename="change_resident"))
    group.permissions.add(Permission.objects.get(codename="delete_resident"))
    call_command("migrate", interactive=False, verbosity=0)
    names = codenames(Group.objects.get(name=OFFICE_GROUP))
    assert "change_resident" in names and "delete_resident" not in names


@pytest.mark.django_db
def test_office_group_is_made_again_when_missing():
    Group.objects.filter(name=OFFICE_GROUP).delete()
    assert codenames(office_group()) == codenames(sync_office_group())


@pytest.mark.django_db
def test_office_reads_the_residents_fever_alerts_and_sets_the_fever_line():
    group = office_group()
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert {("residents", "view_feveralert"), ("residents", "view_feveraction")} <= perms
    assert not {c for a, c in perms if c in {"add_feveralert", "change_feveralert"}}
    assert {("residents", "change_healthrules"), ("residents", "view_healthrules")} <= perms
    # The gate's old alert tables are gone, with their rights.
    assert not {c for a, c in perms if a == "checkpoints" and "fever" in c}
