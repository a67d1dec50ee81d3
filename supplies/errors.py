"""Supplies' refusals: a translated message and a stable code (nothing is written)."""

from compounds.errors import BastionError


class SupplyError(BastionError):
    """A write the rules refuse. ``line_no`` (a keyword parameter), when given, names the
    line of a paste the refusal is about."""


class SupplyConflict(SupplyError):
    """A client key already used for something else."""

    status_code = 409


class Code:
    AFTER_CUTOFF = "after_cutoff"
    CUTOFF_INVALID = "cutoff_invalid"
    BUILDING_OTHER_COMPOUND = "building_other_compound"
    HOUSEHOLD_OTHER_COMPOUND = "household_other_compound"
    HOUSEHOLD_OUTSIDE_RUN = "household_outside_run"
    VOLUNTEER_OTHER_COMPOUND = "volunteer_other_compound"
    ROOM_UNKNOWN = "room_unknown"
    ROOM_AMBIGUOUS = "room_ambiguous"
    NO_ITEMS = "no_items"
    CHATTER = "chatter"
    QUANTITY_INVALID = "quantity_invalid"
    ITEM_NAME_REQUIRED = "item_name_required"
    TOO_MANY_LINES = "too_many_lines"
    CLIENT_KEY_CONFLICT = "client_key_conflict"
    STATE_INVALID = "state_invalid"
    AMOUNT_INVALID = "amount_invalid"
    PAYER_REQUIRED = "payer_required"
    METHOD_INVALID = "method_invalid"
    LEDGER_HISTORY = "ledger_history"
    ALREADY_REVERSED = "already_reversed"
    UNBALANCED = "unbalanced"
    URGENCY_INVALID = "urgency_invalid"
    LINKED_TO_ALERT = "linked_to_alert"
    ESCALATION_TARGET = "escalation_target"
    REQUEST_RESOLVED = "request_resolved"
    SUMMARY_REQUIRED = "summary_required"
    TEMPERATURE_INVALID = "temperature_invalid"
    PERIOD_INVALID = "period_invalid"
    INVALID = "invalid"
