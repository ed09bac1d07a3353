"""E-mail settings from the environment: `EMAIL_URL` (smtp://user:pass@host:587?tls=1), or the
plain `EMAIL_HOST`/`EMAIL_PORT`/… variables; the console backend when neither is set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}


def email_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Django's EMAIL_* settings for this environment."""
    found: dict[str, Any] = {
        "DEFAULT_FROM_EMAIL": environ.get("DEFAULT_FROM_EMAIL", "Referrals <referrals@localhost>"),
    }
    url = environ.get("EMAIL_URL", "").strip()
    if url:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme in {"console", "locmem", "dummy"}:
            found["EMAIL_BACKEND"] = f"django.core.mail.backends.{parts.scheme}.EmailBackend"
            return found
        if parts.scheme not in {"smtp", "smtps", "submission"}:
            raise ValueError(f"EMAIL_URL: unsupported scheme {parts.scheme!r}")
        found.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme != "smtps" and query.get("tls", "1").lower() in _TRUE,
            EMAIL_TIMEOUT=int(query.get("timeout", "10")),
        )
        return found
    if environ.get("EMAIL_HOST"):
        found.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=environ["EMAIL_HOST"],
            EMAIL_PORT=int(environ.get("EMAIL_PORT", "587")),
            EMAIL_HOST_USER=environ.get("EMAIL_HOST_USER", ""),
            EMAIL_HOST_PASSWORD=environ.get("EMAIL_HOST_PASSWORD", ""),
            EMAIL_USE_TLS=environ.get("EMAIL_USE_TLS", "1").lower() in _TRUE,
            EMAIL_USE_SSL=environ.get("EMAIL_USE_SSL", "0").lower() in _TRUE,
            EMAIL_TIMEOUT=int(environ.get("EMAIL_TIMEOUT", "10")),
        )
        return found
    found["EMAIL_BACKEND"] = environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    return found
