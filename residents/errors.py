"""The registry's refusals: a translated message and a stable code."""

from compounds.errors import BastionError


class ResidentError(BastionError):
    """A registry write the branch's rules refuse (nothing is written).

    ``field`` (a keyword parameter), when given, names the form field the message
    belongs to, so that a page can show it beside the input.
    """


class Code:
    BUILDING_OTHER_COMPOUND = "building_other_compound"
    UNIT_OTHER_BUILDING = "unit_other_building"
    HOUSEHOLD_EXISTS = "household_exists"
    RESIDENT_EXISTS = "resident_exists"
    ID_NUMBER_REGISTERED = "id_number_registered"
    BIRTH_YEAR_RANGE = "birth_year_range"
    RETURNED_ON_FUTURE = "returned_on_future"
    UNKNOWN_FIELD = "unknown_field"
    # The validators' own codes (``residents.validators``): a refusal names the rule.
    ID_FORMAT = "id_format"
    ID_CHECKSUM = "id_checksum"
    PHONE_FORMAT = "phone_format"
    # Refusals of an Excel import as a whole, or of a cell left empty.
    IMPORT_FILE = "import_file"
    IMPORT_EMPTY = "import_empty"
    REQUIRED = "required"
    # A value no rule of ours names (a choice, a length, a type): Django's check.
    INVALID = "invalid"
    SEARCH_RATE_LIMITED = "search_rate_limited"
    TEMPERATURE_OUT_OF_RANGE = "temperature_out_of_range"
    ALERT_SOURCE_INVALID = "alert_source_invalid"
    ALERT_OTHER_COMPOUND = "alert_other_compound"
    ALERT_STATUS_INVALID = "alert_status_invalid"
    ALERT_RESOLVED = "alert_resolved"
    RESIDENT_ERASED = "resident_erased"
    ERASE_FORBIDDEN = "erase_forbidden"
    ERASE_REASON_REQUIRED = "erase_reason_required"
    PURGE_FORBIDDEN = "purge_forbidden"
