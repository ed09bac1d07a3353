"""Settings, all from the environment; safe defaults for development, refused in production.

`APP_ENV=production` turns on the checks in `plugin.config.production_problems`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from plugin.client_address import proxy_networks_parse
from plugin.config import (
    DEV_SECRET_KEY,
    dev_field_encryption_key,
    env_bool,
    env_list,
    production_problems,
)
from plugin.periodic import beat_schedule

# Where the app keeps its state (embedded SQLite, the demo Saleor's key, collected static files):
# `VAR_DIR`, else `var/` in the directory the app is started from (the checkout's top for `make
# run`; any writable directory for an installed package, never inside site-packages).
VAR_DIR = Path(os.environ.get("VAR_DIR") or "var").resolve()

APP_ENV = os.environ.get("APP_ENV", "development").strip().lower()
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
# Public base URL of this app (what Saleor and the merchant's browser reach); empty = from request.
APP_URL = os.environ.get("APP_URL", "").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Which Saleor API URLs may install the app: comma-separated patterns such as
# `https://*.saleor.cloud/graphql/` (`*` alone allows any). Private and loopback addresses
# stay refused unless ALLOW_PRIVATE_SALEOR_URLS is on (SSRF).
ALLOWED_SALEOR_URLS = env_list("ALLOWED_SALEOR_URLS", "" if APP_ENV == "production" else "*")
ALLOW_PRIVATE_SALEOR_URLS = env_bool("ALLOW_PRIVATE_SALEOR_URLS", False)

# Fernet key(s) for app tokens at rest; comma-separated, the first encrypts (rotation).
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "") or dev_field_encryption_key(
    SECRET_KEY
)

# Webhooks: size limit of one delivery, and the deprecated HMAC `secretKey` form (off).
WEBHOOK_MAX_BODY_BYTES = int(os.environ.get("WEBHOOK_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
WEBHOOK_ALLOW_LEGACY_HMAC = env_bool("WEBHOOK_ALLOW_LEGACY_HMAC", False)
WEBHOOK_LEGACY_HMAC_SECRET = os.environ.get("WEBHOOK_LEGACY_HMAC_SECRET", "")
# An unknown `kid` refreshes an installation's JWKS at most this often.
JWKS_REFRESH_MIN_SECONDS = int(os.environ.get("JWKS_REFRESH_MIN_SECONDS", "60"))

# Background work: inline (after commit) unless a broker is configured. `make run` sets a
# SQLite broker in VAR_DIR; production sets Redis. Periodic work: plugin/periodic.py.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL.startswith("sqla+sqlite"):
    # The web process and the worker share the file: wait for its lock instead of failing.
    # (kombu hands these options to SQLAlchemy's create_engine; it polls once a second.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every beat interval times this (e.g. 0.01 in a test: the 5-minute release runs every 3 s).
PERIODIC_SECONDS_SCALE = float(os.environ.get("PERIODIC_SECONDS_SCALE", "1"))
CELERY_BEAT_SCHEDULE = beat_schedule(scale=PERIODIC_SECONDS_SCALE)
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "5"))

DEMO_SALEOR_API_URL = os.environ.get("DEMO_SALEOR_API_URL", "http://demo.saleor.localhost/graphql/")
# `make run` answers the demo Saleor's API in-process (never in production).
DEMO_SALEOR = env_bool("DEMO_SALEOR", False)

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "plugin.install",
    "plugin.webhooks",
    "plugin.referrals",
    "plugin.programs",
    "plugin.dashboard",
    "plugin.rewards",
    "plugin.messages",
    "plugin.contests",
    "plugin.playbook",
    "plugin.reconcile",
    "plugin.segments",
    "plugin.affiliates",
]

MIDDLEWARE = [
    "plugin.request_context.RequestIdMiddleware",  # first: every answer carries its id
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "plugin.urls"
WSGI_APPLICATION = "plugin.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A merchant's own e-mail templates (same names as plugin/messages/templates) win.
        "DIRS": [os.environ["MESSAGES_TEMPLATE_DIR"]]
        if os.environ.get("MESSAGES_TEMPLATE_DIR")
        else [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database lives there
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'referrals.sqlite3'}"),
        conn_max_age=60,
    )
}
if os.environ.get("TEST_DATABASE_NAME"):  # a server shared by parallel runs; a file for SQLite
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout: the web process and inline tasks write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Rate-limit counters (install attempts, storefront code checks). In production they live in the
# database so every web worker counts against one limit; `memory` keeps them per process.
RATE_LIMIT_STORE = os.environ.get(
    "RATE_LIMIT_STORE", "database" if APP_ENV == "production" else "memory"
).strip().lower()
if RATE_LIMIT_STORE not in ("database", "memory"):
    raise ImproperlyConfigured("RATE_LIMIT_STORE must be 'database' or 'memory'")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
         "LOCATION": "referrals_rate_limits"}
        if RATE_LIMIT_STORE == "database"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
              "LOCATION": "rate-limits"}
    ),
}
RATELIMIT_USE_CACHE = "rate_limits"
# Proxies (CIDRs) whose X-Forwarded-For is believed: the load balancer, a storefront's server.
# Empty: the peer address is the client (a forged header changes nothing).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
try:
    proxy_networks_parse(TRUSTED_PROXIES)
except ValueError as _error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None
RATELIMIT_IP_META_KEY = "plugin.client_address.client_address"
# The storefront API: the largest request, and calls a minute per client address (anonymous)
# and per signed-in shopper.
STOREFRONT_MAX_BODY_BYTES = int(os.environ.get("STOREFRONT_MAX_BODY_BYTES", str(16 * 1024)))
STOREFRONT_RATE_PER_ADDRESS = os.environ.get("STOREFRONT_RATE_PER_ADDRESS", "120/m")
STOREFRONT_RATE_PER_SHOPPER = os.environ.get("STOREFRONT_RATE_PER_SHOPPER", "60/m")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"

# `json` (one object a line, production's default) or `plain`; every record names its request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if APP_ENV == "production" else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "plugin.request_context.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "plugin.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request"]}},
    "loggers": {
        "plugin": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}

if APP_ENV == "production":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    _problems = production_problems(os.environ)
    if _problems:
        raise ImproperlyConfigured("unsafe production settings: " + "; ".join(_problems))

# E-mail: console unless EMAIL_URL or EMAIL_HOST is set (see plugin/messages/config.py).
from plugin.messages.config import email_settings  # noqa: E402

globals().update(email_settings(os.environ))
# Rewards: what a point is worth, and where points are spent.
REWARDS_POINT_VALUE = os.environ.get("REWARDS_POINT_VALUE", "0.01")
REWARDS_POINTS_CURRENCY = os.environ.get("REWARDS_POINTS_CURRENCY", "USD")
REWARDS_DEFAULT_CHANNEL = os.environ.get("REWARDS_DEFAULT_CHANNEL", "default-channel")
