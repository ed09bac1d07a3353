"""E-mail and address normalisation, and readable referral codes."""

from __future__ import annotations

import re

from plugin.referrals.codes import CODE_ALPHABET, code_generate, code_is_well_formed, code_normalise
from plugin.referrals.identity import address_fingerprint, email_normalise


def test_email_normalisation_folds_case_gmail_dots_and_tags():
    assert email_normalise(" Bob.Friend+promo@GoogleMail.com ") == "bobfriend@gmail.com"
    assert email_normalise("b.o.b.friend@gmail.com") == "bobfriend@gmail.com"
    # dots matter outside Gmail; +tags are dropped everywhere
    assert email_normalise("Bob.Friend+x@Example.com") == "bob.friend@example.com"
    assert email_normalise("") == ""


def test_address_fingerprint_ignores_names_case_and_spacing():
    a = {
        "firstName": "Bob",
        "streetAddress1": "1600 Amphitheatre Pkwy",
        "city": "MOUNTAIN VIEW",
        "postalCode": "94043",
        "country": {"code": "US"},
    }
    b = {
        "firstName": "Robert",
        "streetAddress1": " 1600  amphitheatre pkwy",
        "city": "Mountain View",
        "postalCode": "94043",
        "country": {"code": "US"},
    }
    c = {**a, "streetAddress1": "1 Infinite Loop"}
    assert address_fingerprint(a) == address_fingerprint(b) != address_fingerprint(c)
    assert address_fingerprint(None) == "" == address_fingerprint({"city": "X"})


def test_generated_codes_are_readable_and_unambiguous():
    for _ in range(200):
        code = code_generate(name="Alice", email="alice@example.com")
        prefix, suffix = code.split("-")
        assert prefix == "ALICE"
        assert len(suffix) == 4 and all(ch in CODE_ALPHABET for ch in suffix)
        assert code_is_well_formed(code)
    assert not set("01OILUV") & set(CODE_ALPHABET)
    assert code_generate(name="", email="zoë.x@example.com").startswith("ZOEX-")
    assert re.fullmatch(r"REF-\w{4}", code_generate(name="李", email="7@example.com"))


def test_codes_typed_by_people_are_normalised():
    assert code_normalise("  alice_7k2q ") == "ALICE-7K2Q"
    assert not code_is_well_formed("ALICE 7K2Q<script>")
