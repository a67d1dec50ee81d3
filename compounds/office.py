"""The "Community office" group: the admin permissions every community-office login needs.

The README's deployment section tells deployers to put office staff in this group, so it
must exist on every installation, not only where the demo ran. Every ``migrate`` brings it
in step with the models (a ``post_migrate`` handler, connected in ``CompoundsConfig``):

- which models: every model of *our* apps, that is every installed app whose package sits
  at the top of the project (compounds, residents, checkpoints, supplies, and any app
  added later), so a new app's models are in the group without editing this file;
- which permissions: view, add and change; not delete, as before. A model whose rows only
  the gate or the audit trail write says ``office_read_only = True`` and gets view only.

What an office login may see inside those models is still decided by its roles
(``compounds.access``); the group only opens the admin pages.
"""

from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

OFFICE_GROUP = "Community office"
READ_ONLY_ATTRIBUTE = "office_read_only"


def is_ours(app_config: AppConfig) -> bool:
    """An app of this project (its package at the top of the checkout), not a library's."""
    return Path(app_config.path).parent == Path(settings.BASE_DIR)


def office_permissions(*, using: str = DEFAULT_DB_ALIAS) -> Any:
    labels = [c.label for c in apps.get_app_configs() if is_ours(c)]
    read_only = [
        m._meta.model_name
        for label in labels
        for m in apps.get_app_config(label).get_models()
        if getattr(m, READ_ONLY_ATTRIBUTE, False)
    ]
    writes = Q(codename__startswith="add_") | Q(codename__startswith="change_")
    return (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=labels)
        .filter(Q(codename__startswith="view_") | (writes & ~Q(content_type__model__in=read_only)))
    )


def sync_office_group(*, using: str = DEFAULT_DB_ALIAS) -> Group:
    """Create the group if missing and give it exactly the permissions above."""
    group, _created = Group.objects.using(using).get_or_create(name=OFFICE_GROUP)
    group.permissions.set(office_permissions(using=using))
    return group


def office_group() -> Group:
    """The group (made by ``migrate``; made here too after a flush that skipped it)."""
    group = Group.objects.filter(name=OFFICE_GROUP).first()
    return group if group is not None else sync_office_group()


def on_post_migrate(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # Sent once per app, after that app's permissions were created; by the last of our
    # apps, every one of our models has its permissions.
    if is_ours(sender):
        sync_office_group(using=using)
