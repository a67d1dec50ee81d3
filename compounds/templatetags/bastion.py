"""Template filters for personal data (masked unless the viewer's role allows), and the
tags that put other apps' tabs, links and panels on shared pages (``compounds.ui``)."""

from typing import TYPE_CHECKING, Any

from django import template

from compounds import ui
from compounds.masking import mask_id_number, mask_phone

if TYPE_CHECKING:
    from compounds.models import Compound

register = template.Library()


@register.filter
def phone(value: str, personal: bool = False) -> str:
    return value if personal else mask_phone(value)


@register.filter
def id_number(value: str, personal: bool = False) -> str:
    return value if personal else mask_id_number(value)


@register.filter
def can_manage(user: Any, compound: "Compound | int") -> bool:
    """{% if user|can_manage:compound %}: secretary, deputy or officer of this compound."""
    from compounds.access import Level, level_for

    return level_for(user, compound) >= Level.MANAGE


@register.simple_tag(takes_context=True)
def compound_tabs(context: template.Context, compound: Any) -> list[ui.Shown]:
    """{% compound_tabs compound as tabs %}: the compound's tab bar for this viewer."""
    return ui.tabs_for(context["user"], compound)


@register.simple_tag(takes_context=True)
def page_links(context: template.Context, where: str, compound: Any, *args: Any) -> list[ui.Shown]:
    """{% page_links "household" compound household.pk as links %}: registered buttons."""
    return ui.links_for(where, context["user"], compound, *args)


@register.simple_tag(takes_context=True)
def page_panels(context: template.Context, where: str, compound: Any) -> list[ui.Panel]:
    """{% page_panels "household" compound as panels %}: registered sections to include."""
    return ui.panels_for(where, context["user"], compound)


@register.filter
def has_feature(compound: Any, feature: str) -> bool:
    """{% if compound|has_feature:"registry" %}: the one map of ``compounds.kinds``."""
    from compounds.kinds import has_feature as kind_has

    return kind_has(getattr(compound, "kind", ""), feature)
