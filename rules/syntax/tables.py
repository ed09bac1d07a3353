"""The parser's LALR tables, built once and shipped beside the grammar (`grammar/<name>.tables`),
so a fresh process loads them in a few milliseconds instead of analysing the grammar (~100 ms).

The file opens with the key it was built for: a hash of the grammar's text, Lark's version and
the parser's options. It is used only while that key still matches; after any change to one of
them the parser is built from the grammar as before (and a test fails until the file is written
again with `scripts/build-parser-tables`). The rest is Lark's own `Lark.save` format; the file is
package data of this project, trusted like its code.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.lark import _LOAD_ALLOWED_OPTIONS

import grammar

# what building needs and loading must not be given: the transformer and the post-lexer are
# passed at load time (Lark keeps no code in the file)
_RUNTIME_OPTIONS = frozenset(_LOAD_ALLOWED_OPTIONS)


def tables_path(name: str) -> Path:
    """Where the tables of grammar `name` live: beside `<name>.lark` in the grammar package."""
    return Path(grammar.__file__).resolve().parent / f"{name}.tables"


def tables_key(grammar_text: str, options: dict[str, Any]) -> str:
    """What the tables depend on: the grammar, Lark's version and the options fixed at build."""
    fixed = sorted((key, repr(value)) for key, value in options.items()
                   if key not in _RUNTIME_OPTIONS)
    text = "\n".join([grammar_text, lark.__version__, repr(fixed)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tables_load(path: Path, key: str, **runtime: Any) -> Lark | None:
    """The parser from the tables at `path` if they were built for `key`, else None."""
    try:
        with path.open("rb") as file:
            if file.readline().rstrip(b"\n") != key.encode("ascii"):
                return None
            return _load(file, runtime)
    except FileNotFoundError:
        return None


def _load(file: io.BufferedIOBase, runtime: dict[str, Any]) -> Lark:
    # `Lark.load` takes no runtime options; its `_load` is what Lark's own cache calls with them
    return Lark.__new__(Lark)._load(file, **runtime)


def tables_write(path: Path, key: str, parser: Lark) -> None:
    """Stores `parser`'s tables (built from the grammar) under `key`."""
    buffer = io.BytesIO()
    buffer.write(key.encode("ascii") + b"\n")
    parser.save(buffer, exclude_options=_RUNTIME_OPTIONS)
    path.write_bytes(buffer.getvalue())
