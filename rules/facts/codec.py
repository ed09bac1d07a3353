"""Facts to and from JSON (the CLI's `--facts` files, the dashboard sandbox); see FACTS.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rules.facts.fast import NotFast, facts_fast
from rules.facts.model import (
    NO_SEGMENT,
    SEGMENTS,
    ContestFacts,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
    periods_missed,
)
from rules.facts.money import Money, is_currency
from rules.facts.usage import usage_from_json, usage_in_step, usage_to_json
from rules.facts.values import (
    MAX_AMOUNT,
    MAX_DAYS,
    FactsError,
    fact_count,
    fact_decimal,
    fact_money,
)

__all__ = ["FactsError", "facts_from_json", "facts_from_json_in_full", "facts_to_json"]


MAX_LINES = 10_000
_MAX_TEXT = 1_000


def _money(value: Any, currency: str, where: str) -> Money:
    """`{"amount": "12.50", "currency": "USD"}`, `"12.50 USD"`, or a bare amount in the facts'
    currency; validated by `fact_money` and refused in another currency than the facts'."""
    code = currency
    if isinstance(value, dict):
        if "amount" not in value:
            raise FactsError(f"{where}: money needs an \"amount\"")
        code, value = value.get("currency", currency), value["amount"]
    elif isinstance(value, str) and " " in value.strip():
        value, code = value.strip().rsplit(" ", 1)
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        raise FactsError(f"{where}: money is {{\"amount\": \"12.50\", \"currency\": \"USD\"}} "
                         f"or \"12.50 USD\", not {type(value).__name__}")
    money = fact_money(value, code, where)
    if money.currency != currency:
        raise FactsError(f"{where}: {money} is not in the facts' currency {currency}")
    return money


def _opt_money(value: Any, currency: str, where: str) -> Money | None:
    return None if value is None else _money(value, currency, where)


def _sum(money: Money, where: str) -> Money:
    """A figure worked out from others (a line's total, the order's) stays within bounds."""
    if money.amount >= MAX_AMOUNT:
        raise FactsError(f"{where}: {money} is too large: facts hold amounts below "
                         f"{MAX_AMOUNT:,}")
    return money


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError as exc:
        raise FactsError(f"{where}: not a date (YYYY-MM-DD): {value!r}"[:200]) from exc


