"""A/B assignment: the same customer always lands in the same variant (by Saleor id, else by
e-mail), the weights hold over many customers, and another test's salt shuffles them afresh."""

from __future__ import annotations

import pytest

from rules.evaluate.variants import variant_key, variant_pick

HALVES = (("A", 1), ("B", 1))


def _share(weights, salt="spring", customers=20_000) -> float:
    picks = [variant_pick(salt=salt, key=f"email:c{n}@x.com", weights=weights)
             for n in range(customers)]
    return picks.count(weights[0][0]) / customers


def test_the_same_customer_always_gets_the_same_variant():
    key = variant_key(customer_id="VXNlcjo0Nw==", email="bob@x.com")
    first = variant_pick(salt="spring", key=key, weights=HALVES)
    assert {variant_pick(salt="spring", key=key, weights=HALVES) for _ in range(50)} == {first}


def test_by_customer_id_first_else_by_the_e_mail_as_written_in_any_case():
    assert variant_key(customer_id="VXNlcjo0Nw==", email="Bob@x.com") == "id:VXNlcjo0Nw=="
    assert variant_key(customer_id=None, email=" Bob@X.com ") == "email:bob@x.com"
    assert variant_key(customer_id="", email="") == ""


@pytest.mark.parametrize(("weights", "share"), [(HALVES, 0.5), ((("A", 1), ("B", 3)), 0.25),
                                                ((("A", 10), ("B", 20), ("C", 70)), 0.1)])
def test_weights_hold_over_many_customers(weights, share):
    assert abs(_share(weights) - share) < 0.015  # 20,000 customers: a few standard errors


def test_another_salt_shuffles_customers_afresh():
    keys = [f"email:c{n}@x.com" for n in range(5000)]
    same = sum(variant_pick(salt="spring", key=k, weights=HALVES)
               == variant_pick(salt="autumn", key=k, weights=HALVES) for k in keys)
    assert abs(same / len(keys) - 0.5) < 0.03


def test_weights_must_be_positive():
    with pytest.raises(ValueError, match="positive weights"):
        variant_pick(salt="s", key="k", weights=(("A", 0), ("B", 1)))
