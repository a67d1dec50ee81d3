"""Step 3 of 3: the gate's own fever tables and its fever line go (moved in 0004)."""

from django.db import migrations


def forget_content_types(apps, schema_editor):
    # What remove_stale_contenttypes would do: so that the office group (and the admin's
    # permission list) no longer offers rights on models that are gone.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="checkpoints", model__in=["feveralert", "feveraction"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("checkpoints", "0004_move_fever_alerts_to_residents"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.DeleteModel(name="FeverAction"),
        migrations.DeleteModel(name="FeverAlert"),
        migrations.RemoveField(model_name="compoundrules", name="fever_line"),
        migrations.RunPython(forget_content_types, migrations.RunPython.noop),
    ]
