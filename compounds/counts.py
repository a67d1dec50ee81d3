"""Counts that other apps add to the kernel's lists: households per compound, and so on.

The compounds' and buildings' API lists and admin changelists show how many households
and residents each holds, but those models belong to ``residents``. That app registers
the counts from its ``AppConfig.ready()``; the kernel annotates them (one subquery each,
``selectors.subquery_count``) and shows them as read-only API fields (sortable) and
admin columns, without importing the app.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise

from compounds.selectors import subquery_count


@dataclass(frozen=True)
class Count:
    name: str  # the annotation, API field and admin column: "household_count"
    label: str | Promise  # the admin column's header
    model: type[Model]  # the rows counted
    path: str  # from a counted row to the row it is counted for: "household__compound"


_counts: dict[type[Model], dict[str, Count]] = {}


def register(target: type[Model], count: Count) -> None:
    _counts.setdefault(target, {})[count.name] = count


def counts_for(target: type[Model]) -> list[Count]:
    return list(_counts.get(target, {}).values())


def names(target: type[Model]) -> list[str]:
    return [c.name for c in counts_for(target)]


def annotate(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` with every count registered for its model, as one subquery each."""
    return queryset.annotate(
        **{c.name: subquery_count(c.model, c.path) for c in counts_for(queryset.model)}
    )


def unregister(target: type[Model], name: str) -> None:
    """Remove a count (for tests that register their own)."""
    _counts.get(target, {}).pop(name, None)
