"""Reads the captured Saleor 3.24 data shipped with the app: deliveries, JWKS, API transcript.

The captures are package data (`plugin/saleor/captured/`), so the demo's stand-in Saleor works from
an installed wheel as from a checkout. Tests, the fake Saleor, the demo and benchmarks share it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


def captures_dir() -> Path:
    """Where the captured Saleor data lives: this package's own `captured/` folder."""
    return Path(str(files(__package__) / "captured"))


@dataclass(frozen=True)
class CapturedDelivery:
    """One real webhook request Saleor sent, with its exact body bytes."""

    event: str
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any]
    path: Path  # the capture file, not the URL path
    url_path: str
    variant: str | None  # e.g. "CHECKOUT_CREATED_legacy_secretKey"; None for the main set
    flow: str | None
    step: str | None
    received_at: str  # ISO-8601; sorts in arrival order
    signature_check: dict[str, Any]

    @property
    def signature(self) -> str:
        return self.headers.get("Saleor-Signature", "")

    @property
    def saleor_api_url(self) -> str:
        return self.headers.get("Saleor-Api-Url", "")

    @property
    def is_jws(self) -> bool:
        return "JWS" in str(self.signature_check.get("algorithm", ""))

    @property
    def number(self) -> int:
        return int(self.path.stem)


def _delivery_from_file(path: Path) -> CapturedDelivery:
    raw = json.loads(path.read_text(encoding="utf-8"))
    body = base64.b64decode(raw["body_b64"])
    return CapturedDelivery(
        event=raw["event"],
        headers=dict(raw["headers"]),
        body=body,
        payload=json.loads(body),
        path=path,
        url_path=raw.get("path", ""),
        variant=raw.get("variant"),
        flow=raw.get("flow"),
        step=raw.get("step"),
        received_at=raw.get("received_at", ""),
        signature_check=dict(raw.get("signature_check") or {}),
    )


def _numbered_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.glob("*.json") if p.stem.isdigit()), key=lambda p: int(p.stem)
    )


def captured_deliveries(
    event: str | None = None, *, variants: bool = False
) -> Iterator[CapturedDelivery]:
    """Every captured delivery under `webhooks/` (and `webhook-variants/` when asked).

    `event` filters by event name (`ORDER_CREATED`); variants match on their event too.
    """
    roots = [captures_dir() / "webhooks"]
    if variants:
        roots.append(captures_dir() / "webhook-variants")
    for root in roots:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            for path in _numbered_files(folder):
                delivery = _delivery_from_file(path)
                if event is None or delivery.event == event:
                    yield delivery


def captured_delivery(event: str, number: int = 1) -> CapturedDelivery:
    """`webhooks/<event>/<number>.json`."""
    return _delivery_from_file(captures_dir() / "webhooks" / event / f"{number}.json")


def variant_deliveries(variant: str) -> list[CapturedDelivery]:
    """The deliveries of one `webhook-variants/<variant>/` folder."""
    folder = captures_dir() / "webhook-variants" / variant
    return [_delivery_from_file(path) for path in _numbered_files(folder)]


def subscription_query(event: str, *, variant: str | None = None) -> str:
    """The exact subscription query registered for `event` when the captures were made."""
    folder = "webhook-variants" if variant else "webhooks"
    return (captures_dir() / folder / (variant or event) / "subscription.graphql").read_text(
        encoding="utf-8"
    )


def captured_events() -> list[str]:
    """Event names with a folder under `webhooks/`."""
    return sorted(p.name for p in (captures_dir() / "webhooks").iterdir() if p.is_dir())


def load_json(relative: str) -> Any:
    """A JSON file of the captures by its relative path (`jwks.json`, `tokens/…`)."""
    return json.loads((captures_dir() / relative).read_text(encoding="utf-8"))


@cache
def captured_jwks() -> dict[str, Any]:
    return load_json("jwks.json")


def transcript() -> list[dict[str, Any]]:
    """Every GraphQL request/response of the capture run, in order."""
    lines = (captures_dir() / "api" / "transcript.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _products_in(value: Any, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(value, list):
        for item in value:
            _products_in(item, found)
    elif isinstance(value, dict):
        product_id = value.get("id")
        if isinstance(product_id, str) and isinstance(value.get("slug"), str):
            try:
                is_product = base64.b64decode(product_id).startswith(b"Product:")
            except ValueError:
                is_product = False
            if is_product:
                found[value["slug"]] = {k: value[k] for k in ("id", "name", "slug") if k in value}
        for item in value.values():
            _products_in(item, found)


@cache
def _captured_products() -> tuple[tuple[tuple[str, Any], ...], ...]:
    found: dict[str, dict[str, Any]] = {}
    for delivery in captured_deliveries():
        if delivery.event.startswith("ORDER_"):
            _products_in(delivery.payload, found)
    return tuple(tuple(found[slug].items()) for slug in sorted(found))


def captured_products() -> list[dict[str, Any]]:
    """The products (id, name, slug) the captured Saleor's order webhooks mention."""
    return [dict(product) for product in _captured_products()]
