"""Hypothesis strategies for the compiler's property tests: random valid programs and random facts.

Programs are written type by type (money, ints, percents, conditions, aggregates over lines, lets,
if/elif/else, inline continuations, tiers, caps) so almost every one checks;
`test_compiler_strategies.py` keeps the generator honest about that.
"""

from __future__ import annotations

from hypothesis import strategies as st

from rules.facts import (
    Trigger,
)
from rules.facts.schema import ORDER_TRIGGERS

CURRENCIES = {"USD": 2, "JPY": 0, "KWD": 3}
CHANNELS = ["web", "app", "pos"]
CATEGORIES = ["shoes", "hats", "sale"]
SKUS = ["A", "B", "GIFT"]
COMPARISONS = ["==", "!=", "<", "<=", ">", ">="]
RECIPIENTS = ["referrer", "referee", "customer"]
TRIGGER_TEXT = {
    Trigger.CHECKOUT: "checkout", Trigger.ORDER_CREATED: "order created",
    Trigger.ORDER_PAID: "order paid", Trigger.ORDER_FULFILLED: "order fulfilled",
    Trigger.ORDER_CANCELLED: "order cancelled", Trigger.ORDER_REFUNDED: "order refunded",
    Trigger.CUSTOMER_CREATED: "customer created",
}
MONEY_FACTS = ["order_total", "order_subtotal", "order_shipping", "customer.total_spent",
               "referrer.total_spent", "order.refunded"]
INT_FACTS = ["customer.orders", "customer.orders_in_channel", "referrer.orders",
             "referrer.referrals", "referrer.paid_referrals", "customer.periods_missed",
             "customer.days_since_last_order", "referral.days_since"]
SEGMENT_NAMES = ["champions", "new", "asleep", ""]
BOOL_FACTS = ["referred", "customer.is_new", "customer.is_guest", "order.is_paid"]


SOME_CHANNELS = st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3)

# Programs and facts both draw from these often, so values meet their thresholds exactly.
ROUND_VALUES = [0, 1, 5, 10, 20, 50, 100, 200, 250, 500, 1000]


def decimal_text(draw, places: int, high: int = 2000) -> str:
    if draw(st.booleans()):
        return str(draw(st.sampled_from(tuple(v for v in ROUND_VALUES if v <= high))))
    whole = draw(st.integers(0, high))
    if places == 0 or draw(st.booleans()):
        return str(whole)
    return f"{whole}.{draw(st.integers(0, 10**places - 1)):0{places}d}"


