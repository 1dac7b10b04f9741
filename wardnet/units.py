"""The official list of the city's commune-level units (wardnet/data/hcmc_units.csv), shipped with wardnet."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

UNITS_CSV = Path(__file__).resolve().parent / "data" / "hcmc_units.csv"
CITY_LEVEL_CODES = {"79000": "city Public Administrative Service Center (79 = HCMC)"}


@cache
def official_units() -> dict[str, dict[str, str]]:
    """code -> row (code, name, slug, name_en, type)."""
    with UNITS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def unknown_code_warnings(codes: list[str]) -> list[str]:
    """One warning per site code that is neither an official unit nor a city-level site."""
    known = official_units()
    return [
        f"site {code} is not in the official unit list ({UNITS_CSV.name}): check the code against the "
        "decision that created the unit; a city-level site needs an ip_plan.reserved_slots entry"
        for code in codes
        if code not in known and code not in CITY_LEVEL_CODES
    ]
