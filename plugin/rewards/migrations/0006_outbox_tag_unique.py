# Each outbox item's tag is its own (after 0005 gave the existing items theirs).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rewards", "0005_rotate_derived_codes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="outboxitem",
            constraint=models.UniqueConstraint(
                fields=("installation", "tag"), name="outbox_tag_once"
            ),
        ),
    ]
