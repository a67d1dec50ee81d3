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
