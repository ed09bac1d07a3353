"""Ledger tables: rewards (what was decided) and their append-only entries, outbox, points, debt.

Rows here are written once. A reward's current state is its latest entry (see `selectors.py`);
no row is updated to lose history, except the outbox's own delivery bookkeeping.
"""

from __future__ import annotations

import secrets

from django.db import models


class AppendOnlyError(RuntimeError):
    """A ledger row was about to be changed or deleted."""


class AppendOnly(models.Model):
    """Refuses updates and deletes through the ORM: history is only ever added to."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


MONEY = {"max_digits": 16, "decimal_places": 3}


class RewardState(models.TextChoices):
    PENDING = "pending", "Pending (waiting for fulfilment)"
    REVIEW = "review", "Waiting for review"
    HELD = "held", "Held until the return window ends"
    ISSUING = "issuing", "Being issued"
    ISSUED = "issued", "Issued"
    VOIDED = "voided", "Voided"
    REFUSED = "refused", "Refused"


class EntryAction(models.TextChoices):
    DECIDED = "decided", "Decided by the program"
    REFUSED = "refused", "Refused"
    APPROVED = "approved", "Approved in review"
    REJECTED = "rejected", "Rejected in review"
    HELD = "held", "Hold started"
    RELEASED = "released", "Released for issuing"
    ISSUED = "issued", "Issued"
    REDUCED = "reduced", "Reduced by a partial refund"
    VOIDED = "voided", "Voided"
    CLAWED_BACK = "clawed_back", "Clawed back"
    CODE_CHANGED = "code_changed", "Voucher code replaced"


class Reward(AppendOnly):
    """One reward a program decided, with its cause; immutable once written."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="rewards"
    )
    key = models.CharField(max_length=255)  # order + trigger + rule + recipient: one decision once
    order_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    order_number = models.CharField(max_length=32, blank=True, default="")
    channel = models.CharField(max_length=255, blank=True, default="")
    referral_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    program_version = models.ForeignKey(
        "programs.ProgramVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule_line = models.PositiveIntegerField(default=0)
    rule_label = models.CharField(max_length=255, blank=True, default="")
    trigger = models.CharField(max_length=40, blank=True, default="")
    # the A/B test running when it was decided, and the variant that decided it ("" for none)
    ab_test = models.CharField(max_length=255, blank=True, default="")
    ab_variant = models.CharField(max_length=255, blank=True, default="")
    recipient_role = models.CharField(max_length=20)  # referrer | referee | customer | affiliate
    recipient_email = models.CharField(max_length=320, db_index=True)  # where mail goes
    # One spelling per mailbox (case, `+tag`, Gmail dots): what matching, caps and points key on.
    recipient_key = models.CharField(max_length=320, blank=True, default="", db_index=True)
    recipient_customer_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    kind = models.CharField(max_length=20)  # money | points | voucher
    delivery = models.CharField(max_length=20, blank=True, default="")  # gift_card | store_credit
    voucher_type = models.CharField(max_length=20, blank=True, default="")
    percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    product = models.CharField(max_length=255, blank=True, default="")  # free_product: slug
    amount = models.DecimalField(**MONEY, null=True, blank=True)  # as decided, before refunds
    currency = models.CharField(max_length=3, blank=True, default="")
    points = models.IntegerField(null=True, blank=True)
    hold_days = models.PositiveIntegerField(default=0)
    hold_after = models.CharField(max_length=20, blank=True, default="")  # fulfillment | payment
    expires_days = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    cause_event = models.CharField(max_length=60, blank=True, default="")
    cause_id = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="reward_key_once")
        ]

    def __str__(self) -> str:
        value = (
            f"{self.amount} {self.currency}" if self.amount is not None else f"{self.points} pts"
        )
        return f"reward {self.pk} {self.kind} {value} to {self.recipient_role}"


