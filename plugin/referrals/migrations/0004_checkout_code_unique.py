# A referee checkout code belongs to one checkout only.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('install', '0001_initial'),
        ('referrals', '0003_typed_code_value'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='checkoutdiscount',
            name='checkout_discount_code',
        ),
        migrations.AddConstraint(
            model_name='checkoutdiscount',
            constraint=models.UniqueConstraint(fields=('installation', 'code'), name='checkout_discount_code_once'),
        ),
    ]
