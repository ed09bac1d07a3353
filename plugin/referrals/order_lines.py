"""An order's lines as stored on `CustomerOrder.lines` (JSON), and back to full `OrderFacts`,
so backtests over stored orders can run line-based rules (products, categories, quantities)."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from plugin.saleor.mappers.orders import order_facts
from plugin.saleor.money import PayloadError
from rules.facts import LineFacts, OrderFacts
from rules.facts.money import Money, MoneyError
from rules.facts.values import FactsError, fact_money


def _line_json(line: LineFacts) -> dict[str, Any]:
    return {
        "product": line.product,
        "sku": line.sku,
        "name": line.product_name,
        "variant_id": line.variant_id,
        "category": line.category,
        "collections": list(line.collections),
        "quantity": line.quantity,
        "unit_price": str(line.unit_price.amount),  # exact decimal text, never a float
        "total": str(line.total_price.amount),
    }


def order_lines_of(order: dict[str, Any]) -> tuple[list[dict[str, Any]], Decimal | None,
                                                   Decimal | None]:
    """(lines as JSON, subtotal, shipping) of an order object; empty when it has no lines or
    the payload cannot be read (the order is still recorded, just not line by line)."""
    if not order.get("lines"):
        return [], None, None
    try:
        facts = order_facts(order)
    except (PayloadError, KeyError, TypeError, ValueError):
        return [], None, None
    return ([_line_json(line) for line in facts.lines], facts.subtotal.amount,
            facts.shipping.amount)


def _line_facts_made(product: Any, quantity: Any, unit_price: Any, total: Any, sku: Any,
                     name: Any, variant_id: Any, category: Any, collections: tuple,
                     currency: str) -> LineFacts:
    return LineFacts(
        product=product or "",
        quantity=int(quantity),
        unit_price=fact_money(unit_price, currency, "unit_price"),
        total_price=fact_money(total, currency, "total"),
        sku=sku,
        product_name=name or "",
        variant_id=variant_id,
        category=category,
        collections=collections,
    )


# Lines repeat across a shop's orders (the same product, price and quantity): facts are frozen,
# so one LineFacts serves them all and a backtest parses each price once, not once an order.
_line_facts_cached = functools.lru_cache(maxsize=8192)(_line_facts_made)


def _line_facts(line: dict[str, Any], currency: str, where: str) -> LineFacts:
    fields = (line.get("product"), line["quantity"], line["unit_price"], line["total"],
              line.get("sku"), line.get("name"), line.get("variant_id"), line.get("category"),
              tuple(line.get("collections") or ()), currency)
    try:
        try:
            return _line_facts_cached(*fields)
        except TypeError:  # a value that cannot be a cache key: made as it is, uncached
            return _line_facts_made(*fields)
    except FactsError as exc:  # the cached maker names the figure; the line's place is ours
        raise FactsError(f"{where}.{exc}") from exc


def stored_order_facts(row: Any) -> OrderFacts:
    """A stored `CustomerOrder` as the OrderFacts a program sees when it is paid, through the
    rules' one door for money (`fact_money`), as backtests replay it.

    Orders recorded before lines were kept have none: their subtotal is their total.
    Raises MoneyError for an order whose figures the rules cannot take (an unknown currency, an
    amount out of bounds), naming the figure.
    """
    currency = row.currency
    try:
        total = fact_money(row.total, currency, "order.total")
        lines = tuple(_line_facts(line, currency, f"order.lines[{index}]")
                      for index, line in enumerate(row.lines or ()))
        subtotal = (fact_money(row.subtotal, currency, "order.subtotal")
                    if row.subtotal is not None else total)
        shipping = (fact_money(row.shipping, currency, "order.shipping")
                    if row.shipping is not None else Money.zero(currency))
    except FactsError as exc:
        raise MoneyError(f"order {row.order_id}: {exc}") from exc
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise MoneyError(f"stored lines of order {row.order_id} are unreadable: {exc}") from exc
    return OrderFacts(id=row.order_id, currency=currency, total=total, subtotal=subtotal,
                      shipping=shipping, channel=row.channel or "", lines=lines,
                      number=row.number or None, created=row.created, is_paid=True)
