from decimal import Decimal

from django import template

from supplies.ledger_services import yuan

register = template.Library()


@register.filter
def yuan_of(fen: int | None) -> str:
    """1250 → 12.50 (fen to yuan, exact)."""
    return yuan(fen)


@register.filter
def qty(value: Decimal | None) -> str:
    """2.00 → 2, 0.50 → 0.5, 10.00 → 10 (not 1E+1)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
