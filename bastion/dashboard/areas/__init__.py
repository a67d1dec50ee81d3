"""The dashboards' areas, one module each: what some app's data makes possible.

Each module's ``compute(compound_ids, moment)`` reads many compounds in a fixed number
of grouped queries (never one per compound) and returns ``{compound_id: {key: int}}``;
its ``Area`` lists the figures with the link to the list behind each, and the daily
report's lines they feed. The figures equal counts taken straight from the tables
(tests/bastion/test_dashboard.py and test_dashboard_areas.py).
"""

from bastion.dashboard.areas.fevers import FEVERS
from bastion.dashboard.areas.gate import GATE
from bastion.dashboard.areas.quarantine import QUARANTINE
from bastion.dashboard.areas.register import REGISTER
from bastion.dashboard.areas.roster import ROSTER
from bastion.dashboard.areas.rounds import ROUNDS
from bastion.dashboard.areas.supplies import SUPPLIES
from bastion.dashboard.registry import register_area


def register_all() -> None:
    for area in (REGISTER, GATE, FEVERS, QUARANTINE, ROUNDS, ROSTER, SUPPLIES):
        register_area(area)
