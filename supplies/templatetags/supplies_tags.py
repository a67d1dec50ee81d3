from django import template

from supplies.ledger_services import yuan

register = template.Library()


@register.filter
def yuan_of(fen: int | None) -> str:
    """1250 → 12.50 (fen to yuan, exact)."""
    return yuan(fen)
