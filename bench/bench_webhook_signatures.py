"""Benchmark: webhook JWS verification against a bare RSA check, over the captured deliveries.

Prints the time per delivery of `verify_webhook_signature` (header checks, JWKS lookup, PyJWT)
and of a hand-written baseline that only base64-decodes and runs the RSA verify, and their ratio.
Run: `.venv/bin/python bench/bench_webhook_signatures.py`
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from jwt.algorithms import RSAAlgorithm

from plugin.saleor.captures import captured_deliveries, captured_jwks
from plugin.saleor.signatures import verify_webhook_signature

ROUNDS = 20


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def main() -> None:
    jwks = captured_jwks()
    deliveries = [(d.body, d.signature) for d in captured_deliveries(variants=True) if d.is_jws]
    public_key = RSAAlgorithm.from_jwk(json.dumps(jwks["keys"][0]))

    def baseline() -> None:
        for body, signature in deliveries:
            header, _, sig = signature.split(".")
            public_key.verify(
                _b64decode(sig), header.encode() + b"." + body, padding.PKCS1v15(), hashes.SHA256()
            )

    def ours() -> None:
        for body, signature in deliveries:
            verify_webhook_signature(body=body, signature=signature, jwks=jwks)

    results = {}
    for name, run in (("baseline", baseline), ("verify_webhook_signature", ours)):
        run()  # warm-up (key parsing cache)
        start = time.perf_counter()
        for _ in range(ROUNDS):
            run()
        results[name] = (time.perf_counter() - start) / (ROUNDS * len(deliveries))
    for name, seconds in results.items():
        print(f"{name:26s} {seconds * 1e6:8.1f} µs per delivery")
    print(f"ratio ours/baseline: {results['verify_webhook_signature'] / results['baseline']:.2f}x "
          f"({len(deliveries)} deliveries x {ROUNDS} rounds)")


if __name__ == "__main__":
    main()
