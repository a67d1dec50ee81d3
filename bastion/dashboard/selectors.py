"""The dashboards' reads: rows for the overview, the compound page, the daily report and
the named lists. Counts come from the registry's areas (a fixed number of queries for
any number of compounds); the lists are single queries."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.functional import Promise

from bastion.dashboard import registry
from bastion.dashboard.areas.quarantine import in_force_on
from bastion.dashboard.areas.roster import GAPS
from bastion.dashboard.registry import Figure, Moment, Values
from checkpoints.models import Passage
from checkpoints.services import rules_for
from compounds import access, kinds
from compounds.models import Compound
from residents.models import Household, Resident, address_order
from residents.quarantine.models import Quarantine


@dataclass
class Row:
    compound: Compound
    values: Values

    def get(self, key: str) -> int:
        return int(self.values.get(key, 0))


def visible_compounds(user: Any, *, need: access.Level = access.Level.VOLUNTEER) -> list[Compound]:
    """The user's compounds at ``need`` or above, by community and name (two queries at
    most: the roles, cached on the user, and the compounds)."""
    levels = access.compound_levels(user)
    ids = [pk for pk, level in levels.items() if level >= need]
    return list(
        Compound.objects.filter(pk__in=ids)
        .select_related("community")
        .order_by("community__name", "name", "pk")
    )


def overview_rows(compounds: Sequence[Compound], moment: Moment) -> list[Row]:
    values = registry.compute_all([c.pk for c in compounds], moment)
    return [Row(compound=c, values=values[c.pk]) for c in compounds]


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    known = {f.key for f in registry.figures()}
    if key in known:
        return sorted(rows, key=lambda r: (r.get(key), r.compound.name), reverse=descending)
    return sorted(rows, key=lambda r: r.compound.name, reverse=descending)


def columns() -> list[Figure]:
    return [f for f in registry.figures() if f.column]


def column_groups() -> list[tuple[str | Promise, int]]:
    """The overview's header over the columns: each area's label and how many it has."""
    groups = []
    for area in registry.areas():
        span = sum(1 for f in area.figures if f.column)
        if span:
            groups.append((area.label, span))
    return groups


@dataclass(frozen=True)
class Shown:
    """A figure as a page shows it: its value and the list behind it."""

    key: str
    label: str | Promise
    value: int
    href: str
    alert: bool
    unit: str = ""


@dataclass(frozen=True)
class ShownArea:
    key: str
    label: str | Promise
    figures: list[Shown]
    details: list[Shown]


def gaps_of(rows: Sequence[Values]) -> list[Any]:
    """The roster's gaps the roster area read with its figures, in the roster's order:
    posts with nobody on them first, then shifts by start, compound and post."""
    found = [gap for values in rows for gap in values.get(GAPS, [])]
    return sorted(
        found,
        key=lambda g: (
            g.shift is not None,
            g.shift.starts_at if g.shift is not None else 0,
            g.post.compound.name,
            g.post.name,
        ),
    )


def compound_figures(compound: Compound, moment: Moment, values: Values) -> list[ShownArea]:
    """The compound page's figures by area, each with its link; breakdowns beside them.
    ``values``: the compound's from ``registry.compute_all``."""
    shown = []
    for area in registry.areas():
        if not kinds.has_feature(compound.kind, area.feature):
            continue
        mine = [f for f in area.figures if f.kinds is None or compound.kind in f.kinds]
        figures = [
            Shown(
                f.key,
                f.label,
                int(values.get(f.key, 0)),
                f.link(compound.pk, moment, "") if f.link else "",
                f.alert and bool(values.get(f.key)),
                f.unit,
            )
            for f in mine
        ]
        details = []
        for figure in mine:
            labels = area.details.get(figure.key, {})
            prefix = f"{figure.key}:"
            for key, value in sorted(values.items()):
                if key.startswith(prefix) and value:
                    code = key[len(prefix) :]
                    link = figure.link(compound.pk, moment, code) if figure.link else ""
                    label = labels.get(code, code)
                    details.append(Shown(key, label, int(value), link, figure.alert))
        shown.append(ShownArea(area.key, area.label, figures, details))
    return shown


@dataclass(frozen=True)
class ReportItem:
    label: str | Promise
    value: int
    details: list[tuple[str | Promise, int]]


def daily_report(rows: Sequence[Row]) -> list[ReportItem]:
    """The report's lines: each sums its figures over the compounds of ``rows``."""
    total = registry.totals({r.compound.pk: r.values for r in rows})
    items = []
    for area in registry.areas():
        for line in area.report:
            details: list[tuple[str | Promise, int]] = []
            for key in line.keys:
                labels = area.details.get(key, {})
                details += [
                    (labels.get(code, code), total.get(f"{key}:{code}", 0))
                    for code in labels
                    if total.get(f"{key}:{code}")
                ]
            items.append(
                ReportItem(line.label, sum(int(total.get(k, 0)) for k in line.keys), details)
            )
    return items


def returnees(compound_ids: Sequence[int], *, using: str) -> QuerySet[Resident]:
    """Returnees of the compounds, the latest arrivals first (the named list)."""
    return (
        Resident.objects.using(using)
        .filter(household__compound_id__in=compound_ids, returnee=True, erased_at__isnull=True)
        .select_related("household__building", "household__unit", "household__compound")
        .order_by("household__compound__name", "-returned_on", address_order("household__"), "id")
    )


def in_quarantine(compound_ids: Sequence[int], moment: Moment) -> QuerySet[Quarantine]:
    """Stays in force on the day, home and central, of the compounds' people (the named
    list; the same rule as the quarantine area's figures)."""
    return (
        Quarantine.objects.using(moment.using)
        .filter(in_force_on(moment.day), compound_id__in=compound_ids)
        .filter(resident__erased_at__isnull=True)
        .select_related("resident", "household__building", "household__unit", "compound", "site")
        .order_by("compound__name", "kind", address_order("household__"), "resident_id")
    )


def overdue_households(compound: Compound, moment: Moment, limit: int = 50) -> list[Household]:
    """Households out longer than the rules allow, longest first, from the gate state
    (an index range), with who went out and through where (the state's passage)."""
    cutoff = moment.now - rules_for(compound).max_time_out
    passage = Passage.objects.filter(pk=OuterRef("gate_state__last_passage_id"))
    return list(
        Household.objects.filter(
            compound=compound,
            gate_state__compound=compound,
            gate_state__out_since__lt=cutoff,
        )
        .annotate(
            out_since=F("gate_state__out_since"),
            out_resident=Subquery(passage.values("resident__name")[:1]),
            out_opening=Subquery(passage.values("opening__name")[:1]),
        )
        .select_related("building", "unit")
        .order_by("gate_state__out_since")[:limit]
    )
