"""Backtest jobs: one row per run of a draft over the shop's recent orders, polled for progress."""

from __future__ import annotations

from django.db import models


class BacktestJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Source(models.TextChoices):
        STORED = "stored"  # the orders the app recorded from webhooks
        SALEOR = "saleor"  # fetched from Saleor page by page

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="backtests"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STORED)
    draft_source = models.TextField()
    draft_hash = models.CharField(max_length=64)
    published_number = models.PositiveIntegerField(null=True, blank=True)  # of compare_source
    # the program the draft is compared with ("" for none): the live version, an earlier
    # version or another draft, stored as it was when the job was asked for
    compare_source = models.TextField(blank=True, default="")
    compare_label = models.CharField(max_length=80, blank=True, default="")
    assume_referred = models.BooleanField(default=False)
    requested = models.PositiveIntegerField()  # how many recent orders to run over
    total = models.PositiveIntegerField(default=0)  # known once the orders are counted
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    created_by_email = models.CharField(max_length=320, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"backtest {self.pk} ({self.status}, {self.processed}/{self.total})"
