"""Affiliate partners (bloggers, partner shops) who are not shoppers: their codes, the orders
their codes brought, the commissions the ledger holds for them, and the payouts made to them.

Commissions themselves are rewards in the ledger (`plugin.rewards`); a payout item names the one
ledger entry it pays, once: a unique column, so nothing is ever paid twice.
"""

from __future__ import annotations

from django.db import models

from plugin.rewards.models import MONEY


class Partner(models.Model):
    """Someone who brings customers for a commission, with their own commission program."""

    class Kind(models.TextChoices):
        BLOGGER = "blogger", "Blogger"
        SHOP = "shop", "Partner shop"
        OTHER = "other", "Other"

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="partners"
    )
    name = models.CharField(max_length=120)
    email = models.CharField(max_length=254)  # normalised; where statements go
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.BLOGGER)
    program_source = models.TextField()  # the commission program, in the rules language
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "email"], name="partner_email_once"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerCode(models.Model):
    """One of a partner's codes: a random secret stored as a redemption code, so no shopper's
    voucher and no partner's code can ever share a spelling within a shop."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="codes")
    redemption_code = models.OneToOneField(
        "rewards.RedemptionCode", on_delete=models.PROTECT, related_name="partner_code"
    )
    code = models.CharField(max_length=64)  # the redemption code's spelling, for lookups
    label = models.CharField(max_length=80, blank=True, default="")  # e.g. "Instagram bio"
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-active", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "code"], name="partner_code_once"),
        ]


class PartnerVisit(models.Model):
    """One visitor's openings of a partner's share link on one day (a keyed hash, no address;
    see `plugin.referrals.visits`)."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    code = models.ForeignKey(PartnerCode, on_delete=models.CASCADE, related_name="visits")
    visitor_key = models.CharField(max_length=64)
    via = models.CharField(max_length=16, default="link")  # link | qr
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "visitor_key"], name="partner_visit_once"),
        ]


class PartnerOrder(models.Model):
    """An order attributed to a partner by one of their codes; an order has one partner."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="orders")
    code = models.ForeignKey(PartnerCode, on_delete=models.PROTECT, related_name="orders")
    order_id = models.CharField(max_length=128)
    order_number = models.CharField(max_length=32, blank=True, default="")
    source = models.CharField(max_length=16)  # voucher | metadata
    currency = models.CharField(max_length=3, blank=True, default="")
    total = models.DecimalField(**MONEY, default=0)  # gross, as first seen
    ordered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "order_id"], name="partner_order_once"),
        ]
        indexes = [models.Index(fields=["partner", "ordered_at"], name="partner_order_time")]


class Commission(models.Model):
    """Links a ledger reward to the partner it is for (the ledger row says how much and when)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="commissions")
    order = models.ForeignKey(PartnerOrder, on_delete=models.PROTECT, related_name="commissions")
    reward = models.OneToOneField(
        "rewards.Reward", on_delete=models.PROTECT, related_name="commission"
    )

    class Meta:
        indexes = [models.Index(fields=["partner", "reward"], name="commission_partner_reward")]


class Payout(models.Model):
    """One period of one partner marked paid, per currency; the same period is paid once."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payouts")
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive
    currency = models.CharField(max_length=3)
    commission = models.DecimalField(**MONEY)
    clawbacks = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    reference = models.CharField(max_length=120, blank=True, default="")  # e.g. the transfer id
    paid_by = models.CharField(max_length=320, blank=True, default="")
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_start", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period_start", "period_end", "currency"],
                name="payout_period_once",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="payout_period_forward",
            ),
        ]


class PayoutItem(models.Model):
    """One ledger entry a payout settles: a released commission (+) or a clawback (-)."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="items")
    # Unique: an entry that is in one payout can never be in another (never paid twice).
    entry = models.OneToOneField(
        "rewards.RewardEntry", on_delete=models.PROTECT, related_name="payout_item"
    )
    amount = models.DecimalField(**MONEY)  # signed
