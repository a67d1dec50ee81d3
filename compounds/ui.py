"""Tabs, links and panels that apps put on shared pages, without the pages importing them.

The compound's tab bar, the buttons on the compound's overview and on a household's page,
and the panels of a household's page gain parts from other apps as they are written.
Each app registers its parts from its ``AppConfig.ready()``; the pages ask this registry
what to show (through the template tags ``compound_tabs``, ``page_links`` and
``page_panels`` in ``compounds/templatetags/bastion.py``), filtered by the viewer's
``Level`` in the compound and sorted by ``order``.

Places (``where``) a link or panel can go, and the URL arguments its ``url_name`` takes:

- tabs: the compound's tab bar; ``(compound.pk,)``;
- ``"compound"``: buttons on the compound's overview; ``(compound.pk,)``;
- ``"household"``: buttons under a household; ``(compound.pk, household.pk)``. Panels
  here are sections of the household page, rendered with the page's context.
- ``"fever_alert"``: a fever alert's page; ``(compound.pk, alert.pk)``. Panels here are
  sections of it, rendered with the page's context (``alert``): the gate shows the
  passage that raised it.
- ``"building"``: a building's page, beside its title (panels only, rendered with
  ``b``: the building, and ``next``: the page's path): the gate's seal button.
- ``"page"``: every page of a compound, at the top of its content (panels only, rendered
  with the page's context): the gate's alert poll for the managers.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from compounds.access import Level, level_for
from compounds.kinds import route_applies

PLACES = ("compound", "household", "fever_alert", "page", "building")


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    url_name: str
    need: Level = Level.VOLUNTEER
    order: int = 100


@dataclass(frozen=True)
class Link:
    key: str
    label: str | Promise
    url_name: str
    need: Level = Level.VOLUNTEER
    order: int = 100
    primary: bool = False


@dataclass(frozen=True)
class Panel:
    key: str
    label: str | Promise
    template: str
    need: Level = Level.VOLUNTEER
    order: int = 100


@dataclass(frozen=True)
class Shown:
    """A tab or link as a page renders it."""

    key: str
    label: str | Promise
    href: str
    primary: bool = False


# Keyed by ``key``: registering again (a second ready(), a test) replaces, never doubles.
_tabs: dict[str, Tab] = {}
_links: dict[str, dict[str, Link]] = {place: {} for place in PLACES}
_panels: dict[str, dict[str, Panel]] = {place: {} for place in PLACES}


def register_tab(tab: Tab) -> None:
    _tabs[tab.key] = tab


def register_link(where: str, link: Link) -> None:
    _links[where][link.key] = link


def register_panel(where: str, panel: Panel) -> None:
    _panels[where][panel.key] = panel


def unregister(key: str) -> None:
    """Remove a tab, link or panel (for tests that register their own)."""
    _tabs.pop(key, None)
    for links in _links.values():
        links.pop(key, None)
    for panels in _panels.values():
        panels.pop(key, None)


def _visible(items: Any, level: Level, kind: str | None = None) -> list[Any]:
    return sorted(
        (
            i
            for i in items
            # A tab of a feature this kind of compound lacks is hidden (compounds.kinds).
            if i.need <= level and (kind is None or route_applies(kind, i.url_name))
        ),
        key=lambda i: (i.order, i.key),
    )


def tabs_for(user: Any, compound: Any) -> list[Shown]:
    level = level_for(user, compound)
    return [
        Shown(t.key, t.label, reverse(t.url_name, args=[compound.pk]))
        for t in _visible(_tabs.values(), level, getattr(compound, "kind", None))
    ]


def links_for(where: str, user: Any, compound: Any, *args: Any) -> list[Shown]:
    level = level_for(user, compound)
    return [
        Shown(link.key, link.label, reverse(link.url_name, args=[compound.pk, *args]), link.primary)
        for link in _visible(_links[where].values(), level, getattr(compound, "kind", None))
    ]


def panels_for(where: str, user: Any, compound: Any) -> list[Panel]:
    return _visible(_panels[where].values(), level_for(user, compound))
