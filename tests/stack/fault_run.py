"""A fault run on the production stack: shoppers' orders are paid while the Celery worker is
killed at random points, PostgreSQL and Redis restart and the stand-in Saleor answers 5xx and
times out; then, once the trouble is over, every reward must exist in Saleor exactly once and
nothing may be left waiting. Run short by tests/stack/test_faults.py, long by bench/faults.py.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from faulty_saleor import FaultySaleor
from production import ProductionStack
from shop_orders import PAID, SignedDelivery, order_deliveries
from stack_harness import group_members, wait_until

TROUBLE = True  # False: only the kills (the calm baseline of bench/faults.py)
PROGRAM = """\
program "Faults" currency USD

on order paid when order_total >= 20 USD:
    give customer 5 USD as gift card hold 0 days after payment
    give customer 15 USD off next order hold 0 days after payment
"""


@dataclass(frozen=True)
class FaultPlan:
    orders: int
    kills: int
    seconds: float  # how long the trouble lasts; orders are paid all along
    seed: int
    settle_seconds: float = 150.0  # after the trouble: time to reach exactly once


@dataclass
class FaultReport:
    kills: list[str] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    resent: Counter = field(default_factory=Counter)  # Saleor's retries, by answer
    dead_retried: int = 0
    supervisor_restarts: list[str] = field(default_factory=list)
    settled_after: float = 0.0
    gift_cards: int = 0
    vouchers: int = 0

    def say(self, started: float, what: str) -> None:
        self.events.append((round(time.monotonic() - started, 1), what))


class Sender(threading.Thread):
    """Saleor's side: each delivery is sent until the app answers 200 (Saleor retries 5xx,
    timeouts and refused connections), in order, spread over the run."""

    def __init__(self, base: str, deliveries: list[SignedDelivery], seconds: float,
                 report: FaultReport) -> None:
        super().__init__(daemon=True)
        self.base, self.deliveries, self.seconds, self.report = base, deliveries, seconds, report
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            pace = self.seconds / max(len(self.deliveries), 1)
            with httpx.Client(base_url=self.base, timeout=15) as client:
                for delivery in self.deliveries:
                    self._send(client, delivery)
                    time.sleep(pace)
        except BaseException as error:  # seen by the main thread
            self.error = error

    def _send(self, client: httpx.Client, delivery: SignedDelivery) -> None:
        for _ in range(600):
            try:
                answer = client.post(delivery.path, content=delivery.body,
                                     headers=delivery.headers)
            except httpx.HTTPError as error:
                self.report.resent[type(error).__name__] += 1
            else:
                if answer.status_code == 200:
                    return
                assert answer.status_code >= 500, (answer.status_code, answer.text)
                self.report.resent[answer.status_code] += 1
            time.sleep(0.5)
        raise AssertionError(f"{delivery.event} of order {delivery.order} never accepted")


WORKERS = ("worker-1", "worker-2")  # two worker machines on one Redis, as production scales


def kill_worker(stack: ProductionStack, rng: random.Random) -> str:
    """SIGKILL, no warning, as the kernel's OOM killer or a lost machine would: one of a
    worker's pool processes (Celery forks another), or a whole worker, started again."""
    name = rng.choice(WORKERS)
    leader = stack.processes.running[name].pid
    children = [pid for pid in group_members(leader) if pid != leader]
    if children and rng.random() < 0.7:
        with suppress(ProcessLookupError):
            os.kill(rng.choice(children), signal.SIGKILL)
        return "a pool process"
    stack.processes.stop(name, signal.SIGKILL, timeout=20)
    stack.start("worker", name)
    return "a whole worker"


def supervise(stack: ProductionStack, report: FaultReport) -> None:
    """What a process supervisor does: a worker that ended (Celery stops itself when a pool
    process dies while it starts) is started again. Web and beat must never end."""
    for name in WORKERS:
        code = stack.processes.running[name].poll()
        if code is not None:
            stack.processes.stop(name)
            stack.start("worker", name)
            report.supervisor_restarts.append(f"{name} exited with {code}")
    stack.processes.check_alive("web", "beat")


