"""Template filters for personal data (masked unless the viewer's role allows), and the
tags that put other apps' tabs, links and panels on shared pages (``compounds.ui``)."""

from typing import Any

from django import template

from compounds import ui
from compounds.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def phone(value: str, personal: bool = False) -> str:
    return value if personal else mask_phone(value)


@register.filter
def id_number(value: str, personal: bool = False) -> str:
    return value if personal else mask_id_number(value)


@register.filter
def can_manage(user: object, compound: object) -> bool:
    """{% if user|can_manage:compound %}: secretary, deputy or officer of this compound."""
    from compounds.access import Level, level_for

    return level_for(user, compound) >= Level.MANAGE  # type: ignore[arg-type]


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
