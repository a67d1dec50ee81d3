"""The purge of a compound's personal data when the office archives it.

Erasure on request (``services.resident_erase``) for every resident of the compound at
once, plus what names a household (its contact phone and note) and the free-text notes
of fever alert steps. The rows stay, so that the figures — households, residents by
flag, passages, alerts — still add up and every key to a resident still holds; the audit
trail keeps who did what and when, with the cleared values masked.

Called by ``bastion.archive.compound_archive`` after the handover file is written, in
that function's transaction; the compound is marked archived in the same transaction.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compounds import access
from compounds.models import AuditEntry, Compound
from compounds.services import audit_record
from residents import audit
from residents.errors import Code, ResidentError
from residents.models import FeverAction, Household, Resident
from residents.services import ERASED_FIELDS, audit_mask_erased

# What names a household: cleared with its residents' data.
HOUSEHOLD_PURGED_FIELDS: dict[str, Any] = {"contact_phone": "", "note": ""}


@dataclass(frozen=True)
class Purged:
    residents: int  # anonymised now (those erased on request before are counted apart)
    already_erased: int
    households: int
    fever_notes: int
    audit_entries: int


@transaction.atomic
def compound_purge(*, compound: Compound, actor: Any) -> Purged:
    """Anonymise every resident of ``compound`` as erasure does, clear its households'
    contact phones and notes and its fever steps' notes, and mask all of these in the
    audit trail. Office only (community officer); writes one audit entry with the counts.
    """
    if access.level_for(actor, compound) < access.Level.OFFICER:
        raise ResidentError(
            _("Only the community office may purge a compound's personal data."),
            Code.PURGE_FORBIDDEN,
        )
    now = timezone.now()
    residents = Resident.objects.filter(household__compound=compound)
    resident_ids = list(residents.values_list("pk", flat=True))
    already = residents.filter(erased_at__isnull=False).count()
    # One statement: the households' unique-name rule holds only for rows not erased.
    anonymised = residents.filter(erased_at__isnull=True).update(
        **ERASED_FIELDS, erased_at=now, updated_at=now
    )
    households = Household.objects.filter(compound=compound)
    household_ids = list(households.values_list("pk", flat=True))
    households.update(**HOUSEHOLD_PURGED_FIELDS, updated_at=now)
    fever_notes = (
        FeverAction.objects.filter(alert__compound=compound).exclude(note="").update(note="")
    )
    trail = AuditEntry.objects.filter(compound=compound)
    masked = audit_mask_erased(
        trail.filter(object_type=Resident._meta.model_name, object_id__in=resident_ids),
        ERASED_FIELDS,
    )
    masked += audit_mask_erased(
        trail.filter(object_type=Household._meta.model_name, object_id__in=household_ids),
        HOUSEHOLD_PURGED_FIELDS,
        title=False,  # a household's title is its address, no one's name
    )
    purged = Purged(anonymised, already, len(household_ids), fever_notes, masked)
    audit_record(
        compound=compound,
        actor=actor,
        action=audit.COMPOUND_PURGE,
        obj=compound,
        changes={
            "residents": purged.residents,
            "already_erased": purged.already_erased,
            "households": purged.households,
            "fever_notes": purged.fever_notes,
            "rewritten": purged.audit_entries,
            "cleared": sorted({*ERASED_FIELDS, *HOUSEHOLD_PURGED_FIELDS}),
        },
    )
    return purged
