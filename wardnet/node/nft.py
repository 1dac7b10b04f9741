"""nftables: the whole ruleset is read with `nft -s list ruleset` and replaced atomically with `nft -f`."""

from __future__ import annotations

import subprocess
import tempfile

FLUSH = "flush ruleset\n"


def read_live() -> str:
    out = subprocess.run(["nft", "-s", "list", "ruleset"], check=True, capture_output=True, text=True)
    return FLUSH + out.stdout


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


def canonical(section: str) -> str:
    """The ruleset as this kernel's nft would list it once loaded (sets merged and ordered its way): load it
    into a throw-away network namespace and list it there. Nothing on the device changes."""
    text = section if section.startswith(FLUSH) else FLUSH + section
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
