"""--shard K/N: every site in exactly one shard, the same split on every runner, balanced by devices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wardnet.audit.shard import ShardError, assign, parse_shard, pick
from wardnet.inventory import Inventory

sizes = st.dictionaries(st.from_regex(r"[0-9]{5}", fullmatch=True), st.integers(1, 40), max_size=60)


@given(sizes, st.integers(1, 8))
def test_shards_cover_every_site_once(sites: dict[str, int], n: int) -> None:
    shards = assign(sites, n)
    assert len(shards) == n
    flat = [code for shard in shards for code in shard]
    assert sorted(flat) == sorted(sites)
    assert assign(dict(reversed(list(sites.items()))), n) == shards  # input order does not matter


def test_the_city_splits_evenly_by_devices(inventory: Inventory) -> None:
    from wardnet.pipeline import designs

    counts = {d.plan.site.code: len(d.devices) for d in designs(inventory)}
    loads = [sum(counts[c] for c in pick(counts, k, 4)) for k in range(1, 5)]
    assert sum(loads) == sum(counts.values())
    assert max(loads) - min(loads) <= max(counts.values())


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0", "-1/2"])
def test_bad_shard_is_a_clear_error(text: str) -> None:
    with pytest.raises(ShardError, match="--shard"):
        parse_shard(text)


def test_parse_shard() -> None:
    assert parse_shard("2/4") == (2, 4) and parse_shard(" 1/1 ") == (1, 1)
