"""Codes people can read aloud: referral codes (`ALICE-7K2Q`, a name and a short random tail,
meant to be shared) and secret codes a shopper redeems (`RW-7K2Q-...`, all random, never shared).
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata

# No 0/O, 1/I/L or U/V pairs: every character survives being read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_PREFIX_MAX = 8
_CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,16}(-[A-Z0-9]{2,16}){0,2}$")


def code_prefix(*, name: str | None, email: str | None) -> str:
    """Up to 8 ASCII letters from the first name, else the e-mail's local part, else `REF`."""
    for source in (name, (email or "").split("@", 1)[0]):
        folded = unicodedata.normalize("NFKD", source or "").encode("ascii", "ignore").decode()
        letters = re.sub(r"[^A-Za-z]", "", folded.split(" ", 1)[0] if folded.strip() else "")
        if len(letters) >= 2:
            return letters[:_PREFIX_MAX].upper()
    return "REF"


def code_suffix(length: int = 4) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# A redeemable code is the only thing standing between a stranger and the money it is worth
# (Saleor cannot tie a voucher to one customer), so it is all random: 16 characters of the
# 29-letter alphabet carry 77 bits, far beyond what anyone can try at a checkout.
SECRET_CODE_LENGTH = 16
SECRET_CODE_MIN_BITS = 64


def secret_code_bits(length: int = SECRET_CODE_LENGTH) -> float:
    """How many bits of chance a secret code of `length` random characters carries."""
    return length * math.log2(len(CODE_ALPHABET))


def secret_code(*, prefix: str, length: int = SECRET_CODE_LENGTH, group: int = 4) -> str:
    """`PREFIX-XXXX-XXXX-XXXX-XXXX`: every character drawn from `secrets`, nothing derived."""
    if secret_code_bits(length) < SECRET_CODE_MIN_BITS:
        raise ValueError(f"a secret code needs at least {SECRET_CODE_MIN_BITS} bits")
    body = code_suffix(length)
    return "-".join([prefix, *(body[i : i + group] for i in range(0, length, group))])


def code_generate(*, name: str | None, email: str | None, length: int = 4) -> str:
    return f"{code_prefix(name=name, email=email)}-{code_suffix(length)}"


def code_normalise(text: str | None) -> str:
    """What a shopper typed or a link carried, in the stored spelling (upper case, dashes)."""
    cleaned = re.sub(r"[\s_]+", "-", (text or "").strip()).upper()
    return cleaned.strip("-")


def code_is_well_formed(code: str) -> bool:
    return bool(_CODE_PATTERN.match(code))
