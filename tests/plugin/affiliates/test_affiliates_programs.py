"""A partner's commission program: the ready one checks; a program that gives anything but
money, or to anyone but the affiliate, is refused with the position of the `give`."""

from __future__ import annotations

import pytest
from affiliates_testing import T0

from plugin.affiliates.programs import commission_program_check, default_program
from plugin.affiliates.services import PartnerError, partner_create, partner_update

pytestmark = pytest.mark.django_db


def _errors(source: str) -> list[tuple[int, str]]:
    return [(d["line"], d["message"]) for d in commission_program_check(source)
            if d["severity"] == "error"]


def test_the_ready_program_is_the_affiliate_example_and_checks():
    assert "give affiliate 8% of full_price" in default_program()
    assert _errors(default_program()) == []


def test_tiers_of_money_to_the_affiliate_check():
    source = ("program \"P\" currency USD\n\non order paid when referred:\n"
              "    give affiliate tier order_total: 500+ -> 40 USD, else -> 5%\n")
    assert _errors(source) == []
    assert _errors(source.replace("give affiliate", "give referrer")) != []


@pytest.mark.parametrize(("give", "message"), [
    ("give referrer 5 USD", "only to affiliate, not to referrer"),
    ("give customer 10% off next order", "only to affiliate, not to customer"),
    ("give affiliate 200 points", "a commission is money"),
])
def test_a_give_that_is_no_commission_is_refused_at_its_line(give, message):
    errors = _errors(f"program \"P\" currency USD\n\non order paid when referred:\n    {give}\n")
    assert any(line == 4 and message in text for line, text in errors), errors


def test_a_program_with_a_syntax_error_is_not_stored(partner):
    with pytest.raises(PartnerError) as refused:
        partner_update(partner=partner, program_source="on order paid:\n    give affiliate\n",
                       now=T0)
    assert refused.value.extra["diagnostics"]
    partner.refresh_from_db()
    assert partner.program_source == default_program()


def test_one_partner_per_address_in_a_shop(shop, partner):
    with pytest.raises(PartnerError, match="already a partner"):
        partner_create(installation=shop, name="Nora again", email="nora@blog.example", now=T0)
