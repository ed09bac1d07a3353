"""The captured Saleor 3.24 data only the tests read: its GraphQL schema, the install handshake
and the tokens its dashboard hands out (`tests/captured/`). Deliveries and the JWKS ship with the
app (`plugin.saleor.captures`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEST_CAPTURES = Path(__file__).resolve().parent / "captured"


def load_json(relative: str) -> Any:
    """A JSON file under `tests/captured/` by its relative path (`tokens/…`, `install/…`)."""
    return json.loads((TEST_CAPTURES / relative).read_text(encoding="utf-8"))


def schema_sdl() -> str:
    """Saleor 3.24's GraphQL schema, as that server printed it."""
    return (TEST_CAPTURES / "schema.graphql").read_text(encoding="utf-8")
