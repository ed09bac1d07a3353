"""Syntax errors named by example (for Lark's `match_examples`) and a plain-words expected list."""

from __future__ import annotations

from typing import Any

# Each message is matched against the parser state the error happened in; the examples show
# the typical mistakes a merchant makes.
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    "missing ':' before the rule's body": [
        "on order paid\n    give referrer 5 USD\n",
        "on order paid when referred\n    give referrer 5 USD\n",
        "on checkout when referred give referee 10% off order\n",
    ],
    "expected a trigger such as `order paid`, `checkout` or `customer created`": [
        "on shipped:\n    give referrer 5 USD\n",
        "on order:\n    give referrer 5 USD\n",
        "on order shipped:\n    give referrer 5 USD\n",
        "on customer left:\n    give referrer 5 USD\n",
    ],
    "expected who gets the reward: referrer, referee, customer or affiliate": [
        "give friend 5 USD\n",
        "give 5 USD\n",
        "if referred give 5 USD\n",
        "on order paid:\n    give friend 5 USD\n",
    ],
    "expected a reward after `give <recipient>`, e.g. `50 USD`, `10%` or `100 points`": [
        "give referrer\n",
        "give referrer as gift card\n",
        "if referred give referrer\n",
        "on order paid:\n    give referrer\n",
    ],
    "expected a condition": [
        "if give referrer 5 USD\n",
        "on order paid when:\n    give referrer 5 USD\n",
        "if:\n    give referrer 5 USD\n",
    ],
    "expected a value after the operator": [
        "if order_total > give referrer 5 USD\n",
        "if order_total + give referrer 5 USD\n",
        "if referred and give referrer 5 USD\n",
        "let x = \n",
        "let x = 5 +\n",
    ],
    "`=` sets a value; compare with `==`": [
        "if order_total = 5 give referrer 5 USD\n",
        "on order paid when channel = \"eu\":\n    give referrer 5 USD\n",
    ],
    "an `if` needs `give …` or `:` and a block after its condition": [
        "if order_total > 5\n    give referrer 5 USD\n",
        "if referred\n",
        "if referred referrer 5 USD\n",
    ],
    "expected an indented block": [
        "on order paid:\ngive referrer 5 USD\n",
        "if referred:\ngive referrer 5 USD\n",
        "contest \"c\" from 2026-01-01 to 2026-01-31:\nscore referrals.paid\n",
    ],
    "unexpected indentation": [
        "give referrer 5 USD\n    give referrer 5 USD\n",
        "program \"x\"\n    give referrer 5 USD\n",
    ],
    "`else` or `elif` without a matching `if`": [
        "else 5 USD\n",
        "elif referred give referrer 5 USD\n",
        "on order paid:\n    else:\n        give referrer 5 USD\n",
    ],
    "unclosed parenthesis or bracket": [
        "if (order_total > 5 give referrer 5 USD\n",
        "let x = [\"a\", \"b\"\n",
        "let x = sum(line.total for line in lines\n",
    ],
    "a currency is a three-letter code in capitals, e.g. `50 USD`": [
        "give referrer 50 usd\n",
        "give referrer 50 dollars\n",
        "let x = 50 usd\n",
    ],
    "a rule starts with `on <trigger>`; a statement must be `give`, `if`, `let` or `hold`": [
        "order paid:\n    give referrer 5 USD\n",
        "referrer gets 5 USD\n",
        "reward referrer 5 USD\n",
        "x = 5\n",
    ],
    "expected the program's name in double quotes: program \"Spring referrals\"": [
        "program spring\n",
        "program\n",
    ],
    "a header names the currency as `currency USD`": [
        "program \"x\" USD\n",
        "program \"x\" currency usd\n",
    ],
    "a hold needs a number of days: `hold 30 days after fulfillment`": [
        "on order paid:\n    hold after fulfillment\n",
        "on order paid:\n    hold 30\n",
        "give referrer 5 USD hold 30\n",
    ],
    "a tier arm is `<amount>+ -> <reward>`, e.g. `500+ -> 50 USD`": [
        "give referrer tier order_total: 500 -> 50 USD\n",
        "give referrer tier order_total: 500+ 50 USD\n",
        "give referrer tier order_total:\n    500 -> 50 USD\n",
    ],
}

_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string in double quotes",
    "CURRENCY": "a currency code",
    "DATE": "a date (YYYY-MM-DD)",
    "_NL": "end of line",
    "_INDENT": "an indented block",
    "_DEDENT": "end of block",
    "COMP_OP": "a comparison",
    "$END": "end of program",
    "CANCELLED": "'cancelled'",
    "DAYS": "'days'",
    "WEEKS": "'weeks'",
    "PERIODS": "'periods'",
    "HOLD_EVENT": "'fulfillment' or 'payment'",
    "REWARDS": "'rewards'",
    "AGG": "'sum', 'count', 'any', 'all'",
}


def describe_expected(expected: set[str] | frozenset[str], parser: Any) -> str | None:
    """`expected one of: a name, a number, 'give'` in plain words, at most eight of them."""
    words: list[str] = []
    for name in sorted(expected):
        if name in _WORDS:
            words.append(_WORDS[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type == "str":
            words.append(f"'{pattern.value}'")
    words = sorted(set(words), key=lambda w: (w.startswith("'"), w))
    if not words:
        return None
    shown = ", ".join(words[:8]) + (", …" if len(words) > 8 else "")
    return f"expected {shown}"
