"""The frr platform's canonical text: one file, four sections, the same form for intended and running.

`!== frr` is FRR's `show running-config` after the `frr version` line, `!== nftables` is `flush ruleset` plus
`nft -s list ruleset`, `!== ovs` is one line per bridge and port (see wardnet/templates/frr/device.j2),
`!== dhcrelay` the DHCP relay the agent runs (wardnet/node/dhcrelay.py; empty: none).
Render and the device agent both pass through this module, so an unchanged device reads back byte for byte.
"""

from __future__ import annotations

import re

SECTION_MARK = "!== "
SECTIONS = ("frr", "nftables", "ovs", "dhcrelay")
FRR_VERSION_LINE = re.compile(r"^frr version ")


def split_sections(text: str) -> dict[str, str]:
    """Canonical text → {section: body}; lines before the first mark (the header comment) are dropped."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(SECTION_MARK):
            current = sections.setdefault(line[len(SECTION_MARK) :].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) + "\n" for name, lines in sections.items()}


def join_sections(sections: dict[str, str], header: str = "") -> str:
    parts = [header] if header else []
    for name in SECTIONS:
        if name in sections:
            parts.append(f"{SECTION_MARK}{name}\n{sections[name]}")
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """swp2 before swp10: digit runs compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)


def canonical_ovs(section: str) -> str:
    """Each bridge line followed by its port and bond lines in natural order of their names."""
    out: list[str] = []
    body: list[str] = []

    def flush() -> None:
        out.extend(sorted(body, key=lambda line: natural_key(line.split()[1])))
        body.clear()

    for line in section.splitlines():
        if not line.strip():
            continue
        if line.startswith(" "):
            body.append(" " + " ".join(line.split()))
        else:
            flush()
            out.append(" ".join(line.split()))
    flush()
    return "".join(line + "\n" for line in out)


def frr_from_running(text: str) -> str:
    """`show running-config` → the frr section: drop the preamble up to and including `frr version`."""
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if FRR_VERSION_LINE.match(line)), 0)
    return "".join(line + "\n" for line in lines[start:])


def canonical_text(platform: str, text: str) -> str:
    """The renderer's last step: the text in the form the platform reads it back (frr: ovs in order)."""
    from wardnet.platforms import get_platform  # the platforms build on this module: look up late

    return get_platform(platform).canonical_text(text)
