"""Validation of the personal numbers we hold (their masking lives in the kernel)."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Re-exported: the kernel's template tags and audit trail mask without importing us.
from compounds.errors import BastionError
from compounds.masking import mask_id_number, mask_name, mask_phone  # noqa: F401
from residents.errors import Code, ResidentError

# A body temperature anyone can take: a reading outside is a bad measurement, not a fever.
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^\+?[\d\- ]{5,20}$")


def id_checksum(first17: str) -> str:
    """The 18th character of a mainland resident ID number (GB 11643-1999)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not value:
        return
    if not _ID_RE.match(value):
        raise ValidationError(
            _("An ID card number has 18 characters: 17 digits and a digit or X."),
            code=Code.ID_FORMAT,
        )
    if id_checksum(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID card number's check digit is wrong; please check it again."),
            code=Code.ID_CHECKSUM,
        )


def validate_phone(value: str) -> None:
    if value and not _PHONE_RE.match(value):
        raise ValidationError(_("Enter a phone number of digits only."), code="phone_format")


def body_temperature(
    value: Decimal | str | float, *, error: type[BastionError] = ResidentError
) -> Decimal:
    """A reading to 0.1 °C, or ``error`` (code ``temperature_out_of_range``) if no person can
    have it: the one check of a reading, wherever it is taken (the gate passes its own
    error class, as with ``check_text_fields``)."""
    reading = Decimal(value).quantize(Decimal("0.1"))
    if not TEMPERATURE_MIN <= reading <= TEMPERATURE_MAX:
        raise error(
            gettext("A reading of %(t)s °C is not possible: measure again (34.0–43.0 °C).")
            % {"t": reading},
            Code.TEMPERATURE_OUT_OF_RANGE,
        )
    return reading
