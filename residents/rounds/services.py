"""Rounds' writes: open a round (one pending visit per household, in bulk), assign units,
record a visit (idempotent by the phone's client id), close a round.

A visit's changes to the registry (a person found, a person gone) go through the
residents services (``resident_create``, ``resident_move_out``) and their audit; a fever
at the door raises the one fever alert (``fever_alert_raise``, source ``door_visit``).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compounds import access, events
from compounds.access import Level
from compounds.models import BranchMember, Building, Compound, Unit
from compounds.services import audit_record
from compounds.text import TEXT_CONTROL_CHARACTER, check_text_fields, validate_text
from residents import rules
from residents import services as registry
from residents.errors import ResidentError
from residents.models import FeverAlert, Household, Resident
from residents.rounds import audit
from residents.rounds.colours import colour_for
from residents.rounds.errors import Code
from residents.rounds.models import DONE_RESULTS, Assignment, Round, Visit, VisitAttempt
from residents.selectors import health_rules_for
from residents.validators import body_temperature

# A returnee counts for a pink card while their return is this recent (or undated).
RETURNEE_DAYS = 14


def _require_manage(actor: Any, compound_id: int) -> None:
    if access.level_for(actor, compound_id) < Level.MANAGE:
        raise ResidentError(
            _("Only the branch secretary or the community officer may do this."),
            Code.NOT_ASSIGNED,
        )


# --- open and close ------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    compound: Compound,
    actor: Any,
    number: int,
    title: str,
    starts_on: date,
    ends_on: date,
    scope: str = Round.Scope.WHOLE,
    buildings: Iterable[Building] = (),
) -> tuple[Round, int]:
    """Open round ``number`` (or take it again: the same number twice is one round) and
    create a pending visit for every household in scope that has none; returns the round
    and how many visits were created. A few queries whatever the number of households."""
    _require_manage(actor, compound.pk)
    if ends_on < starts_on:
        raise ResidentError(
            _("A round cannot end before it starts."), Code.ROUND_DATES, field="ends_on"
        )
    chosen = [b for b in buildings if b.compound_id == compound.pk]
    if scope == Round.Scope.BUILDINGS and not chosen:
        raise ResidentError(
            _("Choose the buildings of this round."), Code.ROUND_NO_BUILDINGS, field="buildings"
        )
    round_ = (
        Round.objects.select_for_update(of=("self",))
        .filter(compound=compound, number=number)
        .first()
    )
    if round_ is not None and round_.closed:
        raise ResidentError(_("This round is closed."), Code.ROUND_CLOSED, field="number")
    if round_ is None:
        round_ = Round(
            compound=compound,
            number=number,
            title=(title or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            scope=scope,
            opened_by=actor,
        )
        check_text_fields(round_, error=ResidentError)
        if not round_.title:
            raise ResidentError(_("Give the round a title."), "required", field="title")
        round_.save()
        if scope == Round.Scope.BUILDINGS:
            round_.buildings.set(chosen)
    created = _visits_ahead(round_)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.ROUND_OPEN,
        obj=round_,
        changes={"number": number, "title": round_.title, "visits_created": created},
    )
    return round_, created


def _visits_ahead(round_: Round) -> int:
    households = Household.objects.filter(compound_id=round_.compound_id)
    if round_.scope == Round.Scope.BUILDINGS:
        households = households.filter(building__in=round_.buildings.all())
    have = Visit.objects.filter(round=round_).values("household_id")
    counts = dict(
        households.exclude(pk__in=have)
        .annotate(
            n=Count(
                "residents",
                filter=Q(residents__moved_out_on__isnull=True, residents__erased_at__isnull=True),
            )
        )
        .values_list("pk", "n")
    )
    Visit.objects.bulk_create(
        [
            Visit(round=round_, compound_id=round_.compound_id, household_id=pk, registered_count=n)
            for pk, n in counts.items()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    return len(counts)


def unvisited(round_: Round) -> Any:
    """Visits that close the round only with a reason: never walked, or nobody home."""
    return Visit.objects.filter(round=round_).exclude(result__in=DONE_RESULTS)


@transaction.atomic
def round_close(*, round_: Round, actor: Any, reasons: Mapping[int, str]) -> Round:
    """Close the round. Every household not visited needs a reason (``reasons`` by
    visit id, or one given before); otherwise nothing is written."""
    _require_manage(actor, round_.compound_id)
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.closed:
        raise ResidentError(_("This round is closed."), Code.ROUND_CLOSED)
    missing, explained = [], []
    for visit in unvisited(round_).select_related("household__building", "household__unit"):
        reason = (reasons.get(visit.pk) or visit.miss_reason or "").strip()
        if not reason:
            missing.append(visit.household.address)
            continue
        visit.miss_reason = reason[:200]
        check_text_fields(visit, error=ResidentError)
        explained.append(visit)
    if missing:
        raise ResidentError(
            ngettext(
                "Say why %(count)d household was not visited: %(addresses)s.",
                "Say why %(count)d households were not visited: %(addresses)s.",
                len(missing),
            )
            % {"count": len(missing), "addresses": ", ".join(missing[:10])},
            Code.UNEXPLAINED_MISSES,
        )
    Visit.objects.bulk_update(explained, ["miss_reason"], batch_size=500)
    round_.closed_at = timezone.now()
    round_.closed_by = actor
    round_.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        compound=round_.compound_id,
        actor=actor,
        action=audit.ROUND_CLOSE,
        obj=round_,
        changes={"misses_explained": len(explained)},
    )
    return round_


# --- assignments ---------------------------------------------------------------------------


@transaction.atomic
def assignment_set(
    *, round_: Round, actor: Any, member: BranchMember, building: Building, unit: Unit | None
) -> Assignment:
    """``member`` answers for ``unit`` (or for ``building`` when it has no units)."""
    _require_manage(actor, round_.compound_id)
    if round_.closed:
        raise ResidentError(_("This round is closed."), Code.ROUND_CLOSED)
    if building.compound_id != round_.compound_id or (
        unit is not None and unit.building_id != building.pk
    ):
        raise ResidentError(_("Choose a unit of this compound."), Code.ASSIGN_PLACE, field="unit")
    if unit is None and Unit.objects.filter(building=building).exists():
        raise ResidentError(
            _("Building %(number)s has units: assign its units one by one.")
            % {"number": building.number},
            Code.ASSIGN_PLACE,
            field="unit",
        )
    if member.branch.compound_id != round_.compound_id:
        raise ResidentError(
            _("Choose a member of this compound's branch."), Code.ASSIGN_MEMBER, field="member"
        )
    row = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(round=round_, building=building, unit=unit)
        .select_related("member")
        .first()
    )
    replaced = row.member if row else None
    if row is None:
        row = Assignment(round=round_, building=building, unit=unit, member=member)
    row.member = member
    row.save()
    audit_record(
        compound=round_.compound_id,
        actor=actor,
        action=audit.ROUND_ASSIGN,
        obj=round_,
        changes={
            "place": str(row).split(" → ")[0],
            "member": [replaced.name if replaced else None, member.name],
        },
    )
    _assignment_changed(round_, actor, member, replaced)
    return row


@transaction.atomic
def assignment_clear(
    *, round_: Round, actor: Any, building: Building, unit: Unit | None
) -> BranchMember | None:
    """Nobody answers for ``unit`` (or ``building``) any more; returns who did, if anyone."""
    _require_manage(actor, round_.compound_id)
    if round_.closed:
        raise ResidentError(_("This round is closed."), Code.ROUND_CLOSED)
    row = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(round=round_, building=building, unit=unit)
        .select_related("member")
        .first()
    )
    if row is None:
        return None
    replaced = row.member
    place = str(row).split(" → ")[0]
    row.delete()
    audit_record(
        compound=round_.compound_id,
        actor=actor,
        action=audit.ROUND_ASSIGN,
        obj=round_,
        changes={"place": place, "member": [replaced.name, None]},
    )
    _assignment_changed(round_, actor, None, replaced)
    return replaced


def _assignment_changed(
    round_: Round, actor: Any, member: BranchMember | None, replaced: BranchMember | None
) -> None:
    """Tell the listeners (the roster's round duties) whose share of the round changed."""
    members = [m for m in (member, replaced) if m is not None]
    members = list({m.pk: m for m in members}.values())
    events.send(
        events.round_assignment_changed,
        sender=Assignment,
        round=round_,
        members=members,
        actor=actor,
    )


def assigned_q(round_: Round, user: Any, prefix: str = "household__") -> Q:
    """The households ``user`` answers for in the round, as a filter (nothing if none)."""
    q = Q(pk__in=[])
    places: list[tuple[int, int | None]] = list(
        Assignment.objects.filter(round=round_, member__user=user).values_list(
            "building_id", "unit_id"
        )
    )
    for building_id, unit_id in places:
        if unit_id is None:
            q |= Q(**{f"{prefix}building_id": building_id})
        else:
            q |= Q(**{f"{prefix}building_id": building_id, f"{prefix}unit_id": unit_id})
    return q


def may_record(round_: Round, user: Any, household: Household) -> bool:
    if access.level_for(user, round_.compound_id) >= Level.MANAGE:
        return True
    return Household.objects.filter(assigned_q(round_, user, prefix=""), pk=household.pk).exists()


# --- a visit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    name: str
    sex: str = ""
    birth_year: int | None = None
    relation: str = Resident.Relation.OTHER
    phone: str = ""


@dataclass(frozen=True)
class Recorded:
    visit: Visit
    created: bool  # False: this client id was already recorded (a retried upload)


def visit_for(*, round_: Round, household_id: int) -> Visit:
    """The round's visit of this household, or a refusal: it is not in the round."""
    visit = Visit.objects.filter(round=round_, household_id=household_id).first()
    if visit is None:
        raise ResidentError(
            _("This household is not part of this round."), Code.OUTSIDE_ROUND, field="household"
        )
    return visit


def has_recent_returnee(household: Household, *, today: date) -> bool:
    since = today - timedelta(days=RETURNEE_DAYS)
    return Resident.objects.filter(
        Q(returned_on__isnull=True) | Q(returned_on__gte=since),
        household=household,
        returnee=True,
        moved_out_on__isnull=True,
        erased_at__isnull=True,
    ).exists()


def _check_answers(
    *,
    result: str,
    temperature: Decimal | None,
    returned_on: date | None,
    colour: str,
    colour_rule: str,
    colour_reason: str,
) -> Decimal | None:
    if result not in Visit.Result.values or result == Visit.Result.PENDING:
        raise ResidentError(_("Choose the result of the visit."), "invalid", field="result")
    reading = body_temperature(temperature) if temperature is not None else None
    rules.check_returned_on(returned_on)
    if colour and colour not in Visit.Colour.values:
        raise ResidentError(_("Choose a card colour."), "invalid", field="colour")
    if colour and colour != colour_rule and not colour_reason.strip():
        raise ResidentError(
            _("Say why the card is not the colour the answers give."),
            Code.COLOUR_REASON,
            field="colour_reason",
        )
    return reading


def _check_texts(**texts: str) -> None:
    """The free texts as typed, each against its field's rule, before any is dropped."""
    for name, value in texts.items():
        label = str(getattr(Visit._meta.get_field(name), "verbose_name", name))
        try:
            validate_text(value or "", multiline=name == "notes", label=label)
        except ValidationError as refusal:
            raise ResidentError(refusal.messages[0], TEXT_CONTROL_CHARACTER, field=name) from None


def visit_record(*, visit: Visit, client_id: UUID, **fields: Any) -> Recorded:
    """Record what was found at the door (``_visit_record``). Two uploads of one record
    at once (a phone retrying while its first try is still on the way) both pass the
    check for a known client id; the unique index stops the second, which then answers
    like any replay."""
    try:
        return _visit_record(visit=visit, client_id=client_id, **fields)
    except IntegrityError:
        seen = VisitAttempt.objects.filter(client_id=client_id).first()
        if seen is None:
            # The other upload has not committed yet (or rolled back): busy, not broken.
            # The API answers 503 with Retry-After, and the phone's queue sends it again.
            raise OperationalError("another upload of this record is being written") from None
        if seen.visit_id != visit.pk:
            raise ResidentError(
                _("This record's id is already used for another visit."), Code.CLIENT_ID_CONFLICT
            ) from None
        return Recorded(seen.visit, False)


@transaction.atomic
def _visit_record(
    *,
    visit: Visit,
    actor: Any,
    client_id: UUID,
    result: str,
    present: Sequence[int] = (),
    returnee: bool = False,
    returned_from: str = "",
    returned_on: date | None = None,
    case_contact: bool = False,
    symptoms: bool = False,
    temperature: Decimal | None = None,
    fever_resident: int | None = None,
    returnee_resident: int | None = None,
    notes: str = "",
    colour: str = "",
    colour_reason: str = "",
    new_people: Sequence[NewPerson] = (),
    moved_out: Sequence[int] = (),
    recorded_at: datetime | None = None,
) -> Recorded:
    """Record what was found at the door. A client id already recorded for this visit
    answers with the visit as it stands (created False); for another visit, a refusal."""
    _check_texts(returned_from=returned_from, notes=notes, colour_reason=colour_reason)
    seen = VisitAttempt.objects.filter(client_id=client_id).select_related("visit").first()
    if seen is not None:
        if seen.visit_id != visit.pk:
            raise ResidentError(
                _("This record's id is already used for another visit."), Code.CLIENT_ID_CONFLICT
            )
        return Recorded(seen.visit, False)
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("round", "household__building", "household__unit", "compound")
        .order_by()
        .get(pk=visit.pk)
    )
    round_, household = visit.round, visit.household
    if round_.closed:
        raise ResidentError(_("This round is closed."), Code.ROUND_CLOSED)
    if not may_record(round_, actor, household):
        raise ResidentError(
            _("You can record visits only in the units assigned to you."), Code.NOT_ASSIGNED
        )
    if recorded_at is not None and timezone.localdate(recorded_at) < round_.starts_on:
        # A phone whose clock says 1970 (or last month) cannot date a visit of this round.
        raise ResidentError(
            _("This record is dated before the round began: check the phone's date and time."),
            Code.RECORDED_BEFORE_ROUND,
        )
    today = timezone.localdate()
    members = {
        r.pk: r for r in household.residents.filter(moved_out_on__isnull=True, erased_at=None)
    }
    named = {pk for pk in (fever_resident, returnee_resident) if pk is not None}
    if not set(present) | set(moved_out) | named <= members.keys():
        raise ResidentError(
            _("A person ticked is not registered in this household."), Code.PRESENT_UNKNOWN
        )
    has_returnee = returnee or has_recent_returnee(household, today=today)
    rule = colour_for(result=result, has_returnee=has_returnee)
    reading = _check_answers(
        result=result,
        temperature=temperature,
        returned_on=returned_on,
        colour=colour,
        colour_rule=rule,
        colour_reason=colour_reason,
    )
    # The registry first: a refused new person leaves nothing written (one transaction).
    for person in new_people:
        registry.resident_create(
            household=household,
            actor=actor,
            name=person.name,
            sex=person.sex,
            birth_year=person.birth_year,
            relation=person.relation,
            phone=person.phone,
        )
    for pk in moved_out:
        registry.resident_move_out(resident=members[pk], actor=actor, note=_("door visit"))
    if returnee and returnee_resident is not None:
        # The person who came back, in the registry too (its audit names the change).
        registry.resident_update(
            resident=members[returnee_resident],
            actor=actor,
            returnee=True,
            returned_from=(returned_from or "").strip(),
            returned_on=returned_on,
        )
    now = timezone.now()
    # A phone's clock may run ahead: a visit is never recorded after now.
    at = min(recorded_at, now) if recorded_at is not None else now
    if reading is not None and reading >= health_rules_for(visit.compound).fever_line:
        alert = fever_alert_raise_at_door(visit, reading, actor, fever_resident)
    else:
        alert = None
    if visit.visited_at is not None and at < visit.visited_at:
        # Uploaded late, after a newer recording of this door (a revisit sent first):
        # kept in the attempts and the audit; the visit keeps the newer state.
        VisitAttempt.objects.create(
            visit=visit, client_id=client_id, result=result, at=at, by=actor
        )
        _audit_visit(visit, actor, round_.number, result, reading, returnee, late=True)
        return Recorded(visit, True)
    visit.result = result
    visit.returnee = returnee
    visit.returned_from = (returned_from or "").strip() if returnee else ""
    visit.returned_on = returned_on if returnee else None
    visit.case_contact = case_contact
    visit.symptoms = symptoms
    visit.temperature = reading
    visit.notes = notes or ""
    visit.colour_rule = rule
    visit.colour = colour or rule
    visit.colour_reason = colour_reason.strip() if visit.colour != rule else ""
    visit.registered_count = len(members) - len(set(moved_out)) + len(new_people)
    visit.visited_at = at
    visit.visited_by = actor
    check_text_fields(visit, error=ResidentError)
    if alert is not None:
        visit.fever_alert = alert
    visit.present = sorted({pk for pk in present if pk not in moved_out})
    visit.save()
    VisitAttempt.objects.create(
        visit=visit, client_id=client_id, result=result, at=visit.visited_at, by=actor
    )
    _audit_visit(visit, actor, round_.number, result, reading, returnee, late=False)
    return Recorded(visit, True)


def _audit_visit(
    visit: Visit,
    actor: Any,
    number: int,
    result: str,
    reading: Decimal | None,
    returnee: bool,
    *,
    late: bool,
) -> None:
    changes: dict[str, Any] = {
        "round": number,
        "result": result,
        "colour": visit.colour,
        "returnee": returnee,
        "temperature": str(reading) if reading is not None else None,
    }
    if late:
        changes["late"] = True
    audit_record(
        compound=visit.compound_id,
        actor=actor,
        action=audit.VISIT_RECORD,
        obj=visit.household,
        changes=changes,
    )


def fever_alert_raise_at_door(
    visit: Visit, reading: Decimal, actor: Any, resident_id: int | None
) -> FeverAlert:
    resident = Resident.objects.get(pk=resident_id) if resident_id else None
    return registry.fever_alert_raise(
        compound=visit.compound,
        source=FeverAlert.Source.DOOR_VISIT,
        temperature=reading,
        actor=actor,
        household=visit.household,
        resident=resident,
    )
