"""Referral codes, their link visits, referrals (attribution), the referee's checkout discount
and customers' order history. Every row belongs to one installation; logic lives in services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReferralSettings(models.Model):
    """Per-installation knobs of the referral side (storefront link target, limits, window)."""

    installation = models.OneToOneField(
        "install.Installation", on_delete=models.CASCADE, related_name="referral_settings"
    )
    storefront_url = models.URLField(max_length=512, blank=True, default="")
    code_param = models.CharField(max_length=32, default="ref")  # `?ref=ALICE-7K2Q` on the link
    attribution_days = models.PositiveIntegerField(default=30)
    velocity_per_day = models.PositiveIntegerField(default=10)  # referrals per referrer per 24 h
    leaked_referees_per_day = models.PositiveIntegerField(default=25)  # distinct e-mails per code
    # other referees of the same referrer at one shipping address before it looks like a farm
    shared_address_referees = models.PositiveIntegerField(default=3)
    # The value a typed referral code has in Saleor until the app swaps in the referee's code.
    # Saleor refuses a voucher worth nothing, so 0 means "codes are shared by link only".
    code_voucher_percent = models.DecimalField(max_digits=6, decimal_places=2, default=5)
    updated_at = models.DateTimeField(auto_now=True)


class ReferralCode(models.Model):
    """A customer's personal code; also a voucher code in Saleor so it can be typed at checkout."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="referral_codes"
    )
    code = models.CharField(max_length=40)
    owner_customer_id = models.CharField(max_length=128, blank=True, default="")  # Saleor User id
    owner_email = models.CharField(max_length=254)  # normalised
    owner_name = models.CharField(max_length=120, blank=True, default="")
    owner_address_fingerprint = models.CharField(max_length=64, blank=True, default="")
    leaderboard_name = models.CharField(max_length=60, blank=True, default="")  # "" = not opted in
    saleor_voucher_id = models.CharField(max_length=128, blank=True, default="")
    # the value the voucher is listed at in Saleor's channels; None: not listed yet
    saleor_voucher_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(default=True)
    rotated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rotated_to"
    )
    created = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "code"], name="referral_code_unique"),
        ]
        indexes = [
            models.Index(fields=["installation", "owner_email"], name="referral_code_owner_email"),
            models.Index(
                fields=["installation", "owner_customer_id"], name="referral_code_owner_id"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ReferralVisit(models.Model):
    """One visitor's openings of a share link on one day. No IP address or cookie is kept: the
    visitor key is a keyed hash of address, browser and day (see `plugin.referrals.visits`)."""

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="visits")
    created = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=16, default="link")  # link | qr
    # Null on visits recorded before visitors were told apart.
    visitor_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "visitor_key"], name="referral_visit_once"),
        ]


class Referral(models.Model):
    """One attribution of a referee's checkout, order or sign-up to a referrer's code."""

    class Source(models.TextChoices):
        VOUCHER = "voucher"
        METADATA = "metadata"
        SIGNUP = "signup"
        EARLIER = "earlier"

    class Status(models.TextChoices):
        ATTRIBUTED = "attributed"
        CONVERTED = "converted"
        REFUSED = "refused"
        REVIEW = "review"

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="referrals"
    )
    code = models.ForeignKey(ReferralCode, on_delete=models.PROTECT, related_name="referrals")
    referrer_id = models.CharField(max_length=128, blank=True, default="")
    referrer_email = models.CharField(max_length=254)  # normalised
    referee_id = models.CharField(max_length=128, blank=True, default="")
    referee_email = models.CharField(max_length=254)  # normalised
    source = models.CharField(max_length=16, choices=Source.choices)
    checkout_id = models.CharField(max_length=128, blank=True, default="")
    order_id = models.CharField(max_length=128, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ATTRIBUTED)
    # the live program's A/B test when the referral was made, and its referrer's variant
    ab_test = models.CharField(max_length=255, blank=True, default="")
    ab_variant = models.CharField(max_length=255, blank=True, default="")
    refusal_reason = models.CharField(max_length=255, blank=True, default="")
    review_reason = models.CharField(max_length=255, blank=True, default="")
    reviewed_by = models.CharField(max_length=254, blank=True, default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "checkout_id"],
                condition=~Q(checkout_id=""),
                name="referral_checkout_unique",
            ),
            models.UniqueConstraint(
                fields=["installation", "order_id"],
                condition=~Q(order_id=""),
                name="referral_order_unique",
            ),
            # the sign-up record: one per referee e-mail, without checkout or order
            models.UniqueConstraint(
                fields=["installation", "referee_email"],
                condition=Q(checkout_id="", order_id="", source="signup"),
                name="referral_signup_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["installation", "referee_email", "created"], name="referral_referee"
            ),
            models.Index(fields=["installation", "referee_id"], name="referral_referee_id"),
            models.Index(
                fields=["installation", "referrer_email", "created"], name="referral_referrer"
            ),
            models.Index(fields=["installation", "status"], name="referral_status"),
        ]


class CheckoutDiscount(models.Model):
    """What the app last put on one checkout: the referee's single-use code and its value."""

    class State(models.TextChoices):
        CREATING = "creating"  # code chosen, voucher may or may not exist in Saleor yet
        APPLIED = "applied"
        REMOVED = "removed"

    installation = models.ForeignKey("install.Installation", on_delete=models.CASCADE)
    checkout_id = models.CharField(max_length=128)
    referral = models.ForeignKey(Referral, null=True, on_delete=models.SET_NULL)
    code = models.CharField(max_length=64)
    voucher_type = models.CharField(max_length=16, default="ENTIRE_ORDER")  # or SHIPPING
    value_type = models.CharField(max_length=16)  # PERCENTAGE | FIXED
    value = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=100)
    saleor_voucher_id = models.CharField(max_length=128, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.CREATING)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "checkout_id"], name="checkout_discount_unique"
            ),
            # a code is one shopper's: never two checkouts (`_row_for` draws again on a clash)
            models.UniqueConstraint(
                fields=["installation", "code"], name="checkout_discount_code_once"
            ),
        ]


class CustomerOrder(models.Model):
    """A customer's order as the app saw it: the history customer facts are computed from."""

    class Status(models.TextChoices):
        CREATED = "created"
        PAID = "paid"
        FULFILLED = "fulfilled"
        CANCELLED = "cancelled"
        REFUNDED = "refunded"

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="customer_orders"
    )
    order_id = models.CharField(max_length=128)
    number = models.CharField(max_length=32, blank=True, default="")
    customer_id = models.CharField(max_length=128, blank=True, default="")
    email = models.CharField(max_length=254)  # normalised
    channel = models.CharField(max_length=100, blank=True, default="")
    total = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    shipping_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created = models.DateTimeField(default=timezone.now)  # when Saleor created the order
    paid_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    # What line-based rules read in a backtest (`referrals.order_lines`): product slug, sku,
    # category, collections, quantity, unit price, total; [] for orders recorded without lines.
    lines = models.JSONField(default=list, blank=True)
    subtotal = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    shipping = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "order_id"], name="customer_order_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["installation", "email", "paid_at"], name="customer_order_email"),
            models.Index(
                fields=["installation", "customer_id", "paid_at"], name="customer_order_cust"
            ),
            models.Index(
                fields=["installation", "shipping_fingerprint"], name="customer_order_ship"
            ),
        ]
