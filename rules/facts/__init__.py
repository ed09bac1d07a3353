"""What the language reads: facts of one event, the fact catalogue (`schema`), money, and the
readers that turn JSON into facts. The lowest phase: it imports nothing else of `rules`.
"""

from rules.facts.codec import facts_from_json, facts_to_json
from rules.facts.frozen import quick_init
from rules.facts.model import (
    NO_SEGMENT,
    SEGMENTS,
    USAGE_PERIODS,
    USAGE_RECIPIENTS,
    ContestFacts,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
    UsageFacts,
    first_order_in_channel,
    periods_missed,
)
from rules.facts.money import Money, MoneyError, is_currency, minor_units, quantum
from rules.facts.schema import (
    ALIASES,
    CONTEST_ENTRANTS,
    CONTEST_FACTS,
    CONTEST_SCORES,
    FACTS,
    LINE_FIELDS,
    MONEY_SCORES,
    NUMERIC,
    ORDER_TRIGGERS,
    PERIODS,
    TIE_BREAKS,
    Missing,
    Type,
    fact_named,
)
from rules.facts.usage import usage_in_step
from rules.facts.values import FactsError

__all__ = [
    "ALIASES", "CONTEST_ENTRANTS", "CONTEST_FACTS", "CONTEST_SCORES", "FACTS", "LINE_FIELDS",
    "MONEY_SCORES", "NO_SEGMENT", "NUMERIC", "ORDER_TRIGGERS", "PERIODS", "SEGMENTS", "TIE_BREAKS",
    "USAGE_PERIODS",
    "USAGE_RECIPIENTS", "ContestFacts", "CustomerFacts", "Facts", "FactsError", "LineFacts",
    "Missing", "Money", "MoneyError", "OrderFacts", "ReferralFacts", "ReferrerFacts", "Trigger",
    "Type", "UsageFacts", "fact_named", "facts_from_json", "facts_to_json",
    "first_order_in_channel",
    "is_currency", "minor_units", "periods_missed", "quantum", "quick_init", "usage_in_step",
]
