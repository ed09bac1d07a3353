"""Playbook tables: per-shop settings, unsubscribes, planned e-mails, win-back offers and the
cursor of the history import. Every row belongs to one installation."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q


class PlaybookSettings(models.Model):
    """The merchant's knobs; unsaved defaults apply until they change one."""

    installation = models.OneToOneField(
        "install.Installation", on_delete=models.CASCADE, related_name="playbook_settings"
    )
    invite_after_first_paid = models.BooleanField(default=True)
    invite_after_fulfilment = models.BooleanField(default=True)
    fulfilment_invite_delay_days = models.PositiveIntegerField(default=3)
    followup_after_days = models.PositiveIntegerField(default=7)  # after the first invite
    asleep_periods_default = models.PositiveIntegerField(default=2)  # K when the program has none
    win_back_expires_days = models.PositiveIntegerField(default=14)  # when the rule says none
    expected_return_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.30")
    )
    regular_min_orders = models.PositiveIntegerField(default=3)  # a "regular" for reminders
    reorder_days_before = models.PositiveIntegerField(default=2)
    updated = models.DateTimeField(auto_now=True)


class Unsubscribe(models.Model):
    """An address that wants no e-mail, kept as a keyed hash: links and rows carry no address."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    email_digest = models.CharField(max_length=64)  # HMAC-SHA256 of the normalised e-mail
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "email_digest"], name="unsubscribe_once"
            )
        ]


class PlannedMessage(models.Model):
    """An e-mail the playbook will send when due: invites, the follow-up, reorder reminders."""

    class Kind(models.TextChoices):
        INVITE_PAID = "invite_paid"  # after the first paid order
        INVITE_FULFILLED = "invite_fulfilled"  # after its delivery, with a delay
        FOLLOWUP = "followup"  # one reminder after the first invite
        REORDER = "reorder"  # before a regular's predicted next order

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    key = models.CharField(max_length=255)  # once per cause, e.g. "invite_paid:<email>"
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.CharField(max_length=254)
    customer_id = models.CharField(max_length=128, blank=True, default="")
    name = models.CharField(max_length=120, blank=True, default="")
    order_id = models.CharField(max_length=128, blank=True, default="")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.CharField(max_length=120, blank=True, default="")  # why it was not sent
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="planned_message_once")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(sent_at=None, skipped=""), name="planned_due"
            ),
        ]


class WinBackOffer(models.Model):
    """One time-limited offer to a sleeping customer; at most one per sleep (`sleep_since`)."""

    class Status(models.TextChoices):
        OPEN = "open"
        WOKE = "woke"  # ordered again after the offer
        EXPIRED = "expired"

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    email = models.CharField(max_length=254)
    customer_id = models.CharField(max_length=128, blank=True, default="")
    sleep_since = models.DateTimeField()  # the last paid order before this sleep
    periods_missed = models.PositiveIntegerField()
    usual_interval_days = models.DecimalField(max_digits=10, decimal_places=2)
    reward = models.ForeignKey(
        "rewards.Reward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offer = models.CharField(max_length=200, blank=True, default="")  # as the program said it
    code = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField()
    expires_at = models.DateTimeField()
    woke_at = models.DateTimeField(null=True, blank=True)
    woke_order_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "email", "sleep_since"], name="win_back_once_per_sleep"
            )
        ]
        indexes = [models.Index(fields=["installation", "email", "status"], name="win_back_open")]


class HistoryImport(models.Model):
    """Where the import of one kind of history (orders, customers) stands: resumable by cursor."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16)  # orders | customers
    cursor = models.CharField(max_length=512, blank=True, default="")  # after this page
    pages = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    done = models.BooleanField(default=False)
    last_error = models.TextField(blank=True, default="")
    started = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "kind"], name="history_import_once")
        ]


class MessageCopy(models.Model):
    """The merchant's own wording of one playbook e-mail (plain text with `$name` placeholders);
    without a row, the shipped template is used."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    template = models.CharField(max_length=40)  # referral_invite | referral_followup | …
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_by = models.CharField(max_length=254, blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "template"], name="message_copy_once")
        ]
