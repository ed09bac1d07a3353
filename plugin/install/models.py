"""Installation: one Saleor API URL that installed the app, with its encrypted token and JWKS."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from plugin.install.crypto import token_decrypt


class Installation(models.Model):
    saleor_api_url = models.URLField(max_length=512, unique=True)
    domain = models.CharField(max_length=255, blank=True, default="")
    app_id = models.CharField(max_length=255, blank=True, default="")  # Saleor's global App id
    auth_token_encrypted = models.TextField(blank=True, default="")  # Fernet, never plain
    jwks = models.JSONField(default=dict, blank=True)
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    installed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.saleor_api_url

    @property
    def auth_token(self) -> str:
        """The app token in clear, decrypted on each read ("" once forgotten)."""
        return token_decrypt(encrypted=self.auth_token_encrypted)