def _engine_restarts(seconds: float) -> list[tuple[float, str]]:
    return [(0.35 * seconds, "restart postgresql"), (0.70 * seconds, "restart redis")] \
        if TROUBLE else []


# Saleor's trouble, in turn, each for at least `seconds` / 6 and until it has answered this
# many calls so (but at most `seconds` / 3): refusals first, then answers lost after the work,
# then no work at all.
SALEOR_TROUBLE = (("5xx", 4), ("lost answer", 2), ("timeout", 2))
ISSUING = {"GiftCardsByTag", "VouchersByCode"}


class SaleorTrouble(threading.Thread):
    def __init__(self, saleor: FaultySaleor, seconds: float, report: FaultReport,
                 started: float) -> None:
        super().__init__(daemon=True)
        self.saleor, self.seconds, self.report, self.started = saleor, seconds, report, started

    def run(self) -> None:
        # From the first reward the outbox sends, so that the trouble meets the app's calls.
        until = time.monotonic() + self.seconds / 2
        while time.monotonic() < until and not any(
                operation in ISSUING for _, operation, _ in list(self.saleor.calls)):
            time.sleep(0.2)
        for trouble, calls in SALEOR_TROUBLE if TROUBLE else ():
            self.saleor.trouble = trouble
            self.report.say(self.started, f"saleor {trouble}")
            began = time.monotonic()
            while time.monotonic() < began + self.seconds / 3 and (
                    self.saleor.troubled[trouble] < calls
                    or time.monotonic() < began + self.seconds / 6):
                time.sleep(0.2)
        self.saleor.trouble = "none"
        self.report.say(self.started, "saleor none")


def fault_run(folder: Path, plan: FaultPlan, *, log=print) -> FaultReport:
    """The whole run; raises AssertionError naming what broke, with every process's log."""
    rng = random.Random(plan.seed)
    report = FaultReport()
    with FaultySaleor() as saleor, ProductionStack(folder, saleor, worker_concurrency=2,
                                                   periodic_scale=0.02) as stack:
        try:
            _run(stack, saleor, plan, rng, report, log)
        except BaseException as error:
            raise AssertionError(f"{error}\n\n{stack.processes.report()}") from error
    return report


def _run(stack: ProductionStack, saleor: FaultySaleor, plan: FaultPlan, rng: random.Random,
         report: FaultReport, log) -> None:
    stack.dashboard("POST", "program/publish", source=PROGRAM)
    for name in WORKERS:
        stack.start("worker", name)
    stack.start("beat")
    deliveries = list(order_deliveries(orders=range(plan.orders), signer=saleor.signer,
                                       saleor_api_url=saleor.api_url))
    started = time.monotonic()
    sender = Sender(stack.base, deliveries, plan.seconds * 0.8, report)
    sender.start()
    trouble = SaleorTrouble(saleor, plan.seconds, report, started)
    trouble.start()
    kill_at = sorted(rng.uniform(0, plan.seconds) for _ in range(plan.kills))
    timeline = sorted([(at, "kill worker") for at in kill_at] + _engine_restarts(plan.seconds))
    for at, what in timeline:
        time.sleep(max(0.0, started + at - time.monotonic()))
        if what == "kill worker":
            report.kills.append(kill_worker(stack, rng))
        elif what == "restart postgresql":
            stack.postgres.restart()
        elif what == "restart redis":
            stack.redis.restart()
        report.say(started, what)
        supervise(stack, report)
    trouble.join(timeout=plan.seconds * 2)
    saleor.trouble = "none"
    sender.join(timeout=600)
    assert sender.error is None and not sender.is_alive(), sender.error
    log(f"  trouble over after {time.monotonic() - started:.0f} s: {len(report.kills)} kills "
        f"({Counter(report.kills)}), supervisor restarts {report.supervisor_restarts}, "
        f"Saleor answers {saleor.troubled}, Saleor resent "
        f"{dict(report.resent)}")

    settled = time.monotonic()
    wait_until("every reward issued and nothing left waiting",
               lambda: supervise(stack, report) or _settled(stack, plan, report),
               timeout=plan.settle_seconds, every=1.0)
    report.settled_after = time.monotonic() - settled
    _assert_exactly_once(stack, saleor, plan, report)
    if TROUBLE:  # else the run proved nothing about Saleor's trouble
        missed = [kind for kind, _ in SALEOR_TROUBLE if not saleor.troubled[kind]]
        calls = [(round(at - started, 1), *rest) for at, *rest in saleor.calls]
        assert not missed, (f"no call to Saleor met its trouble: {missed} ({saleor.troubled}); "
                            f"calls: {calls}; events: {report.events}")


