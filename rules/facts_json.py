"""Facts to and from JSON (the CLI's `--facts` files, the dashboard sandbox); see FACTS.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rules.facts import (
    ContestFacts,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
)
from rules.money import Money, MoneyError, to_decimal


class FactsError(ValueError):
    """Facts JSON that does not describe an event; the message names the field."""


def _money(value: Any, currency: str, where: str) -> Money:
    try:
        if isinstance(value, dict):
            return Money.of(value["amount"], value.get("currency", currency))
        if isinstance(value, str) and " " in value.strip():
            amount, code = value.strip().rsplit(" ", 1)
            return Money.of(amount, code)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return Money.of(value, currency)
    except (MoneyError, KeyError, TypeError) as exc:
        raise FactsError(f"{where}: not money: {value!r} ({exc})") from exc
    raise FactsError(f"{where}: money is {{\"amount\": \"12.50\", \"currency\": \"USD\"}} or "
                     f"\"12.50 USD\", not {value!r}")


def _opt_money(value: Any, currency: str, where: str) -> Money | None:
    return None if value is None else _money(value, currency, where)


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise FactsError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from exc


def _int(value: Any, where: str, default: int | None = 0) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FactsError(f"{where}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise FactsError(f"{where}: expected a whole number, got {value!r}") from exc


def _obj(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FactsError(f"{where}: expected an object")
    return data


def facts_from_json(data: dict[str, Any]) -> Facts:
    """Facts from the JSON format in FACTS.md; raises FactsError naming the bad field."""
    data = _obj(data, "facts")
    try:
        trigger = Trigger(data.get("trigger", "order paid"))
    except ValueError as exc:
        names = ", ".join(t.value for t in Trigger)
        raise FactsError(f"trigger: unknown {data.get('trigger')!r}; one of {names}") from exc
    currency = str(data.get("currency", "USD"))
    try:
        to_decimal(0)
        Money.zero(currency)
    except MoneyError as exc:
        raise FactsError(f"currency: {exc}") from exc
    now_text = data.get("now")
    try:
        now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    except (TypeError, ValueError) as exc:
        raise FactsError(f"now: not an ISO date-time: {now_text!r}") from exc
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    channel = str(data.get("channel", "default-channel"))
    order = None
    if data.get("order") is not None:
        order = _order(_obj(data["order"], "order"), currency, channel)
    customer = None
    if data.get("customer") is not None:
        customer = _customer(_obj(data["customer"], "customer"), currency)
    referral = _referral(_obj(data.get("referral"), "referral"), currency)
    contest = _contest(_obj(data["contest"], "contest")) if data.get("contest") else None
    return Facts(trigger=trigger, now=now, channel=channel, currency=currency, order=order,
                 customer=customer, referral=referral, contest=contest)


def _contest(c: dict[str, Any]) -> ContestFacts:
    if isinstance(c.get("score"), float):
        raise FactsError("contest.score: floats are refused; write the score as a string")
    try:
        score = to_decimal(c.get("score", 0))
    except (MoneyError, ArithmeticError, TypeError, ValueError) as exc:
        raise FactsError(f"contest.score: not a number: {c.get('score')!r}") from exc
    rank = _int(c.get("rank"), "contest.rank", default=1)
    entrants = _int(c.get("entrants"), "contest.entrants", default=rank)
    return ContestFacts(name=str(c.get("name", "")), rank=rank or 1, score=score,
                        entrants=entrants or 0)


def _order(o: dict[str, Any], currency: str, channel: str) -> OrderFacts:
    lines = tuple(_line(_obj(line, f"order.lines[{i}]"), currency, i)
                  for i, line in enumerate(o.get("lines") or []))
    zero = Money.zero(currency)
    line_sum = sum((line.total_price for line in lines), zero)
    shipping = _opt_money(o.get("shipping"), currency, "order.shipping") or zero
    total = _opt_money(o.get("total"), currency, "order.total") or line_sum + shipping
    subtotal = _opt_money(o.get("subtotal"), currency, "order.subtotal") or total - shipping
    return OrderFacts(
        id=str(o.get("id", "order")), currency=currency, total=total, subtotal=subtotal,
        shipping=shipping, channel=str(o.get("channel", channel)), lines=lines,
        number=o.get("number"), voucher_code=o.get("voucher_code"),
        refunded=_opt_money(o.get("refunded"), currency, "order.refunded"),
        is_paid=bool(o.get("is_paid", False)),
    )


def _line(raw: dict[str, Any], currency: str, index: int) -> LineFacts:
    where = f"order.lines[{index}]"
    quantity = _int(raw.get("quantity", 1), f"{where}.quantity")
    unit = _opt_money(raw.get("unit_price"), currency, f"{where}.unit_price")
    total = _opt_money(raw.get("total"), currency, f"{where}.total")
    if unit is None and total is None:
        raise FactsError(f"{where}: needs unit_price or total")
    total = total or unit * quantity  # type: ignore[operator]
    unit = unit or (total * (Decimal(1) / quantity) if quantity else total)
    collections = raw.get("collections") or []
    if not isinstance(collections, list):
        raise FactsError(f"{where}.collections: expected a list of slugs")
    return LineFacts(
        product=str(raw.get("product", raw.get("sku", "product"))), quantity=quantity,
        unit_price=unit, total_price=total, sku=raw.get("sku"),
        product_name=str(raw.get("name", "")), variant_id=raw.get("variant_id"),
        category=raw.get("category"), collections=tuple(str(c) for c in collections),
    )


def _customer(c: dict[str, Any], currency: str) -> CustomerFacts:
    interval = c.get("usual_interval_days")
    orders = _int(c.get("orders"), "customer.orders")
    return CustomerFacts(
        email=str(c.get("email", "")), id=c.get("id"),
        is_new=bool(c.get("is_new", orders == 0)), orders=orders,
        orders_in_channel=_int(c.get("orders_in_channel"), "customer.orders_in_channel"),
        total_spent=_opt_money(c.get("total_spent"), currency, "customer.total_spent"),
        first_order=_date(c.get("first_order"), "customer.first_order"),
        last_order=_date(c.get("last_order"), "customer.last_order"),
        usual_interval=timedelta(days=_int(interval, "customer.usual_interval_days"))
        if interval is not None else None,
        periods_missed=_int(c.get("periods_missed"), "customer.periods_missed"),
    )


def _referral(r: dict[str, Any], currency: str) -> ReferralFacts:
    ref = _obj(r.get("referrer"), "referral.referrer")
    return ReferralFacts(
        is_referred=bool(r.get("is_referred", False)), code=r.get("code"),
        days_since=_int(r.get("days_since"), "referral.days_since", None),
        referrer=ReferrerFacts(
            id=ref.get("id"), email=ref.get("email"), orders=_int(ref.get("orders"),
                                                                  "referrer.orders"),
            total_spent=_opt_money(ref.get("total_spent"), currency, "referrer.total_spent"),
            referrals=_int(ref.get("referrals"), "referrer.referrals"),
            paid_referrals=_int(ref.get("paid_referrals"), "referrer.paid_referrals"),
            rewards_this_month=_int(ref.get("rewards_this_month"), "referrer.rewards_this_month"),
        ),
    )


def _m(money: Money | None) -> dict[str, str] | None:
    return None if money is None else {"amount": str(money.amount), "currency": money.currency}


def facts_to_json(facts: Facts) -> dict[str, Any]:
    """The inverse of `facts_from_json` (JSON-safe: Decimals as strings)."""
    out: dict[str, Any] = {"trigger": facts.trigger.value, "now": facts.now.isoformat(),
                           "channel": facts.channel, "currency": facts.currency}
    if facts.order is not None:
        o = facts.order
        out["order"] = {
            "id": o.id, "total": _m(o.total), "subtotal": _m(o.subtotal),
            "shipping": _m(o.shipping), "channel": o.channel, "number": o.number,
            "voucher_code": o.voucher_code, "refunded": _m(o.refunded), "is_paid": o.is_paid,
            "lines": [{"product": li.product, "sku": li.sku, "name": li.product_name,
                       "variant_id": li.variant_id, "category": li.category,
                       "collections": list(li.collections), "quantity": li.quantity,
                       "unit_price": _m(li.unit_price), "total": _m(li.total_price)}
                      for li in o.lines],
        }
    if facts.customer is not None:
        c = facts.customer
        out["customer"] = {
            "email": c.email, "id": c.id, "is_new": c.is_new, "orders": c.orders,
            "orders_in_channel": c.orders_in_channel, "total_spent": _m(c.total_spent),
            "first_order": c.first_order.isoformat() if c.first_order else None,
            "last_order": c.last_order.isoformat() if c.last_order else None,
            "usual_interval_days": c.usual_interval.days if c.usual_interval else None,
            "periods_missed": c.periods_missed,
        }
    r = facts.referral
    ref = r.referrer
    out["referral"] = {
        "is_referred": r.is_referred, "code": r.code, "days_since": r.days_since,
        "referrer": {"id": ref.id, "email": ref.email, "orders": ref.orders,
                     "total_spent": _m(ref.total_spent), "referrals": ref.referrals,
                     "paid_referrals": ref.paid_referrals,
                     "rewards_this_month": ref.rewards_this_month},
    }
    if facts.contest is not None:
        k = facts.contest
        out["contest"] = {"name": k.name, "rank": k.rank, "score": str(k.score),
                          "entrants": k.entrants}
    return out
