"""Faults on the production stack, the short version (bench/faults.py is the long one): while
shoppers' orders are paid, Celery workers are killed at random points, PostgreSQL and Redis
restart, and the stand-in Saleor answers 5xx, then times out (with and without doing the work).
Afterwards every reward exists in Saleor exactly once, nothing is left waiting, and whatever died
on the way was shown in the dashboard's dead letters and retried from there.
Runs when TEST_STACK=1 (`scripts/test-production-stack`)."""

from __future__ import annotations

import os

import pytest
from fault_run import FaultPlan, fault_run

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(
        os.environ.get("TEST_STACK") != "1",
        reason="the production stack runs with TEST_STACK=1 (scripts/test-production-stack)",
    ),
]
SEED = int(os.environ.get("FAULT_SEED", "13"))


def test_rewards_are_issued_exactly_once_through_kills_restarts_and_saleor_trouble(tmp_path):
    plan = FaultPlan(orders=16, kills=5, seconds=40, seed=SEED, settle_seconds=100)

    report = fault_run(tmp_path, plan)

    print(f"seed {SEED}: {report}")
    assert len(report.kills) == plan.kills
    assert report.gift_cards == report.vouchers == plan.orders
