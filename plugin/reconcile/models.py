"""Per-installation reconciliation watermark, and one row per run saying what it fixed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ReconcileState(models.Model):
    """How far Saleor's orders have been fully reconciled, in Saleor's own `updatedAt` time."""

    installation = models.OneToOneField(
        "install.Installation", on_delete=models.CASCADE, related_name="reconcile_state"
    )
    watermark = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ReconcileRun(models.Model):
    """One pass over the orders changed since `since`: what it read, replayed and fixed."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"  # Saleor did not answer, or an order could not be replayed

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="reconcile_runs"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    orders_seen = models.PositiveIntegerField(default=0)
    fixed_order_ids = models.JSONField(default=list, blank=True)  # Saleor order ids
    replayed = models.JSONField(default=list, blank=True)  # ["ORDER_FULLY_PAID #21", ...]
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["installation", "-started_at"], name="reconcile_run_recent")
        ]

    @property
    def fixed(self) -> int:
        return len(self.fixed_order_ids)


class ReconciledEvent(models.Model):
    """One event reconciliation replayed for an order (the inbox holds the delivered ones)."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    order_id = models.CharField(max_length=255)
    event = models.CharField(max_length=64)
    run = models.ForeignKey(ReconcileRun, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()  # the moment the event was replayed as

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "order_id", "event"], name="reconciled_event_once"
            )
        ]
