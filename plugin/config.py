"""Reading settings from the environment and refusing unsafe production configurations."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet

DEV_SECRET_KEY = "dev-only-insecure-secret-key"


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    return source.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    source = os.environ if environ is None else environ
    return [item.strip() for item in source.get(name, default).split(",") if item.strip()]


def dev_field_encryption_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY: only for development, production must set its own."""
    digest = hashlib.sha256(b"field-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _fernet_keys_problem(raw: str) -> str | None:
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        return "FIELD_ENCRYPTION_KEY is missing (generate one with Fernet.generate_key())"
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return "FIELD_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes)"
    return None


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """Everything that makes a production configuration unsafe; empty when it may start."""
    problems: list[str] = []
    if env_bool("DEBUG", False, environ):
        problems.append("DEBUG must be off")
    secret = environ.get("SECRET_KEY", "")
    if not secret or secret == DEV_SECRET_KEY:
        problems.append("SECRET_KEY is missing")
    elif len(secret) < 32:
        problems.append("SECRET_KEY is too short (at least 32 characters)")
    key_problem = _fernet_keys_problem(environ.get("FIELD_ENCRYPTION_KEY", ""))
    if key_problem:
        problems.append(key_problem)
    app_url = environ.get("APP_URL", "")
    if not app_url.startswith("https://"):
        problems.append("APP_URL must be the app's public https:// base URL")
    allowed = env_list("ALLOWED_SALEOR_URLS", "", environ)
    if not allowed:
        problems.append("ALLOWED_SALEOR_URLS is missing (patterns of Saleor API URLs to accept)")
    elif "*" in allowed:
        # any Saleor at all could install the app and have it call out on its behalf
        problems.append("ALLOWED_SALEOR_URLS must name the Saleors to accept, not '*'")
    if env_bool("ALLOW_PRIVATE_SALEOR_URLS", False, environ) and any("*" in p for p in allowed):
        # A Saleor on the operator's own network is fine once named exactly; a pattern would
        # let anyone who can reach /api/register point the app at internal addresses.
        problems.append("ALLOW_PRIVATE_SALEOR_URLS must be off unless ALLOWED_SALEOR_URLS "
                        "names exact Saleor API URLs (no *)")
    if env_bool("DEMO_SALEOR", False, environ):
        problems.append("DEMO_SALEOR must be off")
    if not environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not environ.get("CELERY_BROKER_URL", "").strip():
        # Inline work would run inside web workers, and nothing periodic would ever run.
        problems.append("CELERY_BROKER_URL is missing (e.g. redis://host:6379/0)")
    if environ.get("RATE_LIMIT_STORE", "database").strip().lower() != "database":
        # per-process counters would let N web workers allow N times every limit
        problems.append("RATE_LIMIT_STORE must be 'database' (one count for all workers)")
    return problems
