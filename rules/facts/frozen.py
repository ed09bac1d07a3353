"""Cheaper construction of frozen slotted dataclasses, which evaluation and facts make by the
thousand.

A frozen dataclass's `__init__` stores each field with `object.__setattr__(self, "name", v)`,
several times the cost of a plain attribute store. `quick_init` gives the class an `__init__`
with the same signature and defaults that fills the instance as its mutable twin (a plain class
with the very same slots: CPython lets an object change between two such classes) and then
makes it the frozen class again. Nothing else changes: the class, its equality, hashing, repr
and immutability stay the dataclass's own.

The `__init__` source is made from the class's own field names (never from merchant text), as
`dataclasses` itself makes it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")

_FACTORY = object()  # marks an argument whose default comes from a default_factory
_set_class = vars(object)["__class__"].__set__  # bypasses the frozen class's __setattr__
_TWINS: dict[type, type] = {}


def twin_of(cls: type) -> type:
    """The mutable twin of a frozen slotted dataclass: build with plain stores, then set the
    built object's `__class__` to `cls`."""
    twin = _TWINS.get(cls)
    if twin is None:
        twin = type(f"Mutable{cls.__name__}", (), {"__slots__": cls.__slots__})
        _TWINS[cls] = twin
    return twin


def quick_init(cls: type[T]) -> type[T]:
    """Replace the dataclass `__init__` of `cls` (frozen, slotted, no `__post_init__`)."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__: write its __init__ by hand")
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    if tuple(cls.__slots__) != names:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} must be a slotted dataclass of its fields only")
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY, "_set_class": _set_class,
                                 "_twin": twin_of(cls), "_cls": cls}
    params, body = [], ["    _set_class(self, _twin)"]
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = field.name
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = field.default
            params.append(f"{name}=_default_{name}")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            params.append(f"{name}=_FACTORY")
            body.insert(0, f"    if {name} is _FACTORY:\n        {name} = _factory_{name}()")
        else:
            params.append(name)
        body.append(f"    self.{name} = {name}")
    body.append("    self.__class__ = _cls")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body)
    exec(compile(source, f"<{cls.__name__}.__init__>", "exec"), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls
