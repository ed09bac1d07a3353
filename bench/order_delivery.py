"""What one order delivery costs the worker: N referred shoppers' captured ORDER_CREATED,
ORDER_FULLY_PAID and ORDER_FULFILLED deliveries stored and processed through the inbox
(`delivery_store` + `delivery_process`, as the Celery task does). Prints CPU ms and queries per
delivery by event type, against a baseline of the same N inserts of the raw delivery row (the
limit: storing it, doing nothing else); `--profile` adds a cProfile top-20 of the processing.

    .venv/bin/python bench/order_delivery.py [--shoppers 100] [--profile] [--db sqlite|postgres]

Runs on a throwaway SQLite database (or a fresh PostgreSQL one on BENCH_POSTGRES_URL).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import hashlib
import os
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench" / "support"))

os.environ.setdefault("LOG_LEVEL", "WARNING")

from own_database import django_on_own_database, django_on_sqlite  # noqa: E402

API_URL = "http://127.0.0.1:8000/graphql/"  # the captured Saleor
EVENTS = ("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_FULFILLED")
REFERRERS = 20
_LITERALS = re.compile(r"'[^']*'|\b\d+(\.\d+)?\b")
PROGRAM = """program "Bench orders" currency USD

rule "first order" on order paid when referred and customer.orders == 0:
    give referrer 10 USD as gift card hold 14 days after fulfillment

rule "regulars" on order paid when referred and referrer.orders >= 5:
    give referrer 200 points

on order created when referred:
    give referrer 50 points

on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

