"""The gate's labels in templates, read from the one table in ``checkpoints.errors``."""

from django import template

from checkpoints.errors import REASON_LABELS

register = template.Library()


@register.filter
def reason_label(code: str) -> str:
    """A refusal or breach code as its short translated label; an unknown code as it is."""
    return str(REASON_LABELS.get(code, code))
