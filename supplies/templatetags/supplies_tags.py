from decimal import Decimal
from typing import Any

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


@register.simple_tag
def household_supplies(household: Any) -> dict[str, Any]:
    """The household's last orders and help requests, for its page's panel."""
    from supplies.help_selectors import state_label
    from supplies.models import HelpRequest, Order

    orders = (
        Order.objects.filter(household=household)
        .select_related("run")
        .prefetch_related("lines")
        .order_by("-run__date", "-id")[:5]
    )
    requests = (
        HelpRequest.objects.filter(household=household)
        .select_related("fever_alert")
        .order_by("-created_at")[:5]
    )
    return {"orders": orders, "requests": [(r, state_label(r)) for r in requests]}