class RewardEntry(AppendOnly):
    """One state change of a reward, with its cause; `seq` orders them and guards races."""

    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=EntryAction.choices)
    state = models.CharField(max_length=20, choices=RewardState.choices, db_index=True)
    amount = models.DecimalField(**MONEY, null=True, blank=True)  # value after this entry
    points = models.IntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cause_event = models.CharField(max_length=60, blank=True, default="")
    cause_id = models.CharField(max_length=128, blank=True, default="")
    actor = models.CharField(max_length=320, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["reward_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["reward", "seq"], name="reward_entry_seq_once")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} -> {self.state}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    DEAD = "dead", "Gave up"


def outbox_tag_new() -> str:
    """A tag no other item, database or installation will ever have: 128 random bits."""
    return "rr-" + secrets.token_hex(16)


class OutboxItem(models.Model):
    """Work that changes Saleor, done exactly once: the item's random `tag` travels with the
    Saleor object, so a retry finds what an earlier attempt made and nobody else's."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="reward_outbox"
    )
    key = models.CharField(max_length=255)
    reward = models.ForeignKey(
        Reward, null=True, blank=True, on_delete=models.PROTECT, related_name="outbox_items"
    )
    action = models.CharField(max_length=40)  # gift_card_issue | voucher_issue | gift_card_clawback
    # Never derived from `key` or the row id: ids start at 1 in every database.
    tag = models.CharField(max_length=80, default=outbox_tag_new)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # a worker holds the item until then
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="outbox_key_once"),
            models.UniqueConstraint(fields=["installation", "tag"], name="outbox_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key} ({self.status})"


class CodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ROTATE = "rotate", "To be replaced (it was computable)"
    RETIRED = "retired", "Replaced or gone"
    USED = "used", "Used before it could be replaced"


class RedemptionCode(models.Model):
    """A voucher code a shopper redeems, random from `secrets` and stored before Saleor hears of
    it, so a retry sends the same code. One row per code; a rotation adds the replacement."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="redemption_codes"
    )
    code = models.CharField(max_length=64)
    # A reward voucher (program, win-back, contest prize); None for a points redemption.
    reward = models.ForeignKey(
        Reward, null=True, blank=True, on_delete=models.PROTECT, related_name="codes"
    )
    email = models.CharField(max_length=320, blank=True, default="")  # who is told of a change
    status = models.CharField(
        max_length=10, choices=CodeStatus.choices, default=CodeStatus.ACTIVE, db_index=True
    )
    derived = models.BooleanField(default=False)  # made by the old, computable scheme
    saleor_voucher_id = models.CharField(max_length=128, blank=True, default="")
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    note = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)  # taken off Saleor's voucher by us

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "code"], name="redemption_code_once")
        ]

    def __str__(self) -> str:
        return f"code {self.code[:3]}…{self.code[-4:]} ({self.status})"


class PointsEntry(AppendOnly):
    """Points credited (with expiry) or spent; the balance is their sum, expiry applied FIFO."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="points_entries"
    )
    key = models.CharField(max_length=255)
    customer_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    email = models.CharField(max_length=320, db_index=True)  # normalised
    points = models.IntegerField()  # > 0 credit, < 0 debit
    expires_at = models.DateTimeField(null=True, blank=True)
    reward = models.ForeignKey(
        Reward, null=True, blank=True, on_delete=models.PROTECT, related_name="points_entries"
    )
    reason = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="points_key_once")
        ]


class DebtEntry(AppendOnly):
    """Clawback that could not be recovered (+), and its settlement from later rewards (-)."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="debt_entries"
    )
    key = models.CharField(max_length=255)
    email = models.CharField(max_length=320, db_index=True)
    currency = models.CharField(max_length=3, blank=True, default="")  # "" for points debt
    amount = models.DecimalField(**MONEY, default=0)
    points = models.IntegerField(default=0)
    reward = models.ForeignKey(
        Reward, null=True, blank=True, on_delete=models.PROTECT, related_name="debt_entries"
    )
    reason = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "key"], name="debt_key_once")
        ]


class UsageCounter(models.Model):
    """Rewards and money spent per scope and period (caps, budgets); updated under a row lock."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="reward_counters"
    )
    scope = models.CharField(max_length=400)  # e.g. "budget" or "referrer:alice@example.com"
    period = models.CharField(max_length=20)  # e.g. "2026-11", "2026-W47", "all"
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "scope", "period"], name="usage_counter_once"
            )
        ]


class OrderTrack(models.Model):
    """What the app has learned about one order, monotone, so events may arrive in any order."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="reward_orders"
    )
    order_id = models.CharField(max_length=255)
    number = models.CharField(max_length=32, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    total = models.DecimalField(**MONEY, default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    refunded = models.DecimalField(**MONEY, default=0)  # the highest total refunded seen
    voided_at = models.DateTimeField(null=True, blank=True)  # cancelled or fully refunded
    void_reason = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "order_id"], name="order_track_once")
        ]


class SkippedOrder(models.Model):
    """An order a program could not decide on (an order in PLN, a program in USD): recorded once
    per order and program, with its reason, so the merchant sees it and the delivery is done."""

    installation = models.ForeignKey(
        "install.Installation", on_delete=models.CASCADE, related_name="skipped_orders"
    )
    order_id = models.CharField(max_length=255)
    number = models.CharField(max_length=32, blank=True, default="")
    program = models.CharField(max_length=60)  # "program", or "partner <id>" for a commission
    reason = models.CharField(max_length=200)
    skipped_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "order_id", "program"],
                                    name="skipped_order_once")
        ]
