"""Deliveries for one checkout processed at the same moment (PostgreSQL): one code, one row."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from plugin.install.http import use_saleor_transport
from plugin.install.models import Installation
from plugin.referrals.models import CheckoutDiscount, Referral
from plugin.saleor.captures import captured_delivery, captured_jwks
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.checkout_discount import checkout_discount_reconcile
from tests.plugin.referrals.doubles import discount_fake
from tests.plugin.referrals.test_referrals_checkout_discount import FIRST_ORDER

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_checkout_deliveries_make_one_code():
    shop = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:8000/graphql/", jwks=captured_jwks()
    )
    fake = discount_fake()
    with use_saleor_transport(fake.transport):  # ALICE-REF's own voucher goes to the fake too
        for number in (1, 2):  # Alice, then Bob who signed up with ALICE-REF
            customer_referral_sync(
                installation=shop, payload=captured_delivery("CUSTOMER_CREATED", number).payload
            )
    fake.requests.clear()

    def voucher_create(variables):
        time.sleep(0.2)  # widen the window in which a second worker could slip in
        voucher = {"id": "Vm91Y2hlcjo5", "code": variables["input"]["addCodes"][0]}
        return {"voucherCreate": {"voucher": voucher, "errors": []}}

    fake.on("voucher_create", voucher_create)
    barrier, errors = threading.Barrier(4), []

    def worker(number: int) -> None:
        try:
            barrier.wait()
            checkout_discount_reconcile(
                installation=shop,
                client=fake.client(retries=0),
                payload=captured_delivery("CHECKOUT_UPDATED", number).payload,
                program=FIRST_ORDER,
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(fake.calls("voucher_create")) == 1
    assert (
        CheckoutDiscount.objects.count() == 1
        and Referral.objects.exclude(checkout_id="").count() == 1
    )
