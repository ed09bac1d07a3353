"""Referral codes people can read aloud: `ALICE-7K2Q` (a name, a dash, unambiguous characters)."""

from __future__ import annotations

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


def code_generate(*, name: str | None, email: str | None, length: int = 4) -> str:
    return f"{code_prefix(name=name, email=email)}-{code_suffix(length)}"


def code_normalise(text: str | None) -> str:
    """What a shopper typed or a link carried, in the stored spelling (upper case, dashes)."""
    cleaned = re.sub(r"[\s_]+", "-", (text or "").strip()).upper()
    return cleaned.strip("-")


def code_is_well_formed(code: str) -> bool:
    return bool(_CODE_PATTERN.match(code))
