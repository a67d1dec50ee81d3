"""What the roster registers with the kernel: its tabs, its routes' feature, its link."""

from django.utils.translation import gettext_lazy as _

from compounds.capabilities import register_purpose

FEED = register_purpose("roster_feed", _("calendar of my shifts"))


def ready() -> None:
    """Called from ``CheckpointsConfig.ready()``."""
    from checkpoints.rosters import (
        audit,  # noqa: F401 (registers the actions)
        rounds,
    )
    from compounds import events, kinds, ui
    from compounds.access import Level

    kinds.register_routes("rosters", "roster")
    # A round's assignments are duties on the roster (written in the sender's transaction).
    events.round_assignment_changed.connect(
        rounds.on_round_assignment_changed, dispatch_uid="rosters.round_duties"
    )
    for tab in (
        ui.Tab("roster", _("Roster"), "rosters:week", order=35),
        ui.Tab("duty-log", _("Duty log"), "rosters:log", order=36),
        ui.Tab("roster-hours", _("Hours"), "rosters:hours", Level.MANAGE, order=104),
    ):
        ui.register_tab(tab)
    ui.register_link("compound", ui.Link("roster", _("Roster"), "rosters:week", order=25))
