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
    INVALID = "invalid"
    SEARCH_RATE_LIMITED = "search_rate_limited"
