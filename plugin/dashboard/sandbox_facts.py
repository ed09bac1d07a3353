"""The sandbox form's facts (plain JSON the merchant edits) to and from the language's Facts,
which the language's own JSON builder makes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plugin.dashboard.http import BadRequest
from rules.facts import NO_SEGMENT, SEGMENTS, Facts, OrderFacts, Trigger
from rules.facts.codec import facts_from_json
from rules.facts.money import Money, is_currency
from rules.facts.values import FactsError, fact_count, fact_money

MAX_LINES = 200
_TRIGGERS = {trigger.value: trigger for trigger in Trigger}


def _money(value: Any, currency: str, where: str) -> Money:
    """The form's amount (empty means zero), through the language's one door for money."""
    if (isinstance(value, str) and not value.strip()) or value is None:
        value = "0"
    try:
        return fact_money(value, currency, where)
    except FactsError as exc:
        raise BadRequest(str(exc)) from exc


def _count(value: Any, where: str, *, low: int = 0) -> int:
    try:
        return fact_count(value if value != "" else None, where, low=low, default=low)  # type: ignore[return-value]
    except FactsError as exc:
        raise BadRequest(str(exc)) from exc


def _text(value: Any, where: str, *, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        raise BadRequest(f"{where}: longer than {limit} characters")
    return text.strip()


def _segment(value: Any, where: str) -> str:
    segment = _text(value, where, limit=40)
    if segment not in SEGMENTS and segment != NO_SEGMENT:
        raise BadRequest(f"{where}: {segment!r} is not one of {', '.join(SEGMENTS)}")
    return segment


def _segment(value: Any, where: str) -> str:
    segment = _text(value, where, limit=40)
    if segment not in SEGMENTS and segment != NO_SEGMENT:
        raise BadRequest(f"{where}: {segment!r} is not one of {', '.join(SEGMENTS)}")
    return segment


def _object(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest(f"{where} must be an object")
    return data


def _amount(value: Any, currency: str, where: str) -> dict[str, str]:
    money = _money(value, currency, where)
    return {"amount": str(money.amount), "currency": money.currency}


def facts_from_form(form: Any, *, now: datetime | None = None) -> Facts:
    """Facts for one evaluation from the sandbox form; errors name the field as the form does.

    The form's fields are checked here, in its own words; the facts are then built by the
    language's one builder (`facts_from_json`, as the CLI's `--facts` files are)."""
    form = _object(form, "facts")
    currency = _text(form.get("currency") or "USD", "currency", limit=3).upper()
    if not is_currency(currency):
        raise BadRequest(f"currency: {currency!r} is not an ISO 4217 currency")
    trigger_name = _text(form.get("trigger") or "order paid", "trigger")
    trigger = _TRIGGERS.get(trigger_name)
    if trigger is None:
        raise BadRequest(f"trigger: {trigger_name!r} is not one of {', '.join(_TRIGGERS)}")
    channel = _text(form.get("channel") or "default-channel", "channel")

    order_data = _object(form.get("order"), "order")
    lines_data = order_data.get("lines") or []
    if not isinstance(lines_data, list) or len(lines_data) > MAX_LINES:
        raise BadRequest(f"order.lines must be a list of at most {MAX_LINES} lines")
    lines = []
    for index, raw in enumerate(lines_data, start=1):
        line = _object(raw, f"line {index}")
        quantity = _count(line.get("quantity", 1), f"line {index} quantity", low=1)
        unit = _money(line.get("unit_price"), currency, f"line {index} unit price")
        collections = line.get("collections") or []
        lines.append({
            "product": _text(line.get("product"), f"line {index} product"),
            "quantity": quantity,
            "unit_price": _amount(unit.amount, currency, f"line {index} unit price"),
            "total": _amount(unit.amount * quantity, currency, f"line {index} total"),
            "sku": _text(line.get("sku"), f"line {index} sku") or None,
            "category": _text(line.get("category"), f"line {index} category") or None,
            "collections": [_text(c, f"line {index} collection") for c in collections
                            if isinstance(c, str)],
        })
    order = {
        "id": _text(order_data.get("id") or "sandbox-order", "order id"),
        "total": _amount(order_data.get("total"), currency, "order total"),
        "subtotal": _amount(order_data.get("subtotal", order_data.get("total")), currency,
                            "subtotal"),
        "shipping": _amount(order_data.get("shipping"), currency, "shipping"),
        "lines": lines,
        "voucher_code": _text(order_data.get("voucher_code"), "voucher code") or None,
        "is_paid": trigger not in (Trigger.CHECKOUT, Trigger.ORDER_CREATED),
    }

    customer_data = _object(form.get("customer"), "customer")
    earlier = _count(customer_data.get("orders"), "earlier orders")
    in_channel = _count(customer_data.get("orders_in_channel"), "earlier orders in this channel")
    if in_channel > earlier:
        raise BadRequest(f"earlier orders in this channel: {in_channel} is more than the "
                         f"{earlier} earlier orders in all channels")
    customer = {
        "email": _text(customer_data.get("email") or "customer@example.com", "customer e-mail"),
        "orders": earlier,
        "orders_in_channel": in_channel,
        "total_spent": _amount(customer_data.get("total_spent"), currency, "total spent"),
        "periods_missed": _count(customer_data.get("periods_missed"), "periods missed"),
        "segment": _segment(customer_data.get("segment"), "customer segment"),
    }

    referral_data = _object(form.get("referral"), "referral")
    referrer_data = _object(referral_data.get("referrer"), "referrer")
    referral = {
        "is_referred": bool(referral_data.get("is_referred")),
        "code": _text(referral_data.get("code"), "referral code") or None,
        "days_since": _count(referral_data.get("days_since"), "days since referral"),
        "referrer": {
            "email": _text(referrer_data.get("email"), "referrer e-mail") or None,
            "orders": _count(referrer_data.get("orders"), "referrer orders"),
            "referrals": _count(referrer_data.get("referrals"), "referrer referrals"),
            "paid_referrals": _count(referrer_data.get("paid_referrals"),
                                     "referrer paid referrals"),
            "rewards_this_month": _count(referrer_data.get("rewards_this_month"),
                                         "rewards this month"),
            "segment": _segment(referrer_data.get("segment"), "referrer segment"),
        },
    }
    try:
        return facts_from_json({
            "trigger": trigger.value, "now": (now or datetime.now(tz=UTC)).isoformat(),
            "channel": channel, "currency": currency, "order": order, "customer": customer,
            "referral": referral,
            # what limits and budgets already counted, as in a facts file (rules/FACTS.md)
            "usage": form.get("usage") or None,
        })
    except FactsError as exc:
        raise BadRequest(str(exc)) from exc


def form_from_order(order: OrderFacts, *, email: str = "", segment: str = NO_SEGMENT
                    ) -> dict[str, Any]:
    """A sandbox form filled from a real order of the shop (not referred until said so), with
    its customer's segment as the shop has it now."""
    return {
        "trigger": "order paid",
        "channel": order.channel,
        "currency": order.currency,
        "order": {
            "id": order.id,
            "total": str(order.total.amount),
            "subtotal": str(order.subtotal.amount),
            "shipping": str(order.shipping.amount),
            "voucher_code": order.voucher_code or "",
            "lines": [
                {"product": line.product, "sku": line.sku or "", "category": line.category or "",
                 "collections": list(line.collections), "quantity": line.quantity,
                 "unit_price": str(line.unit_price.amount)}
                for line in order.lines
            ],
        },
        "customer": {"email": email, "orders": 0, "orders_in_channel": 0, "total_spent": "0",
                     "segment": segment},
        "referral": {"is_referred": False, "code": "", "days_since": 0,
                     "referrer": {"email": "", "orders": 0, "paid_referrals": 0, "referrals": 0,
                                  "segment": NO_SEGMENT}},
    }
