"""Rule results per shared block body: the parser gives every config with the same block body (a port, a
line, a policy) the same children list, so a question about a body is answered once for the whole run.

A value must depend only on the body (the children, never the block's own line) and on `key`, which holds
whatever else the answer reads (expectations, the config's own policies). Trees are read-only after parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# key → {id of a children list: (that list, the value)}: the list itself is kept so its id stays its own.
# One table per key, found once per call: a key (expectations, a config's policies) is hashed once per
# rule and config, not once per port.
_TABLES: dict[Hashable, dict[int, tuple[list[Any], Any]]] = {}
_KEPT_MAX = 50_000  # bodies per key
_KEYS_MAX = 1_000


def _table(key: Hashable) -> dict[int, tuple[list[Any], Any]]:
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) >= _KEYS_MAX:
            _TABLES.clear()
        table = _TABLES[key] = {}
    elif len(table) >= _KEPT_MAX:
        table.clear()
    return table


def per_body(children: list[Any], key: Hashable, compute: Callable[..., T], *args: Any) -> T:
    """compute(*args) once per (body, key): the same body met again in another config takes the kept value."""
    if not children:
        return compute(*args)  # a line with nothing under it: its own fresh list, never met again
    table = _table(key)
    hit = table.get(id(children))
    if hit is None:
        hit = table[id(children)] = (children, compute(*args))
    return hit[1]


def per_bodies(blocks: Sequence[Any], key: Hashable, compute: Callable[[Any], T]) -> list[T]:
    """[compute(block) for block in blocks], each body answered once per key for the run, as per_body: the
    key found once for all the blocks (a switch's 50 ports)."""
    table = _table(key)
    out = []
    for block in blocks:
        children = block.children
        if not children:
            out.append(compute(block))
            continue
        hit = table.get(id(children))
        if hit is None:
            hit = table[id(children)] = (children, compute(block))
        out.append(hit[1])
    return out
