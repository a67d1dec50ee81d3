from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Residents")

    def ready(self) -> None:
        from compounds import api_errors, counts, kinds, ui
        from compounds.access import Level
        from compounds.models import Building, Compound
        from residents import audit  # noqa: F401 (registers the actions)
        from residents.quarantine import audit as _quarantine_audit  # noqa: F401
        from residents.rounds import audit as _rounds_audit  # noqa: F401
        from residents.rounds import cards as _cards  # noqa: F401 (the door card's purpose)
        from residents.rules import VALIDATOR_CODES

        # A bad ID number refused by the API's serializer answers with the code the
        # service, the page and the import give it.
        api_errors.register_field_codes(*sorted(VALIDATOR_CODES))
        # A site (a post with no households) has no registry (compounds.kinds).
        kinds.register_routes("residents", "registry")
        # A central-quarantine site keeps the quarantine board of the people it houses.
        for name in ("quarantine-board", "quarantine", "quarantine-check"):
            kinds.register_routes(f"residents:{name}", "quarantine")

        for tab in (
            ui.Tab("households", _("Households"), "residents:households", order=20),
            ui.Tab("buildings", _("Buildings"), "residents:buildings", order=30),
            ui.Tab("rounds", _("Screening"), "residents:rounds", order=35),
            ui.Tab("quarantine", _("Quarantine"), "residents:quarantine-board", order=85),
            ui.Tab("vulnerable", _("Vulnerable"), "residents:vulnerable", order=80),
            ui.Tab("returnees", _("Returnees"), "residents:returnees", order=90),
            ui.Tab("import", _("Excel"), "residents:import", Level.MANAGE, order=100),
        ):
            ui.register_tab(tab)
        ui.register_link(
            "compound", ui.Link("households", _("Households"), "residents:households", order=10)
        )
        ui.register_panel(
            "household",
            ui.Panel(
                "quarantine",
                _("Quarantine and named contacts"),
                "residents/quarantine/_household_panel.html",
                order=20,
            ),
        )
        household, resident = self.get_model("Household"), self.get_model("Resident")
        for target, count in (
            (Compound, counts.Count("household_count", _("households"), household, "compound")),
            (
                Compound,
                counts.Count("resident_count", _("residents"), resident, "household__compound"),
            ),
            (Building, counts.Count("household_count", _("households"), household, "building")),
        ):
            counts.register(target, count)
