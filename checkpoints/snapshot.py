"""What a gate phone keeps of its compound to decide without the network.

The gate page stores this in IndexedDB and refreshes it by delta (``since``: the
``gate_version`` it holds) while online. Every service that changes a gate input bumps the
compound's ``gate_version`` in its own transaction; a per-household change stamps the
household too (``residents.services.gate_households_changed``), so a delta is "the
households stamped after ``since``", plus the compound-wide facts (rules, openings, sealed
buildings), which are small and always sent whole.

It holds what the gate shows anyway and nothing more: the address, the card number, a
short hash of the QR secret (a phone holding the snapshot cannot print a working card), the
household's recent quota exits, quarantine ends, and per member the masked name, relation,
sex, birth year, quarantine end and work-pass end. No ID number, phone or full name.

Quota exits are sent for the longest window the rules can look back; a delta adds the exits
received since the phone's last snapshot (``exits_after``), whatever their household.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from checkpoints.models import CompoundRules, Passage, PassCard, WorkPass
from checkpoints.services import rules_for
from compounds.masking import mask_name
from compounds.models import Building, Compound, Opening
from residents.models import Household, Resident

# The first hex digits of SHA-256 of the QR secret: enough to match a scan among a
# compound's cards (48 bits), too few to make a card from.
QR_HASH_CHARS = 12


def qr_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:QR_HASH_CHARS]


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: most members have no quarantine or work pass, and
    1,300 households' worth of nulls is a tenth of the snapshot."""
    return {k: v for k, v in fields.items() if v is not None}


def _iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="milliseconds")


def quota_lookback(rules: CompoundRules, now: datetime) -> datetime:
    """The earliest exit that can still count against an exit from now on."""
    if rules.quota_mode == CompoundRules.QuotaMode.ROLLING_HOURS:
        return now - timedelta(hours=rules.quota_hours)
    return now - timedelta(days=rules.quota_days)


def _rules(rules: CompoundRules) -> dict[str, Any]:
    return {
        "quota_mode": rules.quota_mode,
        "quota_exits": rules.quota_exits,
        "quota_days": rules.quota_days,
        "quota_hours": rules.quota_hours,
        "fever_line": str(rules.fever_line),
    }


def _exits(compound: Compound, **filters: Any) -> dict[int, list[str]]:
    rows = (
        Passage.objects.filter(Passage.quota_exit_q(), compound=compound, **filters)
        .order_by("occurred_at")
        .values_list("household_id", "occurred_at")
    )
    found: dict[int, list[str]] = {}
    for household_id, at in rows:
        found.setdefault(household_id, []).append(_iso(at))
    return found


def _members(household_ids: list[int] | None, compound: Compound, day: Any) -> dict[int, list]:
    work_pass_end = (
        WorkPass.objects.filter(resident=OuterRef("pk"), valid_from__lte=day, valid_to__gte=day)
        .values("resident")
        .annotate(end=Max("valid_to"))
        .values("end")
    )
    residents = Resident.objects.filter(
        household__compound=compound, erased_at__isnull=True, moved_out_on__isnull=True
    )
    if household_ids is not None:
        residents = residents.filter(household_id__in=household_ids)
    rows = (
        residents.annotate(work_pass_until=Subquery(work_pass_end))
        .order_by("household_id", "id")
        .values_list(
            "household_id",
            "id",
            "name",
            "relation",
            "sex",
            "birth_year",
            "quarantine_until",
            "work_pass_until",
        )
    )
    found: dict[int, list] = {}
    for household_id, pk, name, relation, sex, born, q, wp in rows:
        found.setdefault(household_id, []).append(
            _present(
                id=pk,
                name=mask_name(name),
                relation=relation,
                sex=sex,
                born=born,
                q=q.isoformat() if q else None,
                wp=wp.isoformat() if wp else None,
            )
        )
    return found


def _households(compound: Compound, since: int | None, day: Any) -> list[dict[str, Any]]:
    households = Household.objects.filter(compound=compound).select_related("building", "unit")
    if since is not None:
        households = households.filter(gate_version__gt=since)
    households = households.order_by("id")
    rows = list(households)
    ids = None if since is None else [h.pk for h in rows]
    active = PassCard.objects.filter(compound=compound, state=PassCard.State.ACTIVE)
    if ids is not None:
        active = active.filter(household_id__in=ids)
    cards = {c.household_id: c for c in active.only("household_id", "number", "secret")}
    members = _members(ids, compound, day)
    return [
        _present(
            id=h.pk,
            address=h.address,
            building=h.building_id,
            card=cards[h.pk].number if h.pk in cards else None,
            qr=qr_hash(cards[h.pk].secret) if h.pk in cards else None,
            q=h.quarantine_until.isoformat() if h.quarantine_until else None,
            members=members.get(h.pk, []),
        )
        for h in rows
    ]


def gate_snapshot(
    *, compound: Compound, since: int | None = None, exits_after: datetime | None = None
) -> dict[str, Any]:
    """The whole snapshot (``since`` None), or what changed after version ``since``."""
    now = timezone.now()
    # The version first: a change committed while this is read is sent again next time.
    version = Compound.objects.values_list("gate_version", flat=True).get(pk=compound.pk)
    rules = rules_for(compound)
    day = timezone.localtime(now).date()
    lookback = quota_lookback(rules, now)
    if since is None or exits_after is None:
        exits = _exits(compound, occurred_at__gte=lookback)
    else:
        exits = _exits(compound, occurred_at__gte=lookback, received_at__gt=exits_after)
    households = _households(compound, since, day)
    return {
        "compound": compound.pk,
        "gate_version": version,
        "server_time": _iso(now),
        "full": since is None,
        "rules": _rules(rules),
        "openings": [
            {"id": o.pk, "state": o.state, "vehicle_rule": o.vehicle_rule}
            for o in Opening.objects.filter(compound=compound).order_by("id")
        ],
        "sealed_buildings": list(
            Building.objects.filter(compound=compound, sealed=True)
            .order_by("id")
            .values_list("id", flat=True)
        ),
        "households": households,
        # Full: every household's exits in the lookback. Delta: the exits received since.
        "exits": {str(k): v for k, v in exits.items()},
        "exits_from": _iso(lookback),
    }
