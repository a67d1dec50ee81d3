"""The gate's reads: derived from the passage log, ordered by when things happened."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import BooleanField, Case, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from checkpoints import rules, services
from checkpoints.models import Passage, PassCard, RefusedUpload
from checkpoints.services import card_lookup, rules_for
from compounds import access
from compounds.models import Compound, Opening
from residents import selectors as resident_selectors
from residents.models import FeverAlert, Household, address_order

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# How many open fever alerts the compound's home page lists; the rest are on the alerts page.
HOME_ALERTS = 20


@dataclass(frozen=True)
class CardStatus:
    """What a check-in with this card would decide now, going out and coming back in."""

    card: PassCard
    exit_allowed: bool
    reason: str | None
    last_exit_at: datetime | None
    next_exit_at: datetime | None
    out_now: list[dict[str, Any]]
    entry_allowed: bool = True
    entry_reason: str | None = None


def visible_card(*, user: Any, code: str, compound_id: int | None = None) -> PassCard | None:
    """A card by its QR secret or printed number, among the cards the user may see (and
    of ``compound_id`` only, if given). One query whether or not the card exists, so the
    answer for another compound's card cannot be told from "no such card", even by time."""
    lookup = card_lookup(code)
    if lookup is None:
        return None
    field, value = lookup
    qs = access.scoped(
        user, PassCard.objects.select_related("household__building", "household__unit")
    )
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    rows = list(qs.filter(**{field: value}).order_by()[:1])
    return rows[0] if rows else None


def card_status(
    *,
    card: PassCard,
    at: datetime | None = None,
    resident_id: int | None = None,
    opening: Opening | None = None,
    vehicle: bool = False,
    temperature: Decimal | None = None,
) -> CardStatus:
    """What the gate shows on scanning a card, before anyone presses a button: the very
    verdicts a check-in at ``at`` would reach (``rules.decide``), for an exit and an entry.

    ``opening`` None: an open gate that lets vehicles both ways. ``temperature`` None: not
    measured yet. ``resident_id`` not of the household: CheckpointError, as at check-in.
    """
    at = at or timezone.now()
    household = card.household
    resident = None
    if resident_id is not None:
        day = timezone.localtime(at).date()
        resident = services.resident_for_passage(
            household=household, resident_id=resident_id, day=day
        )
    here = opening is None or card.compound_id == opening.compound_id
    compound_rules = rules_for(card.compound)
    verdicts = {
        direction: services.passage_verdict(
            compound_rules=compound_rules,
            gate=rules.GateFacts.of(opening) if opening else rules.GateFacts(),
            card=card if here else None,
            resident=resident,
            direction=direction,
            vehicle=vehicle,
            temperature=temperature,
            occurred_at=at,
            late=False,
        )
        for direction in Passage.Direction.values
    }
    out, back = verdicts[Passage.Direction.OUT], verdicts[Passage.Direction.IN]
    return CardStatus(
        card=card,
        exit_allowed=out.allowed,
        reason=out.reason or None,
        # Shown even when the quota is free again: "last outing" helps the volunteer.
        last_exit_at=out.last_exit_at or last_quota_exit(household=household, at=at),
        next_exit_at=out.next_exit_at,
        out_now=household_out_now(household=household),
        entry_allowed=back.allowed,
        entry_reason=back.reason or None,
    )


