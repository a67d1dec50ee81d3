"""Quarantine's reads: today's checks, missed ones, who ends today, who is in."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from compounds.models import Compound
from residents.quarantine.models import CloseContact, Quarantine, QuarantineCheck


def quarantines_seen_from(compound: Compound) -> QuerySet[Quarantine]:
    """Quarantines of this compound's people, and stays at it when it is a central site:
    a stay is seen by the site's roles and by the home compound's."""
    return Quarantine.objects.filter(Q(compound=compound) | Q(site=compound))


def active(*, compound: Compound, today: date | None = None) -> QuerySet[Quarantine]:
    today = today or timezone.localdate()
    return (
        quarantines_seen_from(compound)
        .filter(ended_on__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("resident", "household__building", "household__unit", "site", "compound")
        .order_by("ends_on", "id")
    )


def _checks(compound: Compound) -> QuerySet[QuarantineCheck]:
    return QuarantineCheck.objects.filter(
        Q(compound=compound) | Q(quarantine__site=compound), quarantine__ended_on__isnull=True
    ).select_related(
        "quarantine__resident", "quarantine__household__building", "quarantine__household__unit"
    )


def checks_due(*, compound: Compound, today: date | None = None) -> QuerySet[QuarantineCheck]:
    """Today's check rows, one per person in quarantine, by household. Only the columns
    the list shows: hundreds of rows of six models each are most of its cost."""
    today = today or timezone.localdate()
    return (
        _checks(compound)
        .filter(day=today)
        .order_by("quarantine__household_id", "id")
        .only(
            "id",
            "day",
            "checked_at",
            "temperature",
            "fever_alert_id",
            "quarantine__id",
            "quarantine__resident__id",
            "quarantine__resident__name",
            "quarantine__household__id",
            "quarantine__household__room",
            "quarantine__household__building__id",
            "quarantine__household__building__number",
            "quarantine__household__unit__id",
            "quarantine__household__unit__number",
        )
    )


def checks_missed(*, compound: Compound, today: date | None = None) -> QuerySet[QuarantineCheck]:
    """Check rows of past days that nobody recorded."""
    today = today or timezone.localdate()
    return _checks(compound).filter(day__lt=today, checked_at__isnull=True).order_by("day", "id")


def ending_today(*, compound: Compound, today: date | None = None) -> QuerySet[Quarantine]:
    today = today or timezone.localdate()
    return (
        quarantines_seen_from(compound)
        .filter(ended_on__isnull=True, ends_on=today)
        .select_related("resident", "household__building", "household__unit")
    )


def quarantine_for(*, compound: Compound, pk: int) -> Quarantine | None:
    return (
        quarantines_seen_from(compound)
        .select_related("resident", "household__building", "household__unit", "site", "compound")
        .filter(pk=pk)
        .first()
    )


def contacts_of(*, case: Any) -> QuerySet[CloseContact]:
    return CloseContact.objects.filter(case=case).select_related("contact__household", "quarantine")
