"""Leaves a webhook delivery that failed an hour ago in the app's database, as the app records it.

Run with the app's environment (VAR_DIR of a `make run`, DEMO_SALEOR=1) and no broker:
`python tests/stack/failed_delivery.py EVENT BODY_FILE`. The delivery is stored for the demo
installation and processed once, inline, while the demo Saleor answers 503 and the clock reads
an hour ago; the app records the failure and when to retry. Prints the delivery's id.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")


def main(event: str, body: bytes) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from plugin.install.demo import demo_signer
    from plugin.install.http import use_saleor_transport
    from plugin.install.selectors import installation_get_by_api_url
    from plugin.saleor.fake import FakeSaleor
    from plugin.webhooks.services import delivery_process, delivery_store

    assert not settings.CELERY_BROKER_URL, "run it inline: the failure must happen here"
    installation = installation_get_by_api_url(saleor_api_url=settings.DEMO_SALEOR_API_URL)
    saleor = FakeSaleor(api_url=installation.saleor_api_url, jwks=demo_signer().jwks)
    saleor.fail_next(100, status=503)  # Saleor is down for this attempt
    an_hour_ago = timezone.now() - timedelta(hours=1)
    real_now, timezone.now = timezone.now, lambda: an_hour_ago
    try:
        with use_saleor_transport(saleor.transport, sleep=lambda _seconds: None):
            stored = delivery_store(installation=installation, event=event,
                                    body=body, payload=json.loads(body))
            outcome = delivery_process(delivery_id=stored.delivery.pk, event=event)
    finally:
        timezone.now = real_now
    if outcome.status != "failed" or not saleor.requests:
        print(f"expected a failed attempt that called Saleor, got {outcome}", file=sys.stderr)
        return 1
    print(stored.delivery.pk)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]).read_bytes()))
