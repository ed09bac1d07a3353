"""App tokens at rest: Fernet, readable across a key rotation, never readable with a wrong key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from plugin.install.crypto import TokenDecryptionError, token_decrypt, token_encrypt

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_token_round_trips_and_is_not_stored_plain():
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        encrypted = token_encrypt(token="fvnhMQ1KEyXHVUrTtOXaIxAU3qbJaj")
        assert "fvnhMQ1KEyXHVUrTtOXaIxAU3qbJaj" not in encrypted
        assert token_decrypt(encrypted=encrypted) == "fvnhMQ1KEyXHVUrTtOXaIxAU3qbJaj"


def test_old_tokens_stay_readable_after_a_key_rotation():
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        encrypted = token_encrypt(token="t0k3n")
    with override_settings(FIELD_ENCRYPTION_KEY=f"{NEW},{OLD}"):
        assert token_decrypt(encrypted=encrypted) == "t0k3n"
        assert token_decrypt(encrypted=token_encrypt(token="t0k3n")) == "t0k3n"
    with override_settings(FIELD_ENCRYPTION_KEY=NEW), pytest.raises(TokenDecryptionError):
        token_decrypt(encrypted=encrypted)


def test_a_forgotten_token_reads_as_empty():
    assert token_decrypt(encrypted="") == ""