def last_quota_exit(*, household: Household, at: datetime) -> datetime | None:
    return (
        Passage.objects.filter(Passage.quota_exit_q(), household=household, occurred_at__lte=at)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


def household_out_now(*, household: Household, horizon_days: int = 14) -> list[dict[str, Any]]:
    """Who of the household is out: replay its allowed passages of the last two weeks."""
    since = timezone.now() - timedelta(days=horizon_days)
    out: dict[Any, dict[str, Any]] = {}
    anonymous: list[dict[str, Any]] = []
    # Mappings of Any: django-stubs types a nullable key's id in values() as never None.
    rows: Iterable[Mapping[str, Any]] = (
        Passage.objects.filter(
            household=household, verdict=Passage.Verdict.ALLOWED, occurred_at__gte=since
        )
        .order_by("occurred_at", "id")
        .values("direction", "resident_id", "resident__name", "occurred_at")
    )
    for row in rows:
        entry = {
            "resident": row["resident_id"],
            "name": row["resident__name"] or "",
            "since": row["occurred_at"],
        }
        if row["direction"] == Passage.Direction.OUT:
            if row["resident_id"] is None:
                anonymous.append(entry)
            else:
                out[row["resident_id"]] = entry
        elif row["resident_id"] is not None and row["resident_id"] in out:
            del out[row["resident_id"]]
        elif anonymous:
            anonymous.pop(0)
        elif out:
            out.pop(next(iter(out)))
    return list(out.values()) + anonymous


class OutNow(TypedDict):
    """What ``households_out_now`` adds to each household."""

    last_direction: str
    out_since: datetime
    out_resident: str | None
    out_opening: str | None
    overdue: bool


def households_out_now(
    *, compound: Compound, at: datetime | None = None
) -> "QuerySet[WithAnnotations[Household, OutNow]]":
    """Households whose latest allowed passage is an exit, with when and through where,
    and ``overdue``: out for longer than the rules allow."""
    latest = Passage.objects.filter(
        household=OuterRef("pk"), verdict=Passage.Verdict.ALLOWED
    ).order_by("-occurred_at", "-id")
    return (
        Household.objects.filter(compound=compound)
        .annotate(
            last_direction=Subquery(latest.values("direction")[:1]),
            out_since=Subquery(latest.values("occurred_at")[:1]),
            out_resident=Subquery(latest.values("resident__name")[:1]),
            out_opening=Subquery(latest.values("opening__name")[:1]),
        )
        .filter(last_direction=Passage.Direction.OUT)
        .annotate(
            overdue=Case(
                When(out_since__lt=overdue_since(compound=compound, at=at), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("building", "unit")
        .order_by("out_since")
    )


def open_fever_alerts(*, compound: Compound) -> QuerySet[FeverAlert]:
    """The compound's open alerts as the gate office lists them: with the passage (if a
    gate raised it), its opening and volunteer."""
    return resident_selectors.open_fever_alerts(compound=compound).select_related(
        "passage__opening", "passage__volunteer"
    )


def breaches(*, compound: Compound, days: int = 7) -> QuerySet[Passage]:
    since = timezone.now() - timedelta(days=days)
    return (
        Passage.objects.filter(compound=compound, occurred_at__gte=since)
        .exclude(breach="")
        .select_related("household__building", "household__unit", "opening", "volunteer")
        .order_by("-occurred_at")
    )


def newest_open_fever_alerts(
    *, compound: Compound, limit: int = HOME_ALERTS
) -> tuple[list[FeverAlert], int]:
    """The newest open alerts and how many are open: the count costs a query only when
    there are more than are shown."""
    alerts = open_fever_alerts(compound=compound)
    newest = list(alerts[:limit])
    return newest, (len(newest) if len(newest) < limit else alerts.count())


def compound_gate_overview(*, compound: Compound) -> dict[str, Any]:
    """What the secretary's compound page shows of the gate, at once."""
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    out_now = list(households_out_now(compound=compound))
    fever_alerts, fever_alert_count = newest_open_fever_alerts(compound=compound)
    return {
        # A bad day at the gate left 966 open alerts: the page shows the newest and a link.
        "fever_alerts": fever_alerts,
        "fever_alert_count": fever_alert_count,
        "breaches": list(breaches(compound=compound)[:50]),
        "out_now_count": len(out_now),
        "overdue": [h for h in out_now if h.overdue],
        "today_exits": Passage.objects.filter(
            compound=compound,
            occurred_at__gte=today_start,
            direction=Passage.Direction.OUT,
            verdict=Passage.Verdict.ALLOWED,
        ).count(),
    }


def passages_for_log(
    *, compound: Compound, day: Any = None, opening_id: int | None = None, **filters: Any
) -> QuerySet[Passage]:
    qs = Passage.objects.filter(compound=compound)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        qs = qs.filter(occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))
    if opening_id:
        qs = qs.filter(opening_id=opening_id)
    for key in ("verdict", "direction", "reason"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs.select_related(
        "opening", "household__building", "household__unit", "resident", "volunteer", "card"
    ).order_by("-occurred_at", "-id")


def refused_uploads(*, compound: Compound) -> QuerySet[RefusedUpload]:
    return (
        RefusedUpload.objects.filter(compound=compound)
        .select_related("opening", "volunteer")
        .order_by("-received_at", "-id")
    )


# --- Gate office pages -------------------------------------------------------------


def households_with_cards(
    *, compound: Compound, building_id: int | None = None
) -> QuerySet[Household]:
    """The compound's households, each with its latest card (active if it has one).

    A household has at most one active card and a reissue revokes the old card before
    the new one is made, so the latest card is the active one whenever one exists.
    """
    latest = PassCard.objects.filter(household=OuterRef("pk")).order_by("-issued_at", "-id")
    qs = Household.objects.filter(compound=compound)
    if building_id:
        qs = qs.filter(building_id=building_id)
    return (
        qs.annotate(
            card_number=Subquery(latest.values("number")[:1]),
            card_state=Subquery(latest.values("state")[:1]),
            card_issued_at=Subquery(latest.values("issued_at")[:1]),
        )
        .select_related("building", "unit")
        .order_by(address_order(), "pk")
    )


def household_cards(*, household: Household) -> list[PassCard]:
    """Every card the household was ever given, newest first, with who issued it."""
    return list(household.cards.select_related("issued_by").order_by("-issued_at", "-id"))


def cards_for_print(
    *,
    compound: Compound,
    building_id: int | None = None,
    household_id: int | None = None,
    new_only: bool = False,
) -> QuerySet[PassCard]:
    """Active cards to print, in the order volunteers walk a building (``new_only``: those
    never marked printed)."""
    qs = PassCard.objects.filter(compound=compound, state=PassCard.State.ACTIVE)
    if new_only:
        qs = qs.filter(printed_at__isnull=True)
    if building_id:
        qs = qs.filter(household__building_id=building_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return qs.select_related("household__building", "household__unit").order_by(
        address_order("household__"), "pk"
    )


def household_passages(*, household: Household) -> QuerySet[Passage]:
    return (
        Passage.objects.filter(household=household)
        .select_related("opening", "resident", "volunteer")
        .order_by("-occurred_at", "-id")
    )


def overdue_since(*, compound: Compound, at: datetime | None = None) -> datetime:
    """Households out since before this instant are out longer than the rules allow."""
    return (at or timezone.now()) - rules_for(compound).max_time_out
