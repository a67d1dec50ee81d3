from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CompoundsConfig(AppConfig):
    name = "compounds"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Compounds")

    def ready(self) -> None:
        from compounds import office, ui

        post_migrate.connect(office.on_post_migrate, dispatch_uid="compounds.office_group")
        ui.register_tab(ui.Tab("branch", _("Branch"), "compound-branch", order=110))
