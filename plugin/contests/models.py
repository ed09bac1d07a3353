"""Contests (from a published program), their denormalised score table and final winners.

`ContestEntry` holds one row per entrant with the current score and a precomputed tie order,
so the top N and one entrant's rank are index range scans, never an aggregate over referrals.
"""

from __future__ import annotations

from django.db import models

SCORE_FIELD = {"max_digits": 18, "decimal_places": 4}


class Contest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"  # running or waiting for its end
        FINALISED = "finalised"  # ranked, prizes in the ledger
        WITHDRAWN = "withdrawn"  # no longer in the published program, never finalised

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="contests"
    )
    name = models.CharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()  # inclusive
    score = models.CharField(max_length=32)  # referrals | paid_referrals | referred_revenue | …
    score_text = models.CharField(max_length=100, blank=True, default="")
    entrants = models.CharField(max_length=16, default="referrer")
    minimum = models.DecimalField(**SCORE_FIELD, null=True, blank=True)
    tie_break = models.CharField(max_length=10, default="earliest")  # earliest | latest | split
    prizes = models.JSONField(default=list, blank=True)  # [{first, last, kind, amount, …}]
    currency = models.CharField(max_length=3, blank=True, default="")
    program_version = models.ForeignKey(
        "programs.ProgramVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    entrant_count = models.PositiveIntegerField(default=0)  # rows in the score table
    finalised_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "name", "starts"], name="contest_once_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts}..{self.ends})"


class ContestEntry(models.Model):
    """One entrant's live standing. `tie_order` sorts equal scores: the moment the score was
    reached (µs since epoch) for `earliest`, its negation for `latest`, 0 for `split`."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    referrer_email = models.CharField(max_length=254)  # normalised
    referrer_id = models.CharField(max_length=128, blank=True, default="")
    score = models.DecimalField(**SCORE_FIELD)
    reached_at = models.DateTimeField()
    tie_order = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "referrer_email"], name="contest_entry_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["contest", "-score", "tie_order", "referrer_email"],
                name="contest_entry_rank",
            )
        ]


class ContestWinner(models.Model):
    """A final placing with a prize; written once by finalisation, with the ledger reward."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="winners")
    rank = models.PositiveIntegerField()
    referrer_email = models.CharField(max_length=254)
    referrer_id = models.CharField(max_length=128, blank=True, default="")
    score = models.DecimalField(**SCORE_FIELD)
    prize = models.CharField(max_length=200)  # as written in the program
    reward = models.ForeignKey(
        "rewards.Reward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True, default="")  # why no reward, if none

    class Meta:
        ordering = ["contest", "rank", "referrer_email"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "rank", "referrer_email"], name="contest_winner_once"
            )
        ]
