# Random voucher codes stored before use, and a random tag per outbox item.

import django.db.models.deletion
from django.db import migrations, models

import plugin.rewards.models


class Migration(migrations.Migration):

    dependencies = [
        ('install', '0001_initial'),
        ('rewards', '0003_reward_product'),
    ]

    operations = [
        migrations.CreateModel(
            name='RedemptionCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=64)),
                ('email', models.CharField(blank=True, default='', max_length=320)),
                ('status', models.CharField(choices=[('active', 'Active'), ('rotate', 'To be replaced (it was computable)'), ('retired', 'Replaced or gone'), ('used', 'Used before it could be replaced')], db_index=True, default='active', max_length=10)),
                ('derived', models.BooleanField(default=False)),
                ('saleor_voucher_id', models.CharField(blank=True, default='', max_length=128)),
                ('note', models.CharField(blank=True, default='', max_length=255)),
                ('created_at', models.DateTimeField()),
                ('changed_at', models.DateTimeField(blank=True, null=True)),
                ('removed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='outboxitem',
            name='tag',
            field=models.CharField(default=plugin.rewards.models.outbox_tag_new, max_length=80),
        ),
        migrations.AlterField(
            model_name='rewardentry',
            name='action',
            field=models.CharField(choices=[('decided', 'Decided by the program'), ('refused', 'Refused'), ('approved', 'Approved in review'), ('rejected', 'Rejected in review'), ('held', 'Hold started'), ('released', 'Released for issuing'), ('issued', 'Issued'), ('reduced', 'Reduced by a partial refund'), ('voided', 'Voided'), ('clawed_back', 'Clawed back'), ('code_changed', 'Voucher code replaced')], max_length=20),
        ),
        migrations.AddField(
            model_name='redemptioncode',
            name='installation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='redemption_codes', to='install.installation'),
        ),
        migrations.AddField(
            model_name='redemptioncode',
            name='replaced_by',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaces', to='rewards.redemptioncode'),
        ),
        migrations.AddField(
            model_name='redemptioncode',
            name='reward',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='codes', to='rewards.reward'),
        ),
        migrations.AddConstraint(
            model_name='redemptioncode',
            constraint=models.UniqueConstraint(fields=('installation', 'code'), name='redemption_code_once'),
        ),
    ]
