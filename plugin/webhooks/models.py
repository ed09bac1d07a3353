"""The webhook inbox: every accepted Saleor delivery, stored before it is acknowledged."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"  # will be tried again
    DEAD = "dead"  # out of attempts; re-run with `manage.py webhooks_retry`


class WebhookDelivery(models.Model):
    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=64)  # upper case, e.g. ORDER_PAID
    # sha256 over the event name and the signed raw body: a Saleor retry resends the same bytes,
    # while two distinct events differ at least in `issuedAt`.
    dedup_key = models.CharField(max_length=64)
    body_sha256 = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    duplicates = models.PositiveIntegerField(default=0)  # how many times Saleor resent it
    received_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "dedup_key"], name="webhook_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.status})"
