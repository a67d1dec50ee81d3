from datetime import timedelta

from django.db import migrations


def flags_to_quarantines(apps, schema_editor):
    """The flags written before quarantines had records become records, so that the
    service (their one writer from now on) finds what it recomputes them from."""
    Resident = apps.get_model("residents", "Resident")
    Household = apps.get_model("residents", "Household")
    Quarantine = apps.get_model("residents", "Quarantine")
    rows = []
    covered = set()
    for r in Resident.objects.filter(quarantine_until__isnull=False).select_related("household"):
        h = r.household
        start = r.returned_on if r.returned_on and r.returned_on <= r.quarantine_until else None
        rows.append(
            Quarantine(
                compound_id=h.compound_id,
                household_id=h.pk,
                resident_id=r.pk,
                reason="returnee" if r.returnee else "other",
                kind="home",
                starts_on=start or r.quarantine_until - timedelta(days=14),
                ends_on=r.quarantine_until,
                confines_household=bool(h.quarantine_until),
            )
        )
        if h.quarantine_until:
            covered.add(h.pk)
    for h in Household.objects.filter(quarantine_until__isnull=False).exclude(pk__in=covered):
        head = Resident.objects.filter(household_id=h.pk).order_by("id").first()
        if head is None:
            continue
        rows.append(
            Quarantine(
                compound_id=h.compound_id,
                household_id=h.pk,
                resident_id=head.pk,
                reason="other",
                kind="home",
                starts_on=h.quarantine_until - timedelta(days=14),
                ends_on=h.quarantine_until,
                confines_household=True,
            )
        )
    Quarantine.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("residents", "0006_rounds_and_quarantine")]

    operations = [migrations.RunPython(flags_to_quarantines, migrations.RunPython.noop)]
