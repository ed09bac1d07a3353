"""`manage.py encryption_key_rotate`: re-encrypt every stored app token with the first key.

Rotation: put the new key first (`FIELD_ENCRYPTION_KEY=new,old`), restart every process, run this,
then drop the old key. Safe to run again; a token no configured key can read is reported.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from plugin.install.crypto import TokenDecryptionError, token_reencrypt
from plugin.install.models import Installation


class Command(BaseCommand):
    help = "Re-encrypts the stored Saleor app tokens with the first FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options) -> None:
        done, unreadable = 0, []
        stored = Installation.objects.exclude(auth_token_encrypted="")
        for pk in stored.values_list("pk", flat=True):
            with transaction.atomic():
                installation = Installation.objects.select_for_update().get(pk=pk)
                try:
                    installation.auth_token_encrypted = token_reencrypt(
                        encrypted=installation.auth_token_encrypted
                    )
                except TokenDecryptionError:
                    unreadable.append(installation.saleor_api_url)
                    continue
                installation.save(update_fields=["auth_token_encrypted"])
                done += 1
        self.stdout.write(f"re-encrypted {done} app token(s) with the first key")
        if unreadable:
            raise CommandError("no configured key reads the token of: " + ", ".join(unreadable))
