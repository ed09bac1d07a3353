"""Saleor's answers that mean "already as wanted": a repeat of a change that had been made.

A retried delivery, or one whose payload is older than Saleor's state, asks for a change Saleor
already has. Saleor then answers with an error; these readers tell such an answer from a refusal,
so the caller records success instead of failing until the delivery is dead.
"""

from __future__ import annotations

from plugin.saleor.errors import SaleorMutationError


def promo_code_not_on_checkout(error: SaleorMutationError) -> bool:
    """`checkoutRemovePromoCode` for a code that is not (any more) on the checkout.

    Saleor 3.24 answers `INVALID: Cannot remove a voucher not attached to this checkout.` (and
    `NOT_FOUND` for a code or checkout it does not know): either way the code is off it.
    """
    return error.mutation == "checkoutRemovePromoCode" and bool(error.codes) and error.codes <= {
        "INVALID",
        "NOT_FOUND",
    }


def code_already_exists(error: SaleorMutationError) -> bool:
    """`voucherCreate` / `voucherUpdate(addCodes)` with a code Saleor already holds."""
    return "ALREADY_EXISTS" in error.codes


def already_deleted(error: SaleorMutationError) -> bool:
    """A delete of something Saleor no longer has."""
    return error.codes == {"NOT_FOUND"}
