"""Helpers of the full-story tests: post captured deliveries, read the ledger as plain rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.utils import timezone

from plugin.install.manifest import declared_events
from plugin.install.models import Installation
from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import ReferralCode
from plugin.referrals.services import referral_code_create
from plugin.rewards.models import Reward
from plugin.rewards.selectors import reward_latest_entry
from plugin.saleor.captures import CapturedDelivery, captured_deliveries, captures_dir

CAPTURE_TIME = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)  # just after the captured flows ran
ALICE = ("VXNlcjo0Ng==", "alice.referrer@example.com")  # the referrer of the captured story

STORY_PROGRAM = """\
program "Story" currency USD

on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

on order paid when referred:
    give referrer 10 USD as gift card hold 14 days after fulfillment

on order created when referred:
    give referrer 50 points
"""


class Clock:
    """The app's `timezone.now()`, moved by the test (holds are weeks long)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def clock_install(monkeypatch) -> Clock:
    """The app's clock set to CAPTURE_TIME, for the test to move on."""
    clock = Clock(CAPTURE_TIME)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def story_program_publish(*, installation: Installation) -> Installation:
    """The story program saved and published for `installation`, as a merchant would."""
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, source=STORY_PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    return installation


def alice_code_create(*, installation: Installation) -> ReferralCode:
    """Alice's code ALICE-REF, the one Bob types in the captured story."""
    return referral_code_create(
        installation=installation, customer_id=ALICE[0], email=ALICE[1], name="Alice",
        code="ALICE-REF",
    )


def _all_in_arrival_order() -> list[CapturedDelivery]:
    by_file = {str(d.path.relative_to(captures_dir())): d for d in captured_deliveries()}
    index = json.loads((captures_dir() / "webhooks" / "index.json").read_text())
    return [by_file[item["file"]] for item in index if item["file"] in by_file]


def deliveries_in_arrival_order() -> list[CapturedDelivery]:
    """Every main capture (no variants) the app subscribes to, in the order Saleor sent them."""
    return [d for d in _all_in_arrival_order() if d.event in declared_events()]


def deliveries_until(event: str, number: int) -> list[CapturedDelivery]:
    """What the app receives up to and including the moment `<event>/<number>.json` was sent."""
    found = []
    for delivery in _all_in_arrival_order():
        found.append(delivery)
        if delivery.event == event and delivery.number == number:
            return [d for d in found if d.event in declared_events()]
    raise LookupError(f"{event}/{number} is not captured")


def ledger(installation) -> list[tuple]:
    """The current-state view: one row per reward, sorted, with what it is worth now."""
    rows = []
    for reward in Reward.objects.filter(installation=installation):
        latest = reward_latest_entry(reward=reward)
        rows.append(
            (
                reward.order_number,
                reward.trigger,
                reward.recipient_role,
                reward.recipient_email,
                reward.kind,
                latest.state,
                latest.amount,
                latest.points,
            )
        )
    return sorted(rows, key=repr)


def history(reward) -> list[tuple[str, str]]:
    return [(e.action, e.state) for e in reward.entries.order_by("seq")]
