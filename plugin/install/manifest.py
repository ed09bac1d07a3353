"""The app manifest: read once from this package's `manifest.json`, served with absolute URLs."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

_URL_FIELDS = ("appUrl", "tokenTargetUrl", "configurationUrl", "dataPrivacyUrl",
               "homepageUrl", "supportUrl")


@cache
def manifest_template() -> dict[str, Any]:
    """The manifest as written, URLs as paths (`/api/register`)."""
    text = resources.files(__package__).joinpath("manifest.json").read_text(encoding="utf-8")
    return json.loads(text)


def manifest_for(*, base_url: str) -> dict[str, Any]:
    """The manifest with every app URL made absolute under `base_url` (no trailing slash).

    APP_PAGE extension URLs stay paths: Saleor refuses an absolute URL there and the dashboard
    joins the path to `appUrl`. Other extensions (the cards on Saleor's pages) get absolute URLs
    on the app's host: the dashboard would append a path to `appUrl` (`/dashboard/` + path).
    """
    manifest = copy.deepcopy(manifest_template())
    for field in _URL_FIELDS:
        if isinstance(manifest.get(field), str) and manifest[field].startswith("/"):
            manifest[field] = base_url + manifest[field]
    for webhook in manifest.get("webhooks", []):
        if webhook.get("targetUrl", "").startswith("/"):
            webhook["targetUrl"] = base_url + webhook["targetUrl"]
    for extension in manifest.get("extensions", []):
        if extension.get("target") != "APP_PAGE" and extension.get("url", "").startswith("/"):
            extension["url"] = base_url + extension["url"]
    return manifest


def _family_of(target_url: str) -> str:
    path = urlsplit(target_url).path
    prefix = "/api/webhooks/"
    if not path.startswith(prefix):
        raise ValueError(f"webhook targetUrl {target_url!r} is not under {prefix}")
    return path[len(prefix):].strip("/")


@cache
def webhook_families() -> dict[str, frozenset[str]]:
    """Route family (`orders`) → the events (`ORDER_PAID`, …) the manifest sends there."""
    families: dict[str, set[str]] = {}
    for webhook in manifest_template().get("webhooks", []):
        family = _family_of(webhook["targetUrl"])
        families.setdefault(family, set()).update(webhook.get("asyncEvents", []))
    return {family: frozenset(events) for family, events in families.items()}


def declared_events() -> frozenset[str]:
    """Every event the app subscribes to."""
    return frozenset().union(*webhook_families().values())
