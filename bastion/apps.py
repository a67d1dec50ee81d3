"""The top layer: the one place that composes the apps.

The project package is an installed app because it already holds the settings and the
URL conf, which name every app; the pages, commands and (later) dashboards that read
several apps at once live beside them. It imports any app; no app imports it
(tests/test_layering.py).
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BastionConfig(AppConfig):
    name = "bastion"
    verbose_name = _("Bastion")

    def ready(self) -> None:
        from bastion.dashboard import areas, audit, chart  # noqa: F401 (registers actions)
        from compounds import ui
        from compounds.access import Level

        areas.register_all()
        chart.register_all()

        ui.register_tab(ui.Tab("overview", _("Overview"), "compound-home", order=0))
        ui.register_link(
            "compound",
            ui.Link("archive", _("Archive at the end"), "compound-archive", Level.OFFICER, 900),
        )