def _text(value: Any, where: str, default: str | None = None) -> str | None:
    """Text facts (ids, slugs, codes): a string, or a number written as one."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FactsError(f"{where}: expected text, got {type(value).__name__}")
    text = str(value)
    if len(text) > _MAX_TEXT:
        raise FactsError(f"{where}: longer than {_MAX_TEXT} characters")
    return text


def _segment(value: Any, where: str) -> str:
    """A segment name (FACTS.md); null or "" for none yet."""
    text = _text(value, where, NO_SEGMENT) or NO_SEGMENT
    if text not in SEGMENTS and text != NO_SEGMENT:
        raise FactsError(f"{where}: {text[:40]!r} is not a segment; one of {', '.join(SEGMENTS)}")
    return text


def _flag(value: Any, where: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FactsError(f"{where}: expected true or false, got {value!r}"[:200])
    return value


def _obj(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FactsError(f"{where}: expected an object")
    return data


def facts_from_json(data: dict[str, Any]) -> Facts:
    """Facts from the JSON format in FACTS.md; raises FactsError naming the bad field."""
    try:
        return usage_in_step(facts_fast(data))  # well-formed documents, in one pass
    except NotFast:
        return facts_from_json_in_full(data)


def facts_from_json_in_full(data: dict[str, Any]) -> Facts:
    """`facts_from_json` without its fast path: every value judged, defaults worked out."""
    data = _obj(data, "facts")
    trigger_name = data.get("trigger", "order paid")
    try:
        trigger = Trigger(trigger_name if isinstance(trigger_name, str) else "")
    except ValueError as exc:
        names = ", ".join(t.value for t in Trigger)
        raise FactsError(f"trigger: unknown {_text(trigger_name, 'trigger')!r}; one of "
                         f"{names}") from exc
    currency = _text(data.get("currency"), "currency", "USD")
    if not is_currency(currency):  # type: ignore[arg-type]
        raise FactsError(f"currency: unknown currency {currency!r}")
    now_text = data.get("now")
    try:
        now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    except (TypeError, ValueError) as exc:
        raise FactsError(f"now: not an ISO date-time: {now_text!r}"[:200]) from exc
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    channel = _text(data.get("channel"), "channel", "default-channel")
    order = None
    if data.get("order") is not None:
        order = _order(_obj(data["order"], "order"), currency, channel)  # type: ignore[arg-type]
    customer = None
    if data.get("customer") is not None:
        customer = _customer(_obj(data["customer"], "customer"), currency,  # type: ignore[arg-type]
                             now.date())
    referral = _referral(_obj(data.get("referral"), "referral"), currency)  # type: ignore[arg-type]
    contest = _contest(_obj(data["contest"], "contest")) if data.get("contest") else None
    usage = usage_from_json(data.get("usage"), currency)  # type: ignore[arg-type]
    return usage_in_step(Facts(trigger=trigger, now=now, channel=channel, currency=currency,  # type: ignore[arg-type]
                               order=order, customer=customer, referral=referral,
                               contest=contest, usage=usage))


def _contest(c: dict[str, Any]) -> ContestFacts:
    score = fact_decimal(c.get("score", 0), "contest.score")
    rank = fact_count(c.get("rank"), "contest.rank", default=1, low=1)
    entrants = fact_count(c.get("entrants"), "contest.entrants", default=rank)
    return ContestFacts(name=_text(c.get("name"), "contest.name", ""), rank=rank,  # type: ignore[arg-type]
                        score=score, entrants=entrants)  # type: ignore[arg-type]


def _order(o: dict[str, Any], currency: str, channel: str) -> OrderFacts:
    raw_lines = o.get("lines") or []
    if not isinstance(raw_lines, list) or len(raw_lines) > MAX_LINES:
        raise FactsError(f"order.lines: expected a list of at most {MAX_LINES:,} lines")
    lines = tuple(_line(_obj(line, f"order.lines[{i}]"), currency, i)
                  for i, line in enumerate(raw_lines))
    zero = Money.zero(currency)
    shipping = _opt_money(o.get("shipping"), currency, "order.shipping") or zero
    total = _opt_money(o.get("total"), currency, "order.total") or _sum(
        sum((line.total_price for line in lines), zero) + shipping, "order.total")
    subtotal = _opt_money(o.get("subtotal"), currency, "order.subtotal") or (
        max(total - shipping, zero))
    return OrderFacts(
        id=_text(o.get("id"), "order.id", "order"), currency=currency, total=total,  # type: ignore[arg-type]
        subtotal=subtotal, shipping=shipping,
        channel=_text(o.get("channel"), "order.channel", channel),  # type: ignore[arg-type]
        lines=lines, number=_text(o.get("number"), "order.number"),
        voucher_code=_text(o.get("voucher_code"), "order.voucher_code"),
        refunded=_opt_money(o.get("refunded"), currency, "order.refunded"),
        is_paid=_flag(o.get("is_paid"), "order.is_paid"),
    )


def _line(raw: dict[str, Any], currency: str, index: int) -> LineFacts:
    where = f"order.lines[{index}]"
    quantity = fact_count(raw.get("quantity", 1), f"{where}.quantity")
    unit = _opt_money(raw.get("unit_price"), currency, f"{where}.unit_price")
    total = _opt_money(raw.get("total"), currency, f"{where}.total")
    if unit is None and total is None:
        raise FactsError(f"{where}: needs unit_price or total")
    total = total or _sum(unit * quantity, f"{where}.total")  # type: ignore[operator]
    unit = unit or (total * (Decimal(1) / quantity) if quantity else total)
    collections = raw.get("collections") or []
    if not isinstance(collections, list):
        raise FactsError(f"{where}.collections: expected a list of slugs")
    sku = _text(raw.get("sku"), f"{where}.sku")
    return LineFacts(
        product=_text(raw.get("product"), f"{where}.product", sku or "product"),  # type: ignore[arg-type]
        quantity=quantity, unit_price=unit, total_price=total, sku=sku,  # type: ignore[arg-type]
        product_name=_text(raw.get("name"), f"{where}.name", ""),  # type: ignore[arg-type]
        variant_id=_text(raw.get("variant_id"), f"{where}.variant_id"),
        category=_text(raw.get("category"), f"{where}.category"),
        collections=tuple(_text(c, f"{where}.collections[{i}]", "")  # type: ignore[misc]
                          for i, c in enumerate(collections)),
    )


def _customer(c: dict[str, Any], currency: str, today: date) -> CustomerFacts:
    interval = fact_count(c.get("usual_interval_days"), "customer.usual_interval_days",
                          default=None, high=MAX_DAYS)
    orders = fact_count(c.get("orders"), "customer.orders")
    last_order = _date(c.get("last_order"), "customer.last_order")
    missed = fact_count(c.get("periods_missed"), "customer.periods_missed", default=None)
    if missed is None:  # worked out as the app does, from the last order and the usual interval
        missed = periods_missed(today - last_order, timedelta(days=interval)) if (
            last_order is not None and interval) else 0
    return CustomerFacts(
        email=_text(c.get("email"), "customer.email", ""), id=_text(c.get("id"), "customer.id"),  # type: ignore[arg-type]
        is_new=_flag(c.get("is_new"), "customer.is_new", orders == 0),
        orders=orders,  # type: ignore[arg-type]
        orders_in_channel=fact_count(c.get("orders_in_channel"), "customer.orders_in_channel"),  # type: ignore[arg-type]
        total_spent=_opt_money(c.get("total_spent"), currency, "customer.total_spent"),
        first_order=_date(c.get("first_order"), "customer.first_order"),
        last_order=last_order,
        usual_interval=timedelta(days=interval) if interval is not None else None,
        periods_missed=missed,
        segment=_segment(c.get("segment"), "customer.segment"),
    )


def _referral(r: dict[str, Any], currency: str) -> ReferralFacts:
    ref = _obj(r.get("referrer"), "referral.referrer")
    return ReferralFacts(
        is_referred=_flag(r.get("is_referred"), "referral.is_referred"),
        code=_text(r.get("code"), "referral.code"),
        days_since=fact_count(r.get("days_since"), "referral.days_since", default=None,
                              high=MAX_DAYS),
        referrer=ReferrerFacts(
            id=_text(ref.get("id"), "referrer.id"), email=_text(ref.get("email"),
                                                                 "referrer.email"),
            orders=fact_count(ref.get("orders"), "referrer.orders"),  # type: ignore[arg-type]
            total_spent=_opt_money(ref.get("total_spent"), currency, "referrer.total_spent"),
            referrals=fact_count(ref.get("referrals"), "referrer.referrals"),  # type: ignore[arg-type]
            paid_referrals=fact_count(ref.get("paid_referrals"), "referrer.paid_referrals"),  # type: ignore[arg-type]
            rewards_this_month=fact_count(ref.get("rewards_this_month"),  # type: ignore[arg-type]
                                          "referrer.rewards_this_month"),
            segment=_segment(ref.get("segment"), "referrer.segment"),
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
            "periods_missed": c.periods_missed, "segment": c.segment,
        }
    r = facts.referral
    ref = r.referrer
    out["referral"] = {
        "is_referred": r.is_referred, "code": r.code, "days_since": r.days_since,
        "referrer": {"id": ref.id, "email": ref.email, "orders": ref.orders,
                     "total_spent": _m(ref.total_spent), "referrals": ref.referrals,
                     "paid_referrals": ref.paid_referrals,
                     "rewards_this_month": ref.rewards_this_month, "segment": ref.segment},
    }
    if facts.usage.rewards or facts.usage.spent:
        out["usage"] = usage_to_json(facts.usage)
    if facts.contest is not None:
        k = facts.contest
        out["contest"] = {"name": k.name, "rank": k.rank, "score": str(k.score),
                          "entrants": k.entrants}
    return out
