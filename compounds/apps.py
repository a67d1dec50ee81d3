from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "compounds"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Compounds")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from compounds import archived, audit, capabilities, logins, office, ui  # noqa: F401
        from compounds.access import Level

        archived.connect()
        post_migrate.connect(office.on_post_migrate, dispatch_uid="compounds.office_group")
        user_logged_in.connect(logins.on_logged_in, dispatch_uid="compounds.audit_login")
        user_login_failed.connect(logins.on_login_failed, dispatch_uid="compounds.audit_failed")
        ui.register_tab(ui.Tab("branch", _("Branch"), "compound-branch", order=110))
        ui.register_tab(
            ui.Tab("tokens", _("Device tokens"), "compound-tokens", Level.MANAGE, order=105)
        )
        ui.register_tab(ui.Tab("people", _("People"), "compound-people", Level.MANAGE, order=108))
