from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "checkpoints"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Gates")

    def ready(self) -> None:
        from checkpoints import audit  # noqa: F401 (registers the actions)
        from checkpoints.rosters import apps as rosters
        from compounds import kinds, ui
        from compounds.access import Level

        # A site (a post with no households) has no gate (compounds.kinds); rosters apply
        # to every kind of compound.
        kinds.register_routes("checkpoints", "gate")
        rosters.ready()

        for tab in (
            ui.Tab("gate", _("Gate"), "checkpoints:gate", order=10),
            ui.Tab("log", _("Gate log"), "checkpoints:log", order=40),
            ui.Tab("out-now", _("Out now"), "checkpoints:out-now", order=50),
            ui.Tab("cards", _("Pass cards"), "checkpoints:cards", Level.MANAGE, order=60),
            ui.Tab("rules", _("Gate rules"), "checkpoints:rules", order=70),
        ):
            ui.register_tab(tab)
        gate = ui.Link("gate", _("Open the gate page"), "checkpoints:gate", order=20, primary=True)
        ui.register_link("compound", gate)
        for link in (
            ui.Link("pass-card", _("Pass card"), "checkpoints:household-card", Level.MANAGE, 10),
            ui.Link("passages", _("Gate passages"), "checkpoints:household-history", order=20),
        ):
            ui.register_link("household", link)
        # The work-pass page of each resident, from the household's page (was linked nowhere).
        ui.register_panel(
            "household",
            ui.Panel(
                "work-passes",
                _("Work passes"),
                "checkpoints/_work_pass_panel.html",
                Level.MANAGE,
                order=50,
            ),
        )
        ui.register_panel(
            "building",
            ui.Panel("seal", _("Seal"), "checkpoints/_seal_form.html", Level.MANAGE),
        )
        ui.register_tab(
            ui.Tab("openings", _("Openings"), "checkpoints:openings", Level.MANAGE, order=75)
        )
        # New alerts on every open page of the compound, without a reload (managers).
        ui.register_panel(
            "page",
            ui.Panel("alert-poll", _("New alerts"), "checkpoints/_alert_poll.html", Level.MANAGE),
        )
        ui.register_panel(
            "fever_alert",
            ui.Panel("gate-passage", _("Gate passage"), "checkpoints/_alert_passage.html"),
        )
