"""Settings from the environment; production refuses to start on unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from plugin.config import production_problems

REPO = Path(__file__).resolve().parents[3]
SAFE = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 50,
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "APP_URL": "https://referrals.example.com",
    "ALLOWED_SALEOR_URLS": "https://*.saleor.cloud/graphql/",
    "DATABASE_URL": "postgres://referrals@db.example.com/referrals",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
}


def start_django(env: dict[str, str], show: str = "") -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in SAFE and k not in ("DEBUG", "RATE_LIMIT_STORE")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); print('started'); {show}"],
        cwd=REPO, env={**base, "DJANGO_SETTINGS_MODULE": "plugin.settings", **env},
        capture_output=True, text=True, timeout=60,
    )


def test_a_safe_production_configuration_has_no_problems():
    assert production_problems(SAFE) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "dev-only-insecure-secret-key"}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"FIELD_ENCRYPTION_KEY": ""}, "FIELD_ENCRYPTION_KEY is missing"),
        ({"FIELD_ENCRYPTION_KEY": "not-a-key"}, "not a valid Fernet key"),
        ({"APP_URL": "http://referrals.example.com"}, "APP_URL must be"),
        ({"ALLOWED_SALEOR_URLS": ""}, "ALLOWED_SALEOR_URLS is missing"),
        ({"ALLOWED_SALEOR_URLS": "*"}, "ALLOWED_SALEOR_URLS must name the Saleors"),
        ({"ALLOWED_SALEOR_URLS": "https://a.example/graphql/, *"},
         "ALLOWED_SALEOR_URLS must name the Saleors"),
        ({"ALLOW_PRIVATE_SALEOR_URLS": "1"}, "ALLOW_PRIVATE_SALEOR_URLS must be off"),
        ({"DATABASE_URL": "sqlite:///x.sqlite3"}, "must point at PostgreSQL"),
        ({"DEMO_SALEOR": "1"}, "DEMO_SALEOR must be off"),
        ({"RATE_LIMIT_STORE": "memory"}, "RATE_LIMIT_STORE must be 'database'"),
        ({"CELERY_BROKER_URL": ""}, "CELERY_BROKER_URL is missing"),
    ],
)
def test_each_unsafe_setting_is_named(change, problem):
    problems = production_problems({**SAFE, **change})
    assert len(problems) == 1 and problem in problems[0]


def test_a_private_saleor_is_allowed_in_production_only_when_named_exactly():
    private = {**SAFE, "ALLOW_PRIVATE_SALEOR_URLS": "1"}
    exact = {**private, "ALLOWED_SALEOR_URLS": "http://saleor-api:8000/graphql/"}

    assert production_problems(exact) == []
    assert production_problems({**exact, "ALLOWED_SALEOR_URLS": "http://saleor-*:8000/graphql/"})
    assert production_problems({**exact, "ALLOWED_SALEOR_URLS": "*"})


def test_production_refuses_to_start_with_debug_and_missing_keys():
    result = start_django({"APP_ENV": "production", "DEBUG": "1"})

    assert result.returncode != 0
    assert "unsafe production settings" in result.stderr
    assert "DEBUG must be off" in result.stderr
    assert "FIELD_ENCRYPTION_KEY is missing" in result.stderr


def test_production_starts_when_configured():
    show = ("from django.conf import settings; "
            "print(settings.CACHES[settings.RATELIMIT_USE_CACHE]['BACKEND'])")
    result = start_django(SAFE, show)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    assert "DatabaseCache" in result.stdout  # rate limits count across workers


def test_an_unknown_rate_limit_store_is_refused():
    result = start_django({"RATE_LIMIT_STORE": "redis"})
    assert result.returncode != 0
    assert "RATE_LIMIT_STORE must be 'database' or 'memory'" in result.stderr


def test_development_starts_on_defaults(tmp_path):
    result = start_django({"VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_accepting_any_saleor():
    result = start_django({**SAFE, "ALLOWED_SALEOR_URLS": "*"})

    assert result.returncode != 0
    assert "ALLOWED_SALEOR_URLS must name the Saleors to accept, not '*'" in result.stderr


def test_malformed_trusted_proxies_are_refused_at_start(tmp_path):
    result = start_django({"VAR_DIR": str(tmp_path), "TRUSTED_PROXIES": "10.0.0.0/8, proxy.lan"})

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.lan' is not an address or CIDR" in result.stderr


def test_log_format_is_json_in_production():
    show = ("from django.conf import settings; "
            "print(settings.LOGGING['handlers']['console']['formatter'])")
    result = start_django(SAFE, show)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["started", "json"]
