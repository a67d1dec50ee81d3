"""Help requests (求助) and tips (舆情): the only writers.

A request moves open → in progress → escalated (community, hospital, police) → resolved,
each step a ``HelpEvent``. A medical request with a reading at or above the compound's
fever line raises a fever alert through ``residents.services.fever_alert_raise`` (source:
phone) and is linked to it; from then on its state is the alert's (``help_selectors.
state_of``) and moves only by handling the alert, so a fever has one source of truth.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds.access import Level, level_for
from compounds.models import Compound
from compounds.services import audit_record
from compounds.text import check_text_fields
from residents.errors import ResidentError
from residents.models import FeverAlert, Household
from residents.selectors import health_rules_for
from residents.services import fever_alert_raise
from residents.validators import body_temperature
from supplies import audit
from supplies.errors import Code, SupplyError
from supplies.models import FollowUp, HelpEvent, HelpRequest

State = HelpRequest.State


def _check_handler(handler: Any, compound_id: int) -> None:
    if handler is not None and level_for(handler, compound_id) < Level.VOLUNTEER:
        raise SupplyError(
            _("Only people of this compound can handle its requests."),
            Code.VOLUNTEER_OTHER_COMPOUND,
        )


def _choice(value: str, choices: Any, message: str, code: str) -> str:
    if value not in choices.values:
        raise SupplyError(message, code)
    return value


@transaction.atomic
def help_request_create(
    *,
    compound: Compound,
    channel: str,
    kind: str,
    summary: str,
    actor: Any,
    urgency: int = 3,
    household: Household | None = None,
    contact: str = "",
    temperature: Decimal | None = None,
    handler: Any = None,
) -> HelpRequest:
    _choice(channel, HelpRequest.Channel, _("Say how the request came in."), Code.INVALID)
    _choice(kind, HelpRequest.Kind, _("Say what kind of help is needed."), Code.INVALID)
    if urgency not in (1, 2, 3, 4) or isinstance(urgency, bool) or not isinstance(urgency, int):
        raise SupplyError(_("Urgency is 1 (life at risk) to 4."), Code.URGENCY_INVALID)
    if not (summary or "").strip():
        raise SupplyError(_("Say what is needed."), Code.SUMMARY_REQUIRED)
    if household is not None and household.compound_id != compound.pk:
        raise SupplyError(
            _("This household is not of this compound."), Code.HOUSEHOLD_OTHER_COMPOUND
        )
    _check_handler(handler, compound.pk)
    if temperature is not None:
        try:
            temperature = body_temperature(temperature, error=SupplyError)
        except SupplyError as refusal:
            refusal.code = Code.TEMPERATURE_INVALID
            raise
    request = HelpRequest(
        compound=compound,
        channel=channel,
        kind=kind,
        urgency=urgency,
        summary=summary.strip(),
        contact=contact.strip(),
        temperature=temperature,
        household=household,
        handler=handler,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    check_text_fields(request, error=SupplyError)
    fever_line = health_rules_for(compound).fever_line
    if kind == HelpRequest.Kind.MEDICAL and temperature is not None and temperature >= fever_line:
        try:
            request.fever_alert = fever_alert_raise(
                compound=compound,
                source=FeverAlert.Source.PHONE,
                temperature=temperature,
                household=household,
                actor=actor,
            )
        except ResidentError as refusal:  # pragma: no cover - checked above
            raise SupplyError(refusal.message, refusal.code) from refusal
    request.save()
    HelpEvent.objects.create(request=request, state=State.OPEN, actor=request.created_by)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.HELP_CREATE,
        obj=request,
        changes={"kind": kind, "channel": channel, "urgency": urgency},
    )
    return request


@transaction.atomic
def help_request_move(
    *,
    request: HelpRequest,
    state: str,
    actor: Any,
    note: str = "",
    escalated_to: str = "",
    handler: Any = None,
) -> HelpRequest:
    """The next step; resolved is final. A request linked to a fever alert follows the
    alert and is refused here."""
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    _check_handler(handler, request.compound_id)
    if request.fever_alert_id is not None:
        raise SupplyError(
            _("This request follows its fever alert: handle the alert."), Code.LINKED_TO_ALERT
        )
    _choice(state, State, _("Choose the request's next state."), Code.STATE_INVALID)
    if request.state == State.RESOLVED:
        raise SupplyError(_("This request is already resolved."), Code.REQUEST_RESOLVED)
    if state == State.OPEN:
        raise SupplyError(_("Choose the request's next state."), Code.STATE_INVALID)
    if state == State.ESCALATED:
        _choice(
            escalated_to,
            HelpRequest.EscalatedTo,
            _("Say where it was escalated: community, hospital or police."),
            Code.ESCALATION_TARGET,
        )
    else:
        escalated_to = request.escalated_to
    event = HelpEvent(
        request=request, state=state, escalated_to=escalated_to, note=note.strip(), actor=actor
    )
    check_text_fields(event, error=SupplyError)
    before = {"state": request.state, "escalated_to": request.escalated_to}
    request.state, request.escalated_to = state, escalated_to
    if handler is not None or request.handler_id is None:
        request.handler = handler or actor
    if state == State.RESOLVED:
        request.resolved_at = timezone.now()
    request.save()
    event.save()
    audit_record(
        compound=request.compound_id,
        actor=actor,
        action=audit.HELP_MOVE,
        obj=request,
        changes={
            k: [v, getattr(request, k)] for k, v in before.items() if v != getattr(request, k)
        },
    )
    return request


@transaction.atomic
def help_follow_up(
    *,
    request: HelpRequest,
    how: str,
    outcome: str,
    actor: Any,
    at: datetime | None = None,
    next_at: datetime | None = None,
) -> FollowUp:
    """回访: when, how, what came of it, when next."""
    _choice(how, FollowUp.How, _("Say how you followed up."), Code.INVALID)
    if not (outcome or "").strip():
        raise SupplyError(_("Say what came of it."), Code.SUMMARY_REQUIRED)
    at = at or timezone.now()
    if next_at is not None and next_at <= at:
        raise SupplyError(_("The next follow-up comes after this one."), Code.INVALID)
    follow_up = FollowUp(
        request=request, at=at, how=how, outcome=outcome.strip(), next_at=next_at, actor=actor
    )
    check_text_fields(follow_up, error=SupplyError)
    follow_up.save()
    audit_record(
        compound=request.compound_id,
        actor=actor,
        action=audit.HELP_FOLLOW_UP,
        obj=request,
        changes={"how": how},
    )
    return follow_up


@transaction.atomic
def help_tip_record(
    *, request: HelpRequest, investigation: str, finding: str, actor: Any
) -> HelpRequest:
    """What was checked about a tip, and what was found."""
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    if request.kind != HelpRequest.Kind.TIP:
        raise SupplyError(_("Only a tip records an investigation."), Code.INVALID)
    before = {"investigation": request.investigation, "finding": request.finding}
    request.investigation, request.finding = investigation.strip(), finding.strip()
    check_text_fields(request, error=SupplyError)
    request.save(update_fields=["investigation", "finding", "updated_at"])
    audit_record(
        compound=request.compound_id,
        actor=actor,
        action=audit.HELP_TIP,
        obj=request,
        changes={
            k: [v, getattr(request, k)] for k, v in before.items() if v != getattr(request, k)
        },
    )
    return request
