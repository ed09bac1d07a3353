"""Hypothesis strategies for request bodies an attacker or a broken client might send: JSON of
every shape and wrong type, huge and tiny numbers, unicode, plus raw bytes no parser accepts."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

NASTY_TEXT = ["", " ", "0", "-1", "1e400", "NaN", "null", "true", "[]", "{}",
              "\U0001d518\U0001d52b\u00e9 \u2713 \u4e2d\u6587",
              "\u202eevil", "\x00", "\ud7ff", "a" * 5000, "<script>x</script>", "' OR 1=1 --",
              "../../etc/passwd", "2026-02-30", "USD", "999999999999999999999999 USD"]

scalars = (
    st.none() | st.booleans()
    | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40) | st.sampled_from(NASTY_TEXT)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=16,
)

RAW_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b'{"source": ' + b"9" * 6_000 + b"}",
    b'{"x": NaN}', b'{"x": 1e999}', b'{"x": -Infinity}',
    b"\xff\xfe\x00{", b"", b"{", b"null", b"[]", b'"text"', b"{}" * 3,
    b'{"source": "\\u0000"}', b'{"\\ud800": 1}',
]


def object_with(keys: list[str]):
    """A JSON object using the endpoint's own field names (with wrong types) and stray keys."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), json_values, max_size=6)


def bodies(keys: list[str]):
    """Raw bytes of a body: mostly well-formed JSON of the wrong shape, sometimes not JSON."""
    well_formed = (object_with(keys) | json_values).map(
        lambda value: json.dumps(value).encode())
    return well_formed | st.sampled_from(RAW_BODIES)


def bounded(examples: int) -> settings:
    """Few examples, no deadline: enough to find a 500, fast enough for every run."""
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _paths(value, prefix: tuple = ()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@st.composite
def mutated(draw, base, times: int = 3):
    """A copy of a good request with up to `times` values (or whole parts) swapped for others."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=times))):
        path = draw(st.sampled_from(list(_paths(value))))
        replacement = draw(json_values)
        if not path:
            value = replacement
            continue
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = replacement
    return value
