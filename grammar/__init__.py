"""The rules language's Lark grammar files, shipped as package data, and one helper to read them."""

from __future__ import annotations

from importlib import resources


def load_grammar(name: str = "rules") -> str:
    """The text of `<name>.lark` from this package."""
    return resources.files(__package__).joinpath(f"{name}.lark").read_text(encoding="utf-8")
