"""Orders and checkouts from Saleor payloads → the rules package's `OrderFacts`.

The same functions read webhook payloads and `order_get` / `checkout_get` results, whose
fragments are subsets of the captured subscriptions.
"""

from __future__ import annotations

from typing import Any

from plugin.saleor.mappers.common import parse_datetime, slug_of, unwrap
from plugin.saleor.money import PayloadError, money_from, optional_money
from rules.facts import LineFacts, OrderFacts
from rules.facts.money import Money

_PAID_CHARGE_STATUSES = frozenset({"FULL", "OVERCHARGED"})


def _currency(obj: dict[str, Any], total_key: str) -> str:
    channel = obj.get("channel") or {}
    code = channel.get("currencyCode") if isinstance(channel, dict) else None
    if not code:
        total = obj.get(total_key) or {}
        code = total.get("currency") if isinstance(total, dict) else None
    if not isinstance(code, str):
        raise PayloadError("cannot tell the currency")
    return code


def _channel_slug(obj: dict[str, Any]) -> str:
    slug = slug_of(obj.get("channel"))
    if not slug:
        raise PayloadError("payload has no channel slug")
    return slug


def _line(line: dict[str, Any], currency: str, *, sku: str | None, name: str,
          where: str) -> LineFacts:
    variant = line.get("variant") or {}
    product = variant.get("product") or {}
    quantity = line.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise PayloadError(f"line quantity is not a count: {quantity!r}")
    return LineFacts(
        product=product.get("slug") or "",  # empty when the product was deleted since
        quantity=quantity,
        unit_price=money_from(line.get("unitPrice"), currency, f"{where}.unit_price"),
        total_price=money_from(line.get("totalPrice"), currency, f"{where}.total"),
        sku=sku,
        product_name=name,
        variant_id=variant.get("id") or line.get("productVariantId"),
        category=slug_of(product.get("category")),
        collections=tuple(
            slug for c in product.get("collections") or () if (slug := slug_of(c))
        ),
    )


def order_facts(order_payload: Any) -> OrderFacts:
    """An ORDER_* payload (or an order object) → OrderFacts; money stays Decimal."""
    order = unwrap(order_payload, "order")
    currency = _currency(order, "total")
    lines = tuple(
        _line(
            line,
            currency,
            sku=line.get("productSku") or ((line.get("variant") or {}).get("sku")),
            name=line.get("productName") or "",
            where=f"order.lines[{index}]",
        )
        for index, line in enumerate(order.get("lines") or ())
    )
    return OrderFacts(
        id=order["id"],
        currency=currency,
        total=money_from(order.get("total"), currency, "order.total"),
        subtotal=money_from(order.get("subtotal"), currency, "order.subtotal"),
        shipping=optional_money(order.get("shippingPrice"), currency, "order.shipping")
        or Money.zero(currency),
        channel=_channel_slug(order),
        lines=lines,
        number=str(order["number"]) if order.get("number") is not None else None,
        created=parse_datetime(order.get("created")),
        voucher_code=order.get("voucherCode"),
        refunded=optional_money(order.get("totalRefunded"), currency, "order.refunded"),
        is_paid=order.get("isPaid") is True,
    )


def checkout_facts(checkout_payload: Any) -> OrderFacts:
    """A CHECKOUT_* payload (or a checkout object) → OrderFacts with the checkout's id."""
    checkout = unwrap(checkout_payload, "checkout")
    currency = _currency(checkout, "totalPrice")
    lines = tuple(
        _line(
            line,
            currency,
            sku=(line.get("variant") or {}).get("sku"),
            name=((line.get("variant") or {}).get("product") or {}).get("name") or "",
            where=f"checkout.lines[{index}]",
        )
        for index, line in enumerate(checkout.get("lines") or ())
    )
    return OrderFacts(
        id=checkout["id"],
        currency=currency,
        total=money_from(checkout.get("totalPrice"), currency, "checkout.total"),
        subtotal=money_from(checkout.get("subtotalPrice"), currency, "checkout.subtotal"),
        shipping=optional_money(checkout.get("shippingPrice"), currency, "checkout.shipping")
        or Money.zero(currency),
        channel=_channel_slug(checkout),
        lines=lines,
        number=None,
        created=parse_datetime(checkout.get("created")),
        voucher_code=checkout.get("voucherCode"),
        refunded=None,
        is_paid=checkout.get("chargeStatus") in _PAID_CHARGE_STATUSES,
    )
