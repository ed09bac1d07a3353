"""Programs (the merchant's draft), their immutable published versions, and the audit log.

Every row belongs to one installation. Behaviour lives in `services.py` and `selectors.py`;
the models only guard what must never happen to stored data (a version being rewritten).
"""

from __future__ import annotations

from django.db import models


class Program(models.Model):
    """The one referral program of an installation: its editable draft and its live version."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200, default="Referral program")
    draft_source = models.TextField(blank=True, default="")
    current_version = models.ForeignKey(
        "ProgramVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_user_id = models.CharField(max_length=200, blank=True, default="")
    updated_by_email = models.CharField(max_length=320, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation"], name="program_one_per_installation")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.installation_id})"


class ImmutableRowError(RuntimeError):
    """A published version was about to be changed or deleted."""


class ProgramVersion(models.Model):
    """A published program, frozen: decisions record the version that made them."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="program_versions"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    source_hash = models.CharField(max_length=64, db_index=True)  # sha256 hex of the source
    static_report = models.JSONField(default=dict)
    published_at = models.DateTimeField()
    published_by_user_id = models.CharField(max_length=200, blank=True, default="")
    published_by_email = models.CharField(max_length=320, blank=True, default="")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="program_version_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number} of program {self.program_id}"

    def save(self, *args, **kwargs) -> None:
        # Versions are written once; a changed version would rewrite the history of decisions.
        if self.pk is not None and not self._state.adding:
            raise ImmutableRowError("a published program version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRowError("a published program version cannot be deleted")


class AuditAction(models.TextChoices):
    DRAFT_SAVED = "draft_saved", "Draft saved"
    PUBLISHED = "published", "Published"
    ROLLED_BACK = "rolled_back", "Rolled back"
    PUBLISH_REFUSED = "publish_refused", "Publish refused"
    REWARD_APPROVED = "reward_approved", "Reward approved"
    REWARD_REJECTED = "reward_rejected", "Reward rejected"
    BACKTEST_STARTED = "backtest_started", "Backtest started"
    AB_TEST_PROMOTED = "ab_test_promoted", "A/B test winner promoted"


class AuditLog(models.Model):
    """Who changed what, when: one append-only row per change made from the dashboard."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="audit_log"
    )
    actor_user_id = models.CharField(max_length=200, blank=True, default="")
    actor_email = models.CharField(max_length=320, blank=True, default="")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    details = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_type}"
