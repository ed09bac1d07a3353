"""The rules of `plugin.segments.rules` as SQL expressions, so one UPDATE scores every customer
of a shop (the nightly run) or the few an order touched (a webhook), with the same arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Least

from plugin.segments.rules import (
    CONVERTED_CAP,
    CONVERTED_POINTS,
    FREQUENCY_POINTS,
    MONETARY_POINTS,
    SEGMENT_POINTS,
    SEGMENT_RULES,
    UNKNOWN_CURRENCY_SCORE,
    SegmentRule,
)

_INT = IntegerField()


def score_expression(field: str, cuts: Sequence[Any]) -> Any:
    """1 + the number of cut points strictly below the field's value (as `score_against`)."""
    if not cuts:
        return Value(UNKNOWN_CURRENCY_SCORE, output_field=_INT)
    total: Any = Value(1, output_field=_INT)
    for cut in cuts:
        total = total + Case(When(**{f"{field}__gt": cut}, then=Value(1)), default=Value(0),
                             output_field=_INT)
    return total


def monetary_score_expression(cuts_by_currency: dict[str, Sequence[Any]]) -> Any:
    """Monetary scored among customers of the same currency (no exchange rates)."""
    whens = [When(currency=currency, then=score_expression("monetary", cuts))
             for currency, cuts in sorted(cuts_by_currency.items()) if cuts]
    default = Value(UNKNOWN_CURRENCY_SCORE, output_field=_INT)
    return Case(*whens, default=default, output_field=_INT) if whens else default


def _rule_condition(rule: SegmentRule) -> Q:
    low, high = rule.orders
    condition = Q(recency_score__gte=rule.recency[0], recency_score__lte=rule.recency[1],
                  frequency_score__gte=rule.frequency[0], frequency_score__lte=rule.frequency[1],
                  monetary_score__gte=rule.monetary[0], monetary_score__lte=rule.monetary[1],
                  orders__gte=low)
    return condition & Q(orders__lte=high) if high is not None else condition


def segment_expression() -> Any:
    """The first matching rule's name, from the stored scores (run after they are set)."""
    *ordered, last = SEGMENT_RULES
    return Case(*[When(_rule_condition(rule), then=Value(rule.name)) for rule in ordered],
                default=Value(last.name))


def advocate_score_expression() -> Any:
    """`rules.advocate_score` over the stored scores and converted referrals; the segment's
    points come from the same rule conditions, so it can be set in the segment's UPDATE."""
    *ordered, last = SEGMENT_RULES
    points = Case(*[When(_rule_condition(rule), then=Value(SEGMENT_POINTS[rule.name]))
                    for rule in ordered], default=Value(SEGMENT_POINTS[last.name]),
                  output_field=_INT)
    return (points + F("frequency_score") * FREQUENCY_POINTS
            + F("monetary_score") * MONETARY_POINTS
            + Least(F("converted"), Value(CONVERTED_CAP)) * CONVERTED_POINTS)
