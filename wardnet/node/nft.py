"""nftables: the whole ruleset is read with `nft -s list ruleset` and replaced atomically with `nft -f`."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

FLUSH = "flush ruleset\n"


STATE = Path(os.environ.get("WARDNET_NODE_STATE", "/var/lib/wardnet"))
CACHE_NAME = "nft-canonical.json"


def read_live(state: Path = STATE, known: dict[str, str] | None = None) -> str:
    """The running ruleset in canonical form (see canonical): what a candidate made canonical compares to.

    The listing's canonical form is kept for the next read (`state`/nft-canonical.json, one entry: the
    last listing): an unchanged ruleset is not loaded again in throw-away namespaces on every `show`. The
    entry is keyed by the listing itself (the whole text, compared in full), the nft binary and the kernel,
    so any change of the ruleset, however small, of nft or of the kernel misses it and is made canonical
    afresh. `known`: texts this process has just made canonical on this nft and kernel (each text `canonical`
    met on its way, with the form it settled on): a listing among them is answered from it."""
    listing = _listing()
    key = _cache_key(listing)
    cache = state / CACHE_NAME
    if known and listing in known:
        text = known[listing]
    else:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            entry = json.loads(cache.read_text())
            if entry["key"] == key:
                return str(entry["canonical"])
        text = canonical(listing)
    temporary = cache.with_name(f".{CACHE_NAME}.{os.getpid()}")
    try:  # a full or read-only state costs the next `show` time, never this one's answer
        temporary.write_text(json.dumps({"key": key, "canonical": text}))
        temporary.replace(cache)  # atomic: a concurrent `show` reads the old entry or the new one
    except OSError:
        temporary.unlink(missing_ok=True)
    return text


def _listing() -> str:
    out = subprocess.run(["nft", "-s", "list", "ruleset"], check=True, capture_output=True, text=True)
    return FLUSH + out.stdout


def _which(name: str) -> str:
    """shutil.which without shutil (whose import costs every `show` more than this loop)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return name


def _cache_key(listing: str) -> str:
    """The nft binary (path, size, mtime), the kernel, then the whole listing: compared whole, not hashed."""
    binary = _which("nft")
    try:
        stat = os.stat(binary)
        version = f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        version = binary
    version += f":{os.uname().release}"  # the kernel lists and loads the ruleset too
    return f"{version}\0{listing}"


def _nft_file(args: list[str], text: str) -> None:
    import tempfile

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


def canonical(section: str, listed: dict[str, str] | None = None) -> str:
    """The ruleset as this kernel's nft lists it once loaded (sets merged and ordered its way), fed back
    until it no longer changes: nft prints a merged one-prefix anonymous set as `ip saddr { 10.65.52.0/23 }`
    and, loaded again, as `ip saddr 10.65.52.0/23`, so a single round-trip is not stable and a device would
    diff against its own running ruleset. Loaded in throw-away network namespaces: nothing on the device
    changes.

    `listed`, when given, receives each text met on the way (the section, then each listing) mapped to the
    form they all settle on: the round trip is a function of the text, nft and the kernel, so each of them,
    made canonical, settles on that same form (a device whose ruleset is this section lists one of them)."""
    text = section if section.startswith(FLUSH) else FLUSH + section
    met = [text]
    for _ in range(ROUNDS):
        out = _round_trip(text)
        if out == text:
            if listed is not None:
                listed.update(dict.fromkeys(met, out))
            return out
        text = out
        met.append(text)
    raise RuntimeError(f"nft listing did not settle after {ROUNDS} load/list rounds")


def _round_trip(text: str) -> str:
    import tempfile

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
