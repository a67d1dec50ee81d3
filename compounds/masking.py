"""Masks for personal data: what a viewer without the right to see it gets instead.

In the kernel because the template filters, the audit trail and every app's pages and
API mask the same way; which viewer sees the full value is ``access.sees_personal_data``.
"""

from collections.abc import Callable
from typing import Any


def mask_id_number(value: str) -> str:
    """4201**********1234: the region and the last four, nothing in between."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = value or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str) -> str:
    """张小流 → 张**: enough for "which of you is going out?", not a name list."""
    return value[:1] + "*" * (len(value) - 1) if value else ""


# --- Which fields hold personal numbers --------------------------------------------------
# Apps register their fields by name (residents: ``phone``, ``contact_phone``,
# ``id_number``): the admin masks any model field of that name, and the trail's values
# under that key, for a viewer who may not see them; a new model with such a field is
# covered without an edit here.
_personal_fields: dict[str, Callable[[str], str]] = {}


def register_personal_field(name: str, mask: Callable[[str], str]) -> None:
    _personal_fields[name] = mask


def personal_fields() -> dict[str, Callable[[str], str]]:
    return dict(_personal_fields)


def mask_personal(name: str, value: Any) -> Any:
    """``value`` masked if ``name`` is a registered personal field and it is text."""
    mask = _personal_fields.get(name)
    return mask(value) if mask is not None and isinstance(value, str) and value else value


def mask_personal_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    """An audit entry's {field: [old, new]} (or {field: value}) with personal values masked."""
    masked: dict[str, Any] = {}
    for name, value in (changes or {}).items():
        if isinstance(value, list):
            masked[name] = [mask_personal(name, v) for v in value]
        else:
            masked[name] = mask_personal(name, value)
    return masked
