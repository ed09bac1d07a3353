"""Finding a voucher in Saleor by one of its codes: how a retry finds what an attempt made."""

from __future__ import annotations

from typing import Any


def voucher_by_code(*, client: Any, code: str) -> dict[str, Any] | None:
    """The voucher holding exactly `code` (codes are case-sensitive; the search is not)."""
    found = client.execute("vouchers_by_code", {"code": code}) or {}
    for edge in (found.get("vouchers") or {}).get("edges") or []:
        node = edge["node"]
        codes = [c["node"]["code"] for c in ((node.get("codes") or {}).get("edges") or [])]
        if code in codes or node.get("code") == code:
            return node
    return None
