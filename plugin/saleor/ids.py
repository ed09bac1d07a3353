"""Saleor global ids: base64 of `Type:pk` (`Order:<uuid>`, `User:47`)."""

from __future__ import annotations

import base64
import binascii

_MAX_ID_LENGTH = 200


class InvalidGlobalId(ValueError):
    """Not a Saleor global id (or not of the expected type)."""


def encode_global_id(type_name: str, pk: object) -> str:
    """`("User", 47)` → `VXNlcjo0Nw==`."""
    if not type_name or ":" in type_name:
        raise InvalidGlobalId(f"bad type name {type_name!r}")
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode_global_id(global_id: str) -> tuple[str, str]:
    """`VXNlcjo0Nw==` → `("User", "47")`; raises InvalidGlobalId on anything else."""
    if not isinstance(global_id, str) or not global_id or len(global_id) > _MAX_ID_LENGTH:
        raise InvalidGlobalId(f"not a global id: {global_id!r}")
    try:
        decoded = base64.b64decode(global_id, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidGlobalId(f"not a global id: {global_id!r}") from exc
    type_name, sep, pk = decoded.partition(":")
    if not sep or not type_name or not pk or not type_name.isidentifier():
        raise InvalidGlobalId(f"not a global id: {global_id!r}")
    return type_name, pk


def global_id_pk(global_id: str, expected_type: str) -> str:
    """The pk of a global id that must be of `expected_type`."""
    type_name, pk = decode_global_id(global_id)
    if type_name != expected_type:
        raise InvalidGlobalId(f"expected a {expected_type} id, got a {type_name} id")
    return pk
