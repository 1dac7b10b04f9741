"""Rule results per shared block body: the parser gives every config with the same block body (a port, a
line, a policy) the same children list, so a question about a body is answered once for the whole run.

A value must depend only on the body (the children, never the block's own line) and on `key`, which holds
whatever else the answer reads (expectations, the config's own policies). Trees are read-only after parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# (id of a children list, key) → (that list, the value): the list itself is kept so its id stays its own.
_KEPT: dict[tuple[int, Hashable], tuple[list[Any], Any]] = {}
_KEPT_MAX = 50_000


def per_body(children: list[Any], key: Hashable, compute: Callable[..., T], *args: Any) -> T:
    """compute(*args) once per (body, key): the same body met again in another config takes the kept value."""
    if not children:
        return compute(*args)  # a line with nothing under it: its own fresh list, never met again
    memo = (id(children), key)
    hit = _KEPT.get(memo)
    if hit is not None:
        return hit[1]  # type: ignore[no-any-return]
    value = compute(*args)
    if len(_KEPT) >= _KEPT_MAX:
        _KEPT.clear()
    _KEPT[memo] = (children, value)
    return value
