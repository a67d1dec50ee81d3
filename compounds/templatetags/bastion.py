"""Template filters for personal data: masked unless the viewer's role allows."""

from django import template

from residents.validators import mask_id_number, mask_phone

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