class ProgramWriter:
    """Writes one program's text with hypothesis' `draw`; names bound by `let` are typed."""

    def __init__(self, draw, currency: str) -> None:
        self.draw = draw
        self.currency = currency
        self.places = CURRENCIES[currency]
        self.trigger = Trigger.ORDER_PAID
        self.lets: list[dict[str, str]] = [{}]
        self.counter = 0

    def pick(self, options):
        # A tuple, so hypothesis builds each choice's strategy once and reuses it.
        return self.draw(st.sampled_from(tuple(options)))

    def chance(self, p: float = 0.5) -> bool:
        return self.draw(st.integers(0, 99)) < p * 100

    def bound(self, kind: str) -> list[str]:
        return [name for scope in self.lets for name, k in scope.items() if k == kind]

    # ---- expressions, one method per type; `line` names the aggregate variable in scope
    def money(self, depth: int, line: str | None = None) -> str:
        leaves = [*MONEY_FACTS, *self.bound("money")]
        if line:
            leaves += [f"{line}.total", f"{line}.price"]
        if depth <= 0 or self.chance(0.4):
            if self.chance(0.4):
                return f"{decimal_text(self.draw, self.places)} {self.currency}"
            return self.pick(leaves)
        form = self.draw(st.integers(0, 9))
        d = depth - 1
        if form == 0:
            return f"({self.money(d, line)} + {self.money(d, line)})"
        if form == 1:
            return f"({self.money(d, line)} - {self.money(d, line)})"
        if form == 2:
            return f"({self.money(d, line)} * {self.integer(d, line)})"
        if form == 3:
            return f"({self.percent(d)} of {self.money(d, line)})"
        if form == 4:
            divisor = self.pick(["3", "4", "7", "2.5"]) if self.chance(0.7) else self.integer(d)
            return f"({self.money(d, line)} / {divisor})"
        if form == 5:
            return f"{self.pick(['min', 'max'])}({self.money(d, line)}, {self.money(d, line)})"
        if form == 6:
            return f"({self.money(d, line)} * {self.percent(d)})"
        if form == 7 and not line:
            var = self.pick(["line", "l"])
            where = f" where {self.line_bool(d, var)}" if self.chance(0.7) else ""
            item = self.pick([f"{var}.total", f"{var}.price", f"({var}.price * {var}.quantity)"])
            return f"sum({item} for {var} in lines{where})"
        if form == 8 and not line:
            return f"sum(lines where {self.line_bool(d, 'line')})"
        return f"({self.money(d, line)} + {decimal_text(self.draw, 0, 50)})"

    def integer(self, depth: int, line: str | None = None) -> str:
        leaves = [*INT_FACTS, *self.bound("int")]
        if line:
            leaves.append(f"{line}.quantity")
        if depth <= 0 or self.chance(0.4):
            return str(self.draw(st.integers(0, 12))) if self.chance(0.5) else self.pick(leaves)
        d = depth - 1
        form = self.draw(st.integers(0, 5))
        if form == 0:
            return f"({self.integer(d, line)} + {self.integer(d, line)})"
        if form == 5 and not line:
            where = f" where {self.line_bool(d, 'n')}" if self.chance(0.5) else ""
            return f"count({self.line_bool(d, 'n')} for n in lines{where})"
        if form == 1:
            return f"({self.integer(d, line)} * {self.integer(d, line)})"
        if form == 2 and not line:
            return f"count(lines where {self.line_bool(d, 'line')})"
        if form == 3 and not line:
            return f"sum(x.quantity for x in lines where {self.line_bool(d, 'x')})"
        return f"({self.integer(d, line)} - {self.integer(d, line)})"

    def percent(self, depth: int) -> str:
        leaves = self.bound("percent")
        if depth <= 0 or self.chance(0.6):
            if leaves and self.chance(0.3):
                return self.pick(leaves)
            return f"{decimal_text(self.draw, 2, 60)}%"
        d = depth - 1
        if self.chance(0.5):
            return f"({self.percent(d)} + {self.percent(d)})"
        return f"({self.percent(d)} * {self.draw(st.integers(1, 3))})"

    def boolean(self, depth: int, line: str | None = None) -> str:
        d = depth - 1
        form = self.draw(st.integers(0, 12 if depth > 0 else 6))
        op = self.pick(COMPARISONS)
        if form == 0:
            return f"{self.money(d, line)} {op} {self.money(d, line)}"
        if form == 1:
            return f"{self.money(d, line)} {op} {decimal_text(self.draw, self.places + 1, 1000)}"
        if form == 2:
            return f"{self.integer(d, line)} {op} {self.integer(d, line)}"
        if form == 3:
            return self.pick([*BOOL_FACTS, *self.bound("bool"), "true", "false"])
        if form == 4:
            channels = ", ".join(f'"{c}"' for c in self.draw(SOME_CHANNELS))
            return f"channel {self.pick(['in', 'not in'])} [{channels}]"
        if form == 5:
            return f'channel == "{self.pick(CHANNELS)}"'
        if form == 6:
            return f"{self.percent(d)} {op} {self.percent(d)}"
        if form == 7:
            return f"not ({self.boolean(d, line)})"
        if form in (8, 9):
            joiner = "and" if form == 8 else "or"
            return f"({self.boolean(d, line)} {joiner} {self.boolean(d, line)})"
        if form == 10 and not line:
            func = self.pick(["any", "all"])
            if self.chance(0.5):
                return f"{func}(lines where {self.line_bool(d, 'line')})"
            where = f" where {self.line_bool(d, 'it')}" if self.chance(0.5) else ""
            return f"{func}({self.line_bool(d, 'it')} for it in lines{where})"
        if form == 11:
            return f"today - customer.last_order {op} {self.draw(st.integers(0, 90))} days"
        if self.chance(0.5):
            fact = self.pick(["customer.segment", "referrer.segment"])
            return f'{fact} {self.pick(["==", "!="])} "{self.pick(SEGMENT_NAMES)}"'
        return f'referral.code {self.pick(["==", "!="])} "{self.pick(["FRIEND", "X"])}"'

    def line_bool(self, depth: int, var: str) -> str:
        form = self.draw(st.integers(0, 8 if depth > 0 else 5))
        d = depth - 1
        if form == 0:
            return f'{var}.category == "{self.pick(CATEGORIES)}"'
        if form == 1:
            return f'{var}.sku {self.pick(["==", "!="])} "{self.pick(SKUS)}"'
        if form == 2:
            return f'"{self.pick(["sale", "new"])}" in {var}.collections'
        if form == 3:
            return f"{var}.quantity {self.pick(COMPARISONS)} {self.draw(st.integers(0, 4))}"
        if form == 4:
            return f'{var}.product in ["p1", "p{self.draw(st.integers(2, 3))}"]'
        if form == 5:
            price = decimal_text(self.draw, self.places, 300)
            return f"{var}.total {self.pick(COMPARISONS)} {price} {self.currency}"
        if form == 6:
            return f"({self.line_bool(d, var)} and {self.line_bool(d, var)})"
        if form == 7:
            return f"not {self.line_bool(d, var)}"
        return f"({self.line_bool(d, var)} or {self.boolean(d, var)})"

    # ---- rewards and statements
    def reward(self, kinds: list[str] | None = None, mods: bool = True) -> str:
        if kinds is None:
            kinds = ["money", "money", "points", "voucher", "free"]
            if self.trigger in ORDER_TRIGGERS:
                kinds += ["percent", "percent"]
            if self.trigger is Trigger.CHECKOUT:
                kinds += ["discount", "discount"]
        kind = self.pick(kinds)
        extra = []
        if kind == "money":
            text = self.money(2)
            if mods and self.chance(0.3):
                extra.append(self.pick(["as gift card", "as store credit"]))
        elif kind == "percent":
            text = self.percent(1)
        elif kind == "points":
            count = self.pick([str(self.draw(st.integers(1, 500))), self.pick(INT_FACTS)])
            text = f"{count} points"
        elif kind == "voucher":
            text = f"{self.pick([self.percent(1), self.money(1)])} off next order"
        elif kind == "discount":
            text = f"{self.pick([self.percent(1), self.money(1)])} off order"
        else:
            text = self.pick(["free shipping", "free shipping on next order",
                              'free product "gift-box"'])
        if not mods:
            return text
        if kind != "points" and self.chance(0.3):
            extra.append(f"max {self.money(1)}")
        if self.chance(0.2):
            after = self.pick(["", " after fulfillment", " after payment"])
            extra.append(f"hold {self.draw(st.integers(0, 60))} days{after}")
        if self.chance(0.15):
            extra.append(f"expires {self.draw(st.integers(1, 60))} days")
        return " ".join([text, *extra])

    def give(self) -> str:
        return f"give {self.pick(RECIPIENTS)} {self.reward()}"

    def tier(self, indent: str) -> list[str]:
        money_subject = self.chance(0.7)
        subject = self.money(1) if money_subject else self.integer(1)
        high = 1500 if money_subject else 12
        bounds = sorted({int(decimal_text(self.draw, 0, high)) for _ in range(self.draw(
            st.integers(1, 3)))}, reverse=True)
        arms = []
        for b in bounds:
            unit = f" {self.currency}" if money_subject and self.chance(0.6) else ""
            arms.append(f"{b}{unit}+ -> {self.reward()}")
        if self.chance(0.6):
            arms.append(f"else -> {self.reward()}")
        head = f"give {self.pick(RECIPIENTS)} tier {subject}"
        if self.chance(0.5):
            return [f"{indent}{head}: " + ", ".join(arms)]
        return [f"{indent}{head}:", *(f"{indent}    {arm}" for arm in arms)]

    def statements(self, indent: str, depth: int) -> list[str]:
        out: list[str] = []
        self.lets.append({})
        for _ in range(self.draw(st.integers(1, 3))):
            form = self.draw(st.integers(0, 9 if depth > 0 else 6))
            if form <= 2:
                out.append(indent + self.give())
            elif form == 3:
                out += self.tier(indent)
            elif form == 4:
                self.counter += 1
                name = f"v{self.counter}"
                kind = self.pick(["money", "int", "percent", "bool"])
                value = {"money": self.money, "int": self.integer, "percent": self.percent,
                         "bool": self.boolean}[kind](2)
                out.append(f"{indent}let {name} = {value}")
                self.lets[-1][name] = kind
            elif form == 5:
                out.append(f"{indent}hold {self.draw(st.integers(0, 40))} days after fulfillment")
            elif form == 6:
                out.append(indent + self.inline_if())
            else:
                out += self.if_block(indent, depth - 1)
        self.lets.pop()
        if not any("give" in line for line in out):
            out.append(indent + self.give())
        return out

    def inline_if(self) -> str:
        # `else 20%` continues the first give (its recipient and modifiers): money or percent.
        kinds = ["money", "percent"] if self.trigger in ORDER_TRIGGERS else ["money"]
        text = f"if {self.boolean(2)} give {self.pick(RECIPIENTS)} {self.reward(kinds)}"
        if self.chance(0.3):
            text += f" elif {self.boolean(1)} {self.reward(kinds, mods=False)}"
        if self.chance(0.6):
            text += f" else {self.reward(kinds, mods=False)}"
        return text

    def if_block(self, indent: str, depth: int) -> list[str]:
        out = [f"{indent}if {self.boolean(2)}:", *self.statements(indent + "    ", depth)]
        for _ in range(self.draw(st.integers(0, 2))):
            out += [f"{indent}elif {self.boolean(2)}:", *self.statements(indent + "    ", depth)]
        if self.chance(0.5):
            out += [f"{indent}else:", *self.statements(indent + "    ", depth)]
        return out

    def rule(self) -> list[str]:
        self.trigger = self.pick(list(TRIGGER_TEXT))
        self.lets = [{}]
        trigger = TRIGGER_TEXT[self.trigger]
        if self.trigger is Trigger.CUSTOMER_CREATED and self.chance(0.3):
            trigger = f"customer asleep for {self.draw(st.integers(1, 3))} periods"
            self.trigger = Trigger.CUSTOMER_ASLEEP
        elif self.trigger is Trigger.ORDER_CREATED and self.chance(0.3):
            trigger = f'first order in channel "{self.pick(CHANNELS)}"'
            self.trigger = Trigger.FIRST_ORDER_IN_CHANNEL
        when = f" when {self.boolean(2)}" if self.chance(0.6) else ""
        return [f"on {trigger}{when}:", *self.statements("    ", self.draw(st.integers(0, 2)))]

    def program(self) -> str:
        lines = [f'program "random" currency {self.currency}']
        if self.chance(0.3):  # the product's own line, as a bare statement
            lines.append(f"if order_total > 500 give referrer 50 {self.currency} else 20%")
        for _ in range(self.draw(st.integers(1, 3))):
            lines += self.rule()
        self.trigger = Trigger.ORDER_PAID
        for _ in range(self.draw(st.integers(0, 2))):
            who = self.pick(["", "referrer ", "referee "])
            cap = self.pick([self.money(1), self.percent(0), f"{self.percent(0)} of order_total"])
            lines.append(f"limit {who}rewards {self.pick(['<=', 'at most'])} {cap}")
        if self.chance(0.3):  # per-person limits, cut against the facts' usage
            who = self.pick(["referrer", "referee", "customer"])
            period = self.pick(["day", "week", "month", "quarter", "year"])
            lines.append(f"limit {who} {self.draw(st.integers(1, 3))} rewards per {period}")
        if self.chance(0.3):
            period = self.pick([" per month", " per week", " per year", ""])
            amount = self.pick(["1000", "60", "5"])
            lines.append(f"budget {amount} {self.currency}{period}")
        if self.chance(0.3):  # low enough that random rewards go over it
            lines.append(f"ceiling {self.pick(['5', '50', '400'])} {self.currency}")
        return "\n".join(lines) + "\n"


