"""Step 2 of 3: the gate's fever alerts and their steps move to residents with their ids,
statuses, times and actors; each passage that raised one points at it; each compound's
fever line moves to its health rules. In SQL (INSERT … SELECT): the ORM would stamp the
steps' ``at`` (auto_now_add) with today. Backwards, gate alerts move back the same way;
alerts raised elsewhere than at a gate have no place in the old tables, and stop it."""

from django.core.management.color import no_style
from django.db import migrations


def _names(apps, schema_editor):
    qn = schema_editor.connection.ops.quote_name
    models = {
        "old_alert": apps.get_model("checkpoints", "FeverAlert"),
        "old_action": apps.get_model("checkpoints", "FeverAction"),
        "passage": apps.get_model("checkpoints", "Passage"),
        "alert": apps.get_model("residents", "FeverAlert"),
        "action": apps.get_model("residents", "FeverAction"),
    }
    return {key: qn(model._meta.db_table) for key, model in models.items()}, models


def forwards(apps, schema_editor):
    t, models = _names(apps, schema_editor)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {t['alert']} (id, compound_id, source, household_id, resident_id, "
            "temperature, status, created_at, updated_at) "
            "SELECT a.id, a.compound_id, 'gate', p.household_id, p.resident_id, "
            "a.temperature, a.status, a.created_at, a.updated_at "
            f"FROM {t['old_alert']} a JOIN {t['passage']} p ON p.id = a.passage_id"
        )
        cursor.execute(
            f"INSERT INTO {t['action']} (id, alert_id, status, temperature, note, actor_id, at) "
            f"SELECT id, alert_id, status, temperature, note, actor_id, at FROM {t['old_action']}"
        )
        cursor.execute(
            f"UPDATE {t['passage']} SET fever_alert_id = "
            f"(SELECT a.id FROM {t['old_alert']} a WHERE a.passage_id = {t['passage']}.id) "
            f"WHERE id IN (SELECT passage_id FROM {t['old_alert']})"
        )
        # Rows inserted with their ids: the next id must come after them (PostgreSQL).
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [models["alert"], models["action"]]
        ):
            cursor.execute(sql)
    HealthRules = apps.get_model("residents", "HealthRules")
    CompoundRules = apps.get_model("checkpoints", "CompoundRules")
    HealthRules.objects.bulk_create(
        HealthRules(compound_id=compound_id, fever_line=fever_line)
        for compound_id, fever_line in CompoundRules.objects.values_list("compound_id", "fever_line")
    )


def backwards(apps, schema_editor):
    t, models = _names(apps, schema_editor)
    if models["alert"].objects.exclude(source="gate").exists():
        raise RuntimeError(
            "Fever alerts raised elsewhere than at a gate cannot move back to the gate's "
            "tables: export and delete them first."
        )
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {t['old_alert']} (id, compound_id, passage_id, temperature, status, "
            "created_at, updated_at) "
            "SELECT a.id, a.compound_id, p.id, a.temperature, a.status, a.created_at, "
            f"a.updated_at FROM {t['alert']} a JOIN {t['passage']} p ON p.fever_alert_id = a.id"
        )
        cursor.execute(
            f"INSERT INTO {t['old_action']} (id, alert_id, status, temperature, note, actor_id, "
            f"at) SELECT id, alert_id, status, temperature, note, actor_id, at FROM {t['action']}"
        )
        cursor.execute(f"UPDATE {t['passage']} SET fever_alert_id = NULL")
        cursor.execute(f"DELETE FROM {t['action']}")
        cursor.execute(f"DELETE FROM {t['alert']}")
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [models["old_alert"], models["old_action"]]
        ):
            cursor.execute(sql)
    HealthRules = apps.get_model("residents", "HealthRules")
    CompoundRules = apps.get_model("checkpoints", "CompoundRules")
    for health in HealthRules.objects.all():
        CompoundRules.objects.update_or_create(
            compound_id=health.compound_id, defaults={"fever_line": health.fever_line}
        )
    HealthRules.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0003_passage_fever_alert")]

    operations = [migrations.RunPython(forwards, backwards)]
