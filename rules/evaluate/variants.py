"""Which variant of an A/B test a customer lands in: a stable hash of the test's salt and the
customer's Saleor id (else their e-mail), spread over the variants by weight.

Pure and deterministic: the same customer gets the same variant on every device, in every
process and after every restart; another test (another salt) shuffles customers afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_SPREAD = 2**64  # the hash's first 8 bytes, as a point in [0, 2^64)


def variant_key(*, customer_id: str | None, email: str) -> str:
    """Whom the assignment follows: the Saleor customer, else the (trimmed, lower-case) e-mail;
    "" when there is neither."""
    if customer_id:
        return f"id:{customer_id}"
    email = email.strip().lower()
    return f"email:{email}" if email else ""


def variant_pick(*, salt: str, key: str, weights: Sequence[tuple[str, int]]) -> str:
    """The variant (by name) that `key` lands in; weights are positive whole numbers.

    The point is spread over the total weight with integer arithmetic (no float), so 1:1
    splits evenly and 1:3 gives a quarter, up to the hash's 2^-64 resolution."""
    if not weights or any(weight <= 0 for _, weight in weights):
        raise ValueError("variants need positive weights")
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).digest()
    total = sum(weight for _, weight in weights)
    point = int.from_bytes(digest[:8], "big") * total // _SPREAD
    for name, weight in weights:
        if point < weight:
            return name
        point -= weight
    return weights[-1][0]  # pragma: no cover - point < total always
