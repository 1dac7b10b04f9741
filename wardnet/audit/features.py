"""Which feature a config line belongs to, from its top-level block and the line itself.

A line's own text is tried first (an access port's VLAN is a VLAN matter even inside `interface`), then its
top-level ancestor. The first matching rule wins; anything unmatched is `other`. The rules are each
platform's data (`line_rules`, `top_rules` in wardnet/platforms/); the features and their severities are in
model.FEATURES.
"""

from __future__ import annotations

import functools

from wardnet.platforms import get_platform


def feature_of(platform: str, path: tuple[str, ...], line: str) -> str:
    """path: the line's ancestors, outermost first (for frr, the `!== section` mark comes first)."""
    return _feature(platform, get_platform(platform).feature_top(path, line), line)


@functools.lru_cache(maxsize=1 << 16)  # a city's configs share most lines: classify each text once
def _feature(platform: str, top: str, line: str) -> str:
    driver = get_platform(platform)
    for pattern, feature in driver.line_rules:
        if pattern.match(line):
            return feature
    for pattern, feature in driver.top_rules:
        if pattern.match(top):
            return feature
    return "other"