@st.composite
def aggregate_programs(draw) -> str:
    """One `order paid` rule whose every reward is worked out from aggregates over the lines."""
    writer = ProgramWriter(draw, draw(st.sampled_from(tuple(CURRENCIES))))
    var = writer.pick(["line", "n"])
    where = f" where {writer.line_bool(1, var)}" if writer.chance(0.6) else ""
    counted = writer.pick([f"count(lines where {writer.line_bool(1, 'line')})",
                           f"count({writer.line_bool(1, var)} for {var} in lines{where})",
                           f"sum({var}.quantity for {var} in lines{where})"])
    test = writer.pick([f"any(lines where {writer.line_bool(1, 'line')})",
                        f"all(lines where {writer.line_bool(1, 'line')})",
                        f"any({writer.line_bool(1, var)} for {var} in lines{where})",
                        f"all({writer.line_bool(1, var)} for {var} in lines{where})"])
    summed = writer.pick([f"sum(lines where {writer.line_bool(1, 'line')})",
                          f"sum({var}.total for {var} in lines{where})",
                          f"sum(({var}.price * {var}.quantity) for {var} in lines{where})"])
    bound = draw(st.integers(0, 6))
    return "\n".join([
        f'program "aggregates" currency {writer.currency}',
        "on order paid:",
        f"    give referrer ({counted} + 1) points",
        f"    if {test} give referee {summed} else 1 {writer.currency}",
        f"    if {counted} >= {bound} give customer {writer.percent(0)} of {summed}",
    ]) + "\n"


@st.composite
def programs(draw) -> str:
    """The text of a random program (almost always valid: callers keep the valid ones)."""
    return ProgramWriter(draw, draw(st.sampled_from(tuple(CURRENCIES)))).program()
