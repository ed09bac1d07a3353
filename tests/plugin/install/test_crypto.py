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


def test_the_rotate_command_moves_stored_tokens_to_the_new_key(db):
    from io import StringIO

    from django.core.management import call_command

    from plugin.install.models import Installation

    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        shop = Installation.objects.create(saleor_api_url="https://a.example/graphql/",
                                           auth_token_encrypted=token_encrypt(token="t0k3n"))
        Installation.objects.create(saleor_api_url="https://gone.example/graphql/")  # uninstalled
    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEY=f"{NEW},{OLD}"):
        call_command("encryption_key_rotate", stdout=out)
    assert out.getvalue().strip() == "re-encrypted 1 app token(s) with the first key"
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):  # the old key can go now
        shop.refresh_from_db()
        assert shop.auth_token == "t0k3n"


def test_the_rotate_command_names_a_token_no_key_can_read(db):
    from django.core.management import CommandError, call_command

    from plugin.install.models import Installation

    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        Installation.objects.create(saleor_api_url="https://a.example/graphql/",
                                    auth_token_encrypted=token_encrypt(token="t0k3n"))
    with override_settings(FIELD_ENCRYPTION_KEY=NEW), pytest.raises(CommandError,
                                                                     match=r"a\.example"):
        call_command("encryption_key_rotate")
