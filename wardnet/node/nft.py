"""nftables: the whole ruleset is read with `nft -s list ruleset` and replaced atomically with `nft -f`."""

from __future__ import annotations

import subprocess
import tempfile

FLUSH = "flush ruleset\n"


def read_live() -> str:
    """The running ruleset in canonical form (see canonical): what a candidate made canonical compares to."""
    out = subprocess.run(["nft", "-s", "list", "ruleset"], check=True, capture_output=True, text=True)
    return canonical(FLUSH + out.stdout)


def _nft_file(args: list[str], text: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".nft") as handle:
        handle.write(text)
        handle.flush()
        done = subprocess.run(["nft", *args, "-f", handle.name], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"nft {' '.join(args) or '-f'} refused the ruleset: {done.stderr.strip()[-800:]}")


def apply(section: str) -> None:
    """Check first (`nft -c`): a ruleset the kernel refuses never replaces the running one."""
    text = section if section.startswith(FLUSH) else FLUSH + section
    _nft_file(["-c"], text)
    _nft_file([], text)


ROUNDS = 3  # nft 1.0.6 settles after one more round (see canonical); more means a bug: say so


def canonical(section: str) -> str:
    """The ruleset as this kernel's nft lists it once loaded (sets merged and ordered its way), fed back
    until it no longer changes: nft prints a merged one-prefix anonymous set as `ip saddr { 10.65.52.0/23 }`
    and, loaded again, as `ip saddr 10.65.52.0/23`, so a single round-trip is not stable and a device would
    diff against its own running ruleset. Loaded in throw-away network namespaces: nothing on the device
    changes."""
    text = section if section.startswith(FLUSH) else FLUSH + section
    for _ in range(ROUNDS):
        listed = _round_trip(text)
        if listed == text:
            return listed
        text = listed
    raise RuntimeError(f"nft listing did not settle after {ROUNDS} load/list rounds")


def _round_trip(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".nft") as handle:
        handle.write(text)
        handle.flush()
        done = subprocess.run(
            ["unshare", "--net", "sh", "-c", f"nft -f {handle.name} && nft -s list ruleset"],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"nft refused the ruleset: {done.stderr.strip()[-800:]}")
    return FLUSH + done.stdout