limit reward <= 20% of order_total
"""


def _shape(sql: str) -> str:
    """A statement without its values, cut short: what repeats, not which row."""
    return _LITERALS.sub("?", sql)[:150]


def shopper_payload(template: dict, *, shopper: int, code: str, second: int) -> dict:
    """The captured delivery as shopper `shopper` would send it: own order, own account, the
    referrer's code in the order's metadata, a distinct `issuedAt`."""
    payload = copy.deepcopy(template)
    order = payload["order"]
    order["id"] = f"T3JkZXI6YmVuY2gt{shopper:06d}"
    order["number"] = str(10_000 + shopper)
    order["checkoutId"] = f"Q2hlY2tvdXQ6YmVuY2gt{shopper:06d}"
    email = f"shopper{shopper}@example.com"
    order["userEmail"] = email
    if order.get("user"):
        order["user"] = {**order["user"], "id": f"VXNlcjpiZW5jaC{shopper:06d}", "email": email}
    order["metadata"] = [{"key": "referral_code", "value": code}]
    for line in order.get("lines") or []:
        line["voucherCode"] = None
    order["voucherCode"] = None
    order["voucher"] = None
    payload["issuedAt"] = f"2026-11-22T19:{second // 60 % 60:02d}:{second % 60:02d}.000000+00:00"
    return payload


def shop_install(source: str):
    """The captured Saleor's installation, `source` published, REFERRERS codes made."""
    from plugin.install.crypto import token_encrypt
    from plugin.install.models import Installation
    from plugin.programs.actors import SystemActor
    from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
    from plugin.referrals.services import referral_code_create
    from plugin.saleor.captures import captured_jwks

    shop = Installation.objects.create(
        saleor_api_url=API_URL, domain="127.0.0.1:8000", app_id="QXBwOjQ=",
        auth_token_encrypted=token_encrypt(token="bench-app-token"), jwks=captured_jwks())
    program = program_get_or_create(installation=shop)
    program_save_draft(program=program, source=source, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    codes = [referral_code_create(installation=shop, customer_id=f"VXNlcjpyZWYt{n:04d}",
                                  email=f"referrer{n}@example.com", name=f"Referrer {n}",
                                  code=f"BENCH-REF-{n:02d}").code for n in range(REFERRERS)]
    return shop, codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile top-20 of processing")
    parser.add_argument("--profile-file", help="also save the profile there (pstats format)")
    parser.add_argument("--queries", type=int, default=0, metavar="N",
                        help="also list each event's N most frequent SQL statements")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    context = (django_on_own_database("bench_order_delivery") if args.db == "postgres"
               else django_on_sqlite("bench-order-delivery-"))
    with context:
        return run(args)


def run(args) -> int:
    import json

    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from plugin.install.http import use_saleor_transport
    from plugin.saleor.captures import captured_delivery
    from plugin.saleor.fake import FakeSaleor
    from plugin.saleor.fake_rewards import RewardsSaleorState
    from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
    from plugin.webhooks.services import delivery_process, delivery_store

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    fake = FakeSaleor(api_url=API_URL)
    RewardsSaleorState().install(fake)
    with use_saleor_transport(fake.transport, sleep=lambda _seconds: None):
        shop, codes = shop_install(PROGRAM)
    templates = {event: captured_delivery(event).payload for event in EVENTS}
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    shapes: dict[str, Counter] = defaultdict(Counter)
    profiler = cProfile.Profile() if args.profile else None
    bodies: list[tuple[str, bytes, dict]] = []
    for shopper in range(args.shoppers):
        for step, event in enumerate(EVENTS):
            payload = shopper_payload(templates[event], shopper=shopper,
                                      code=codes[shopper % REFERRERS], second=shopper * 3 + step)
            bodies.append((event, json.dumps(payload).encode(), payload))

    with use_saleor_transport(fake.transport, sleep=lambda _seconds: None):
        for event, body, _payload in bodies:
            connection.queries_log.clear()  # a bounded log: keep each count exact
            with CaptureQueriesContext(connection) as captured:
                start = time.process_time()
                if profiler:
                    profiler.enable()
                stored = delivery_store(installation=shop, event=event, body=body,
                                        payload=json.loads(body))
                outcome = delivery_process(delivery_id=stored.delivery.pk, event=event)
                if profiler:
                    profiler.disable()
                cpu_ms[event].append((time.process_time() - start) * 1000)
            queries[event].append(len(captured.captured_queries))
            for query in captured.captured_queries:
                shapes[event][_shape(query["sql"])] += 1
            if outcome.status != DeliveryStatus.DONE:
                print(WebhookDelivery.objects.get(pk=stored.delivery.pk).last_error)
                return 1

    # Baseline: the same inserts of the raw delivery row, nothing else.
    baseline: list[float] = []
    for index, (event, body, _payload) in enumerate(bodies):
        start = time.process_time()
        with transaction.atomic():
            WebhookDelivery.objects.create(
                installation=shop, event=event, payload=json.loads(body),
                dedup_key=f"baseline-{index}", body_sha256=hashlib.sha256(body).hexdigest(),
                status=DeliveryStatus.DONE)
        baseline.append((time.process_time() - start) * 1000)
    base_ms = sum(baseline) / len(baseline)

    print(f"order deliveries on {args.db}: {args.shoppers} referred shoppers x {len(EVENTS)} "
          f"events, {REFERRERS} referrers (CPU time of this process, first shopper included)")
    total_ms = 0.0
    for event in EVENTS:
        mean_ms = sum(cpu_ms[event]) / len(cpu_ms[event])
        steady = sorted(cpu_ms[event][1:] or cpu_ms[event])
        total_ms += sum(cpu_ms[event])
        print(f"  {event:<18} mean {mean_ms:7.2f} ms  median {steady[len(steady) // 2]:7.2f} ms"
              f"  queries {sum(queries[event]) / len(queries[event]):5.1f}/delivery"
              f"  ratio {mean_ms / base_ms:6.1f}x baseline")
    count = sum(len(v) for v in cpu_ms.values())
    print(f"  {'all':<18} mean {total_ms / count:7.2f} ms -> {1000 / (total_ms / count):6.0f} "
          f"deliveries/s per core")
    print(f"  baseline: insert of the raw delivery row, mean {base_ms:.3f} ms")
    if args.queries:
        for event in EVENTS:
            print(f"\n  most frequent statements of {event} (per delivery):")
            for shape, seen in shapes[event].most_common(args.queries):
                print(f"    {seen / len(queries[event]):5.1f}  {shape}")
    if profiler:
        print()
        if args.profile_file:
            profiler.dump_stats(args.profile_file)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
