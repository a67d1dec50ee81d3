"""What the roster's writers share: the local clock, who may change a roster, limits."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkpoints.rosters.errors import RosterError, RosterForbidden
from compounds.access import Level, level_for
from compounds.models import Compound

MAX_ROLLOUT_DAYS = 90
NEEDED_MESSAGE = gettext_lazy(
    "A post needs at least one person per shift (the headcount must be 1 or more)."
)
# Sign-in opens this long before the shift starts (an early arrival is shown as early).
SIGN_IN_OPENS = timedelta(hours=2)
THREE_SHIFTS = "三班倒"
# Bastion's editable default: the field reports name no times for 三班倒.
THREE_SHIFT_SLOTS = (
    (time(0), time(8), False),
    (time(8), time(16), False),
    (time(16), time(0), True),
)


# A sign-in queued on a phone while offline carries the phone's time; it is taken if it is
# no later than now and no older than this, else the server's time is.
QUEUED_AT_MOST = timedelta(hours=12)


def device_time(at: datetime | None) -> datetime | None:
    """The phone's time of a queued sign-in, if believable; else None (use the server's)."""
    if at is None or at.tzinfo is None:
        return None
    now = datetime.now(tz=local_zone())
    return at if now - QUEUED_AT_MOST <= at <= now else None


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def at(day: date, clock: time) -> datetime:
    """``day`` at ``clock`` in Asia/Shanghai, aware."""
    return datetime.combine(day, clock, tzinfo=local_zone())


def require_manage(actor: Any, compound: Compound | int) -> None:
    if actor is not None and level_for(actor, compound) < Level.MANAGE:
        raise RosterForbidden(
            _("You may not change the roster of this compound: that is for its secretary."),
            "roster_forbidden",
        )


def check_needed(needed: int | None) -> None:
    if needed is None or needed < 1:
        raise RosterError(NEEDED_MESSAGE, "needed_invalid")
