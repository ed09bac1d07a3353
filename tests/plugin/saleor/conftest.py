"""Fixtures shared by the Saleor-integration tests: the captured JWKS, API URL and a test signer."""

from __future__ import annotations

from typing import Any

import pytest

from plugin.saleor.captures import captured_jwks
from plugin.saleor.testing import TestSigner


@pytest.fixture(scope="session")
def jwks() -> dict[str, Any]:
    return captured_jwks()


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    return TestSigner()
