"""Reason codes at the gate and the sentence a volunteer reads out for each."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compounds.errors import BastionError


class CheckpointError(BastionError):
    """An input the gate cannot decide on (nothing is written): 400, or 409 for conflicts."""


class CheckpointConflict(CheckpointError):
    """The request clashes with one already stored (a client_id used for another record)."""

    status_code = 409


class Reason:
    # A card of another compound is CARD_UNKNOWN too, on purpose: a gate must not confirm
    # that a number exists elsewhere in the city.
    CARD_UNKNOWN = "card_unknown"
    CARD_REVOKED = "card_revoked"
    QUOTA_USED = "quota_used"
    FEVER = "fever"
    BUILDING_SEALED = "building_sealed"
    QUARANTINED = "quarantined"
    GATE_SEALED = "gate_sealed"
    VEHICLE_BARRED = "vehicle_barred"


REASON_LABELS = {
    Reason.CARD_UNKNOWN: gettext_lazy("unknown card"),
    Reason.CARD_REVOKED: gettext_lazy("card revoked"),
    Reason.QUOTA_USED: gettext_lazy("exit quota used"),
    Reason.FEVER: gettext_lazy("fever"),
    Reason.BUILDING_SEALED: gettext_lazy("building sealed"),
    Reason.QUARANTINED: gettext_lazy("home quarantine"),
    Reason.GATE_SEALED: gettext_lazy("opening sealed"),
    Reason.VEHICLE_BARRED: gettext_lazy("vehicle not allowed"),
}


# A breach that is no rule's reason: the phone refused what the server would have allowed.
DEVICE_REFUSED = "device_refused"
BREACH_LABELS = {
    **REASON_LABELS,
    DEVICE_REFUSED: gettext_lazy("refused on the phone, allowed by the server"),
}


# Uploads the server refused outright (services.LOGGED_REFUSALS), as the refused log shows them.
REFUSAL_LABELS = {
    "recorded_too_old": gettext_lazy("device clock far behind, or record too old"),
    "recorded_in_future": gettext_lazy("device clock ahead of the server"),
    "client_id_conflict": gettext_lazy("record id already used for another record"),
}


def when(value: datetime | None) -> str:
    """2月13日 09:12 in Chinese, February 13 09:12 in English; always Asia/Shanghai."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"


def reason_message(
    reason: str | None,
    *,
    last_exit_at: datetime | None = None,
    next_exit_at: datetime | None = None,
    temperature: object = None,
    fever: bool = False,
) -> str:
    """The sentence the volunteer can read out or show; translated in the active language."""
    if not reason:
        if fever:
            return _(
                "Entry recorded with a fever reading of %(t)s °C: the branch has been alerted."
            ) % {"t": temperature}
        return _("Allowed.")
    texts = {
        Reason.CARD_UNKNOWN: _("No such card. Check the number, or ask the branch for a card."),
        Reason.CARD_REVOKED: _(
            "This card has been revoked (lost or replaced). Only the new card is valid."
        ),
        Reason.FEVER: _(
            "Temperature %(t)s °C is at or above the fever line: no exit. "
            "The branch has been alerted; please re-measure."
        )
        % {"t": temperature},
        Reason.BUILDING_SEALED: _(
            "This household's building is sealed: nobody leaves except by escalation."
        ),
        Reason.QUARANTINED: _("In home quarantine: no exit until the quarantine ends."),
        Reason.GATE_SEALED: _("This opening is sealed: use a staffed gate."),
        Reason.VEHICLE_BARRED: _("Vehicles may not pass here under the compound's rules."),
    }
    if reason == Reason.QUOTA_USED:
        return _("Last outing: %(last)s. Next allowed: %(next)s.") % {
            "last": when(last_exit_at),
            "next": when(next_exit_at),
        }
    return texts.get(reason, reason)
