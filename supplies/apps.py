from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "supplies"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Supplies and help")

    def ready(self) -> None:
        from compounds import kinds, ui
        from compounds.access import Level
        from supplies import (
            audit,  # noqa: F401 (registers the actions)
            own_page,  # noqa: F401 (registers the capability purpose)
        )

        # Grocery runs and help requests serve households: a site has none (compounds.kinds).
        kinds.register_routes("supplies", "registry")
        for tab in (
            ui.Tab("supplies", _("Groceries"), "supplies:runs", order=75),
            ui.Tab("help", _("Help requests"), "supplies:help", order=76),
            ui.Tab("ledger", _("Ledger"), "supplies:ledger", Level.MANAGE, order=77),
        ):
            ui.register_tab(tab)
        ui.register_link("compound", ui.Link("help", _("Help requests"), "supplies:help", order=30))
        ui.register_panel(
            "household",
            ui.Panel(
                "supplies", _("Groceries and help"), "supplies/_household_panel.html", order=60
            ),
        )
        ui.register_link(
            "household",
            ui.Link(
                "own-page", _("Household's own page"), "supplies:household-page", Level.MANAGE, 30
            ),
        )
