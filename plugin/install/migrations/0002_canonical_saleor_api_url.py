"""Stored Saleor API URLs in their canonical spelling; two spellings of one Saleor become one.

Where several installations turn out to be the same Saleor, the active one installed last keeps
the URL; the others are deactivated and their URL is marked `#duplicate-<id>` (a fragment no
canonical URL has), so nothing reaches them any more and nothing of theirs is deleted.
"""

import logging
from collections import defaultdict

from django.db import migrations

from plugin.saleor.api_url import NotASaleorApiUrl, saleor_api_url_canonical

logger = logging.getLogger("plugin.install.migrations")


def canonicalise(apps, schema_editor):
    installation_model = apps.get_model("install", "Installation")
    by_url = defaultdict(list)
    for installation in installation_model.objects.order_by("id"):
        try:
            by_url[saleor_api_url_canonical(installation.saleor_api_url)].append(installation)
        except NotASaleorApiUrl as error:
            logger.warning("installation %s: URL %r left as it is: %s",
                           installation.pk, installation.saleor_api_url[:200], error.reason)
    for canonical, same_saleor in by_url.items():
        keep = max(same_saleor, key=lambda i: (i.is_active, i.installed_at, i.pk))
        for other in same_saleor:
            if other.pk == keep.pk:
                continue
            logger.warning("installation %s (%s) is installation %s's Saleor: deactivated",
                           other.pk, other.saleor_api_url[:200], keep.pk)
            other.saleor_api_url = f"{canonical}#duplicate-{other.pk}"
            other.is_active = False
            other.save(update_fields=["saleor_api_url", "is_active"])
        if keep.saleor_api_url != canonical:
            keep.saleor_api_url = canonical
            keep.save(update_fields=["saleor_api_url"])


class Migration(migrations.Migration):

    dependencies = [
        ("install", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(canonicalise, migrations.RunPython.noop),
    ]
