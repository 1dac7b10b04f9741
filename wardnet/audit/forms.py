"""Both configs in the device's own form before they are compared, so only real drift remains.

The same rules the deploy drivers use to make a replace exact decide what the audit compares:
- IOS-XE: the intended config completed with the stanzas the switch owns (stack members, licence,
  trustpoints, the CPU policy, ports the design leaves alone) and written as the switch prints it
  (vty ranges, ACL sequence numbers): napalm_wardnet_ios.candidate.complete.
- FortiOS: the `config` blocks the intended config manages, both sides rendered alike; the running side
  read beside the intended one (the device's own entries in tables it ships filled are not ours; values
  `show` leaves out at their default come from `show full-configuration`): napalm_fortinet.config.
  Blocks the intended config does not name are not audited, exactly as a deploy leaves them alone.
- frr: already canonical (the device agent renders the intended config itself, see collect.py).
"""

from __future__ import annotations

from napalm_fortinet import config as fortios
from napalm_wardnet_ios.candidate import complete

from wardnet import secrets


def _fortios_blocks(node: fortios.Node) -> str:
    lines = []
    for sub in node.subs.values():
        lines += [f"config {sub.raw}", *fortios.render(sub, 1), "end"]
    return "".join(line + "\n" for line in lines)


def device_forms(platform: str, intended: str, running: str, defaults: str = "") -> tuple[str, str]:
    """(intended, running) ready for normalise and compare; texts must already be secret-masked."""
    if platform == "cisco_iosxe":
        return complete(intended, running), running
    if platform == "fortios":
        candidate = fortios.parse(secrets.redact("fortios", intended))
        shown = fortios.parse(secrets.redact("fortios", running))
        full = fortios.parse(defaults) if defaults else None
        seen = fortios.with_defaults(shown, full, candidate)
        view = fortios.Node(
            seen.raw,
            subs={
                name: fortios.view(seen.subs.get(name, fortios.Node(sub.raw)), sub, name, False)
                for name, sub in candidate.subs.items()
            },
        )
        return _fortios_blocks(candidate), _fortios_blocks(view)
    return intended, running
