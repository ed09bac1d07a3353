"""A record of every e-mail sent, keyed by its cause, so a replayed event never mails twice."""

from __future__ import annotations

from django.db import models


class SentMessage(models.Model):
    installation = models.ForeignKey(
        "install.Installation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sent_messages",
    )
    key = models.CharField(max_length=255)  # e.g. "reward:12:reward_issued"
    template = models.CharField(max_length=60)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=255)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="sent_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to}"