def _settled(stack: ProductionStack, plan: FaultPlan, report: FaultReport) -> bool:
    """True once every delivery is done and every reward issued; dead letters are retried from
    the dashboard as a merchant would (the trouble that killed them is over)."""
    dead = stack.dashboard("GET", "dead-letters")
    for letter in dead["deliveries"]:
        stack.dashboard("POST", f"dead-letters/deliveries/{letter['id']}/retry")
        report.dead_retried += 1
    for item in dead["outbox"]:
        stack.dashboard("POST", f"dead-letters/outbox/{item['id']}/retry")
        report.dead_retried += 1
    counts = stack.deliveries_by_status()
    if set(counts) != {"done"}:
        return False
    waiting = stack.query("SELECT status, count(*) FROM rewards_outboxitem "
                          "WHERE status <> 'done' GROUP BY status")
    if waiting:
        return False
    issued = stack.query(
        "SELECT count(*) FROM rewards_reward r WHERE (SELECT e.state FROM rewards_rewardentry e "
        "WHERE e.reward_id = r.id ORDER BY e.seq DESC LIMIT 1) = 'issued'")[0][0]
    return issued == 2 * plan.orders


def _assert_exactly_once(stack: ProductionStack, saleor: FaultySaleor, plan: FaultPlan,
                         report: FaultReport) -> None:
    paid = {f"shopper{order}@example.com" for order in range(plan.orders)}
    cards = saleor.gift_cards_by_tag()
    report.gift_cards = sum(len(found) for found in cards.values())
    twice = {tag: len(found) for tag, found in cards.items() if len(found) != 1}
    assert not twice, f"gift cards made more than once: {twice}"
    owners = Counter(meta["value"] for found in cards.values() for card in found
                     for meta in card["privateMetadata"])
    assert owners == Counter(paid), f"gift cards by recipient: {owners}"

    vouchers = saleor.vouchers_by_code()
    codes = {code for (code,) in stack.query(
        "SELECT payload->>'code' FROM rewards_outboxitem WHERE action = 'voucher_issue'")}
    assert len(codes) == plan.orders, codes
    assert codes <= set(vouchers), f"reward vouchers missing in Saleor: {codes - set(vouchers)}"
    # Every code once, the shoppers' own referral codes (also vouchers in Saleor) included.
    twice = {code: len(found) for code, found in vouchers.items() if len(found) != 1}
    assert not twice, f"vouchers made more than once: {twice}"
    unlisted = [code for code in codes if not vouchers[code][0]["channelListings"]]
    assert not unlisted, f"reward vouchers never listed in their channel: {unlisted}"
    report.vouchers = len(codes)
    assert report.gift_cards == report.vouchers == plan.orders
    paid_deliveries = stack.query(
        "SELECT count(*) FROM webhooks_webhookdelivery WHERE event = %s", PAID)[0][0]
    assert paid_deliveries == plan.orders, "a resent delivery was stored twice"
