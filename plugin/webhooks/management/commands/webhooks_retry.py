"""`manage.py webhooks_retry`: process due deliveries; `--dead` or `--id N …` re-run failed ones.

Without options it is the periodic sweep (cron) for inline mode: deliveries whose backoff has
passed, and ones a dead worker left in `processing`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.celery import app as celery_app
from plugin.tasks import uses_celery
from plugin.webhooks.services import (
    deliveries_due_ids,
    deliveries_release_stuck,
    deliveries_requeue,
    delivery_process,
)
from plugin.webhooks.tasks import process_delivery


class Command(BaseCommand):
    help = "Re-run webhook deliveries: due ones by default, dead ones with --dead, or by --id."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", dest="ids", type=int, nargs="+", help="delivery ids")
        parser.add_argument("--dead", action="store_true", help="every dead delivery")

    def handle(self, *args, ids: list[int] | None, dead: bool, **options) -> None:
        if ids or dead:
            requeued = deliveries_requeue(delivery_ids=ids, dead=dead)
            self.stdout.write(f"requeued {requeued} deliveries")
        released = deliveries_release_stuck()
        if released:
            self.stdout.write(f"released {released} stuck deliveries")
        due = ids or deliveries_due_ids()
        outcomes: dict[str, int] = {}
        for delivery_id in due:
            if uses_celery():
                celery_app.send_task(process_delivery.name, kwargs={"delivery_id": delivery_id})
                outcomes["queued"] = outcomes.get("queued", 0) + 1
                continue
            status = delivery_process(delivery_id=delivery_id).status or "skipped"
            outcomes[status] = outcomes.get(status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        self.stdout.write(f"processed {len(due)} deliveries" + (f": {summary}" if summary else ""))
