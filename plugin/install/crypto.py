"""Encryption at rest for Saleor app tokens (Fernet, keys from FIELD_ENCRYPTION_KEY)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenDecryptionError(Exception):
    """The stored token cannot be read with any configured key (key rotated away?)."""


@lru_cache(maxsize=4)
def _fernet_for(raw_keys: str) -> MultiFernet:
    keys = [key.strip() for key in raw_keys.split(",") if key.strip()]
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(settings.FIELD_ENCRYPTION_KEY)


def token_encrypt(*, token: str) -> str:
    """Encrypt with the first key; the result is ASCII, safe for a text column."""
    return _fernet().encrypt(token.encode()).decode("ascii")


def token_decrypt(*, encrypted: str) -> str:
    if not encrypted:
        return ""
    try:
        return _fernet().decrypt(encrypted.encode("ascii")).decode()
    except InvalidToken as error:
        raise TokenDecryptionError("app token unreadable with FIELD_ENCRYPTION_KEY") from error


def token_reencrypt(*, encrypted: str) -> str:
    """The same token encrypted with the first key (MultiFernet.rotate), for a key rotation."""
    if not encrypted:
        return ""
    try:
        return _fernet().rotate(encrypted.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise TokenDecryptionError("app token unreadable with FIELD_ENCRYPTION_KEY") from error
