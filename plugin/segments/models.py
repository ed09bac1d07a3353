"""Customer segments: one row per installation and customer (normalised e-mail) with their
recency / frequency / monetary value, scores, segment and advocacy, and per installation the
quintile cut points of the last full run that incremental updates score against."""

from __future__ import annotations

from django.db import models


class CustomerSegment(models.Model):
    """A customer with at least one paid, kept order, as of the last computation touching them."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="customer_segments"
    )
    email = models.CharField(max_length=254)  # normalised
    customer_id = models.CharField(max_length=128, blank=True, default="")  # Saleor User id
    orders = models.PositiveIntegerField()  # paid, not cancelled or refunded
    first_order_at = models.DateTimeField()
    last_order_at = models.DateTimeField()
    currency = models.CharField(max_length=3)  # of the latest paid order
    monetary = models.DecimalField(max_digits=18, decimal_places=4)  # spent in `currency`
    recency_score = models.PositiveSmallIntegerField(default=0)  # 1..5 (0 until scored)
    frequency_score = models.PositiveSmallIntegerField(default=0)
    monetary_score = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16, default="")
    # advocacy: friends referred (live referrals), those whose order was paid, what they spent
    referrals = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    referred_revenue = models.DecimalField(max_digits=18, decimal_places=4, default=0)  # currency
    advocate_score = models.PositiveSmallIntegerField(default=0)  # 0..100
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "email"], name="customer_segment_once"),
        ]
        indexes = [
            models.Index(fields=["installation", "segment", "-advocate_score"],
                         name="customer_segment_rank"),
            models.Index(fields=["installation", "-advocate_score"],
                         name="customer_segment_advocate"),
        ]


class SegmentCuts(models.Model):
    """The shop's distribution at the last full run: four cut points per dimension (JSON:
    ISO date-times, integers, decimal strings per currency)."""

    installation = models.OneToOneField(
        "install.Installation", on_delete=models.CASCADE, related_name="segment_cuts"
    )
    computed_at = models.DateTimeField()
    customers = models.PositiveIntegerField(default=0)
    recency = models.JSONField(default=list)  # last order date-times
    frequency = models.JSONField(default=list)  # order counts
    monetary = models.JSONField(default=dict)  # currency -> amounts
