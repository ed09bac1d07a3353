"""The ready rules programs, one retail practice each: package data for the dashboard's gallery.

The programs are the `*.rules` files beside this module; `example_programs()` lists them the same
way from a checkout and from an installed wheel.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def example_programs(folder: Traversable | None = None) -> list[Traversable]:
    """Every `*.rules` program of this package (or of `folder`), sorted by file name."""
    folder = resources.files(__package__) if folder is None else folder
    programs = (p for p in folder.iterdir() if p.is_file() and p.name.endswith(".rules"))
    return sorted(programs, key=lambda p: p.name)
