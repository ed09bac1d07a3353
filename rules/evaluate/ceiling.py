"""The most one reward may be worth (`ceiling 1000 USD`), and its default per currency.

A program's per-reward ceiling catches what the static bound cannot (amounts computed from
facts, a typo of a few zeros). Without a `ceiling` line it is the default of the facts'
currency: about 1,000 US dollars, rounded to a figure a merchant recognises. Currencies the
table does not name get `FALLBACK_UNITS` of their own unit; write `ceiling …` to set it.
"""

from __future__ import annotations

from decimal import Decimal

from rules.facts import Money

FALLBACK_UNITS = Decimal(1_000_000)

# Round figures near 1,000 USD; stable on purpose (not exchange rates): a default a merchant
# can read once and rely on. Edit with care: programs without a `ceiling` line follow it.
DEFAULT_CEILINGS: dict[str, Decimal] = {code: Decimal(amount) for code, amount in {
    "USD": 1000, "EUR": 1000, "GBP": 1000, "CHF": 1000, "CAD": 1500, "AUD": 1500,
    "NZD": 1500, "SGD": 1500, "HKD": 8000, "JPY": 150000, "CNY": 7000, "TWD": 30000,
    "KRW": 1500000, "INR": 80000, "IDR": 15000000, "THB": 35000, "PHP": 60000,
    "MYR": 5000, "VND": 25000000, "PKR": 300000, "AED": 4000, "SAR": 4000, "QAR": 4000,
    "ILS": 4000, "KWD": 300, "BHD": 400, "OMR": 400, "JOD": 700, "TRY": 40000,
    "EGP": 50000, "NGN": 1500000, "KES": 150000, "ZAR": 20000, "PLN": 4000, "CZK": 25000,
    "HUF": 400000, "RON": 5000, "BGN": 2000, "SEK": 10000, "NOK": 10000, "DKK": 7000,
    "ISK": 150000, "UAH": 40000, "BRL": 5000, "MXN": 20000, "CLP": 1000000,
    "COP": 4000000, "PEN": 4000,
}.items()}


def default_ceiling(currency: str) -> Money:
    """The per-reward ceiling of a program in `currency` that sets none."""
    return Money.of(DEFAULT_CEILINGS.get(currency, FALLBACK_UNITS), currency)
