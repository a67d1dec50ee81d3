"""The registry's rules, each stated once.

The services check them before they write; the admin's forms check them through the
services (``household_check``, ``resident_check``); the Excel import checks them row by
row before its bulk write. Each rule refuses with a ``ResidentError`` carrying its code,
its message and the field it concerns, so that the page, the API, the import and the
admin refuse the same input in the same words.

A field's format (ID number, phone, text) is the model field's validator
(``residents.validators``, ``compounds.text``); a ``ValidationError`` from one becomes a
``ResidentError`` with the validator's own code (``refusal``).
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.models import Building, Unit
from compounds.text import TEXT_CONTROL_CHARACTER
from residents.errors import Code, ResidentError

OLDEST_BIRTH_YEAR = 1890
# The codes a field validator gives its refusal; any other (a choice, a length) is INVALID.
VALIDATOR_CODES = frozenset(
    {Code.ID_FORMAT, Code.ID_CHECKSUM, Code.PHONE_FORMAT, TEXT_CONTROL_CHARACTER}
)


def check_birth_year(year: int | None) -> None:
    this_year = timezone.localdate().year
    if year is not None and not OLDEST_BIRTH_YEAR <= year <= this_year:
        raise ResidentError(
            _("The birth year must be between %(first)s and %(last)s.")
            % {"first": OLDEST_BIRTH_YEAR, "last": this_year},
            Code.BIRTH_YEAR_RANGE,
            field="birth_year",
        )


def check_returned_on(day: datetime.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise ResidentError(
            _("The return date cannot be in the future."),
            Code.RETURNED_ON_FUTURE,
            field="returned_on",
        )


def check_place(*, compound_id: int | None, building: Building, unit: Unit | None) -> None:
    """The building is in the household's compound, the unit in the building."""
    if building.compound_id != compound_id:
        raise ResidentError(
            _("Building %(number)s belongs to another compound.") % {"number": building.number},
            Code.BUILDING_OTHER_COMPOUND,
            field="building",
        )
    if unit is not None and unit.building_id != building.pk:
        raise ResidentError(
            _("This unit is not in building %(number)s.") % {"number": building.number},
            Code.UNIT_OTHER_BUILDING,
            field="unit",
        )


def household_exists(address: str) -> ResidentError:
    return ResidentError(
        _("Household %(address)s is already registered.") % {"address": address},
        Code.HOUSEHOLD_EXISTS,
        field="room",
    )


def resident_exists(name: str) -> ResidentError:
    return ResidentError(
        _("%(name)s is already registered in this household.") % {"name": name},
        Code.RESIDENT_EXISTS,
        field="name",
    )


def id_number_registered(*, name: str, address: str) -> ResidentError:
    """One person lives in one household. The message names the household, never the
    number, so that it can be shown and logged."""
    return ResidentError(
        _("This ID card number is already registered for %(name)s in %(address)s.")
        % {"name": name, "address": address},
        Code.ID_NUMBER_REGISTERED,
        field="id_number",
    )


def refusal(error: ValidationError) -> ResidentError:
    """A model validation's refusal: the first field's first message, with the
    validator's code when it is one of ours, and every field's messages in ``errors``."""
    errors = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    field, messages = next(iter(errors.items()))
    first = error.error_dict[field][0] if hasattr(error, "error_dict") else error.error_list[0]
    return ResidentError(
        messages[0],
        first.code if first.code in VALIDATOR_CODES else Code.INVALID,
        field=None if field == NON_FIELD_ERRORS else field,
        errors=errors,
    )
