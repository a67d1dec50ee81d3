"""Masks for personal data: what a viewer without the right to see it gets instead.

In the kernel because the template filters, the audit trail and every app's pages and
API mask the same way; which viewer sees the full value is ``access.sees_personal_data``.
"""


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
