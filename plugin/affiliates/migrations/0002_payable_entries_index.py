"""An index the payout statement reads the ledger by: the entries that make a commission payable
(released) or take part of it back (clawed_back), by time. Partial, so it costs nothing for the
rest of the ledger; it lives here because only the affiliates' statements read entries this way."""

from django.db import migrations

INDEX = "affiliates_payable_entry_time"


class Migration(migrations.Migration):
    dependencies = [
        ("affiliates", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {INDEX} ON rewards_rewardentry (created_at, reward_id) "
            "WHERE action IN ('released', 'clawed_back')",
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
