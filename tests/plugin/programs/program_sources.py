"""Program texts shared by the program and dashboard tests (valid, failing example, broken)."""

VALID = """program "Spring referrals" currency USD

on order paid when referred:
    give referrer 10 USD

example "a referred order pays the referrer":
    order_total = 100 USD, referred
    expect referrer gets 10 USD
"""

VALID_V2 = VALID.replace("give referrer 10 USD", "give referrer 15 USD").replace(
    "expect referrer gets 10 USD", "expect referrer gets 15 USD"
)

FAILING_EXAMPLE = VALID.replace("expect referrer gets 10 USD", "expect referrer gets 99 USD")

BROKEN = """program "Spring referrals" currency USD

on order paid when referred:
    give referrer 10 USD + 5%
"""
