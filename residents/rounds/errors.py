"""The rounds' refusals: ``ResidentError`` with these codes."""


class Code:
    ROUND_CLOSED = "round_closed"
    ROUND_DATES = "round_dates"
    ROUND_NO_BUILDINGS = "round_no_buildings"
    ROUND_OTHER_TITLE = "round_number_taken"
    OUTSIDE_ROUND = "visit_outside_round"
    NOT_ASSIGNED = "visit_not_assigned"
    COLOUR_REASON = "visit_colour_reason_required"
    PRESENT_UNKNOWN = "visit_present_unknown"
    UNEXPLAINED_MISSES = "round_unexplained_misses"
    CLIENT_ID_CONFLICT = "client_id_conflict"
    RECORDED_BEFORE_ROUND = "visit_recorded_before_round"
    ASSIGN_PLACE = "assignment_place"
    ASSIGN_MEMBER = "assignment_member"
