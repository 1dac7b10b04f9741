"""The command-line options every subcommand spells the same way: --inventory, --site, --format."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

DEFAULT_INVENTORY = Path("inventories")


def add_inventory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", type=Path, default=DEFAULT_INVENTORY, help="inventory folder")


def add_sites(
    parser: argparse.ArgumentParser,
    required: bool = False,
    help: str = "official site code; repeat for several",
) -> None:
    parser.add_argument("--site", action="append", dest="sites", metavar="CODE", required=required, help=help)


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], default: str) -> None:
    parser.add_argument("--format", choices=list(choices), default=default, help="output format")
