"""The quarantine's refusals: ``ResidentError`` with these codes."""


class Code:
    ENDS_BEFORE_START = "quarantine_ends_before_start"
    SITE_REQUIRED = "quarantine_site_required"
    SITE_NOT_A_SITE = "quarantine_site_not_a_site"
    ALREADY = "quarantine_already"
    ENDED = "quarantine_ended"
    REASON_REQUIRED = "quarantine_reason_required"
    CHECK_OUTSIDE = "quarantine_check_outside"
    CONTACT_NOT_REGISTERED = "close_contact_not_registered"
    CONTACT_FUTURE = "close_contact_in_future"
    NAMED_NOT_VULNERABLE = "named_contact_not_vulnerable"
    NAMED_OTHER_BRANCH = "named_contact_other_branch"
    FORBIDDEN = "quarantine_forbidden"
    MOVED_OUT = "resident_moved_out"
