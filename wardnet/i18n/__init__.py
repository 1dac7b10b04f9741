"""Report languages: one message catalogue (messages.yml beside this module), Vietnamese and English.

Templates call `t("key")` (or `t("key", n=3)` with str.format fields); a key missing from the catalogue or
a language missing from a key is an error at render time, never an English word left in a Vietnamese page.
The city baseline's `city.language` picks the default (vi for Ho Chi Minh City); `--lang` overrides it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("vi", "en")
CATALOGUE = Path(__file__).resolve().parent / "messages.yml"


class MissingMessageError(KeyError):
    pass


@cache
def catalogue() -> dict[str, dict[str, str]]:
    # libyaml's safe loader where PyYAML has it: the same data, a tenth of the pure-Python loader's time
    data = yaml.load(
        CATALOGUE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    return {str(k): {str(lang): str(text) for lang, text in v.items()} for k, v in data.items()}


def translator(lang: str) -> Callable[..., str]:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: give one of {', '.join(LANGUAGES)}")

    def t(key: str, **fields: Any) -> str:
        # the catalogue is read on the first message: a Renderer that renders device configs only (the
        # check) never reads it
        try:
            text = catalogue()[key][lang]
        except KeyError:
            raise MissingMessageError(f"{CATALOGUE.name}: no {lang!r} text for {key!r}") from None
        return text.format(**fields) if fields else text

    return t


def default_language(inventory: Path) -> str:
    """The baseline's city.language, read without validating the whole inventory (merge has no sites)."""
    baseline = inventory / "group_vars" / "all" / "baseline.yml"
    try:
        data = yaml.safe_load(baseline.read_text(encoding="utf-8")) or {}
    except OSError:
        return "en"
    lang = (data.get("city") or {}).get("language", "en")
    return lang if lang in LANGUAGES else "en"
