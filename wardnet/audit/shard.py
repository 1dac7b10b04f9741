"""`--shard K/N`: split the sites across N runners (AWX job slicing, a CI matrix), deterministically.

Whole sites only (a site's devices share one backup directory and one lock), balanced by device count:
largest site first onto the lightest shard, ties by site code. Every runner reading the same inventory
computes the same split without talking to the others, and the N shards cover every site exactly once.
"""

from __future__ import annotations

import re

SHARD = re.compile(r"^([0-9]{1,4})/([0-9]{1,4})$")
MAX_SHARDS = 1000  # far above any runner pool; bounds what a corrupt shard file can make merge enumerate


class ShardError(ValueError):
    pass


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' → (2, 4); K counts from 1, as AWX slices and CI matrix indices are usually shown."""
    shown = repr(text) if len(text) <= 20 else repr(text[:20] + "…")
    match = SHARD.match(text.strip())
    if not match:
        raise ShardError(f"--shard {shown}: write K/N, e.g. --shard 2/4 for the second of four runners")
    k, n = int(match[1]), int(match[2])
    if not 1 <= n <= MAX_SHARDS or not 1 <= k <= n:
        example = f"1/{min(max(n, 1), MAX_SHARDS)}"
        raise ShardError(f"--shard {shown}: K must be between 1 and N (1 ≤ N ≤ {MAX_SHARDS}), e.g. {example}")
    return k, n


def assign(sizes: dict[str, int], n: int) -> list[list[str]]:
    """Site code → device count, into n shards (each a sorted list of site codes)."""
    shards: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for code, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(n), key=lambda i: (load[i], i))
        shards[lightest].append(code)
        load[lightest] += size
    return [sorted(shard) for shard in shards]


def pick(sizes: dict[str, int], k: int, n: int) -> set[str]:
    return set(assign(sizes, n)[k - 1])
