"""The gate points at the person's fever alert (residents.FeverAlert), step 1 of 3: the
new column. Step 2 (0004) moves the alerts, step 3 (0005) drops the gate's old tables.
Three migrations, three transactions: PostgreSQL refuses to alter a table in the
transaction that has just updated rows under a deferred foreign key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkpoints", "0002_refused_uploads_and_request_hash"),
        ("residents", "0002_health_rules_and_fever_alerts"),
    ]

    operations = [
        # The old alert's reverse names would clash with the new ones until it is gone
        # (no change in the database).
        migrations.AlterField(
            model_name="feveralert",
            name="passage",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="checkpoints.passage",
                verbose_name="passage",
            ),
        ),
        migrations.AlterField(
            model_name="feveralert",
            name="compound",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="compounds.compound",
                verbose_name="compound",
            ),
        ),
        migrations.AddField(
            model_name="passage",
            name="fever_alert",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="passage",
                to="residents.feveralert",
                verbose_name="fever alert",
            ),
        ),
    ]
