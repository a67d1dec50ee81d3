"""Plain-text summaries a secretary pastes into the building's WeChat group.

The readers are the whole group, so the texts are masked as for the public: rooms and
masked names (张**), never a phone or a full name; requests only as counts by kind.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from compounds.models import Compound
from supplies.help_selectors import open_counts_by_kind
from supplies.models import HelpRequest, Order, Run
from supplies.selectors import morning_list


def run_summary(*, run: Run) -> str:
    listed = morning_list(run=run)
    where = (
        _("building %(number)s") % {"number": run.building.number}
        if run.building_id and run.building
        else run.compound.name
    )
    lines = [
        _("[Groceries] %(date)s, %(where)s")
        % {"date": formats.date_format(run.date, "MONTH_DAY_FORMAT"), "where": where},
        _("%(orders)d households ordered; %(delivered)d bags delivered.")
        % {"orders": len(listed.bags), "delivered": listed.delivered},
    ]
    for bag in listed.bags:
        state = Order.State(bag.order.state).label
        name = f" {bag.label_name}" if bag.label_name else ""
        lines.append(
            _("%(address)s%(name)s: %(items)d items, %(state)s")
            % {
                "address": bag.order.household.address,
                "name": name,
                "items": bag.items,
                "state": state,
            }
        )
    not_reached = [b for b in listed.bags if b.order.state == Order.State.NOT_REACHED]
    if not_reached:
        lines.append(_("Not reached today: they stay on the next run."))
    return "\n".join(str(line) for line in lines)


def help_summary(*, compound: Compound) -> str:
    counts = open_counts_by_kind(compound=compound)
    today = formats.date_format(timezone.localdate(), "MONTH_DAY_FORMAT")
    total = sum(counts.values())
    lines = [
        _("[Help requests] %(date)s, %(compound)s: %(total)d open.")
        % {"date": today, "compound": compound.name, "total": total}
    ]
    labels = dict(HelpRequest.Kind.choices)
    for kind, _label in HelpRequest.Kind.choices:
        if counts.get(kind):
            lines.append(f"{labels[kind]}: {counts[kind]}")
    if counts.get("fever"):
        lines.append(_("fever alerts being handled: %(n)d") % {"n": counts["fever"]})
    return "\n".join(str(line) for line in lines)
