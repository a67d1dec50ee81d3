"""{% my_duty compound as duty %}: the viewer's shift in this compound now or within the
next two hours, for the sign-in box on the gate page (``_gate_duty.html``)."""

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from checkpoints.rosters.common import SIGN_IN_OPENS
from checkpoints.rosters.models import Assignment

register = template.Library()


@register.simple_tag(takes_context=True)
def my_duty(context: template.Context, compound: Any) -> Assignment | None:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return None
    now = timezone.now()
    return (
        Assignment.objects.filter(
            member__user=user,
            member__branch__compound=compound,
            cancelled_at__isnull=True,
            signed_out_at__isnull=True,
            shift__cancelled_at__isnull=True,
            shift__starts_at__lte=now + SIGN_IN_OPENS,
            shift__ends_at__gt=now - timedelta(minutes=1),
        )
        .select_related("shift__post")
        .order_by("shift__starts_at")
        .first()
    )
