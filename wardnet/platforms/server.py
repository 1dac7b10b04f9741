"""The site server as the audit sees it: the sibling of the network platforms, not one of them.

A server has no rendered config, no NAPALM driver and no template set: its intended state is what
roles/server_baseline and roles/ward_dhcp_dns produce from the same inventory, so the audit runs those roles
in check mode with --diff (wardnet/audit/servers.py). What stays here, as on every platform, is data and the
platform's own judgement: which feature a managed file or a role task belongs to (the same features and
severities as the network devices, audit.model.FEATURES), and the level-2 rule set on its collected state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wardnet.platforms.base import Rules, rules

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation


class Server:
    name: ClassVar[str] = "server"
    role: ClassVar[str] = "server"
    cis_prefix: ClassVar[str | None] = None  # its level-2 rules cite no CIS benchmark
    # A managed file's feature by its path (tried first, so a file says where it belongs).
    path_rules: ClassVar[Rules] = rules(
        (r"^/etc/(ssh/|issue)", "management"),
        (
            r"^/etc/(security|pam\.d)/|^/usr/share/pam-configs/|^/etc/(login\.defs|default/useradd)"
            r"|^/etc/profile\.d/",
            "aaa",
        ),
        (r"^/etc/(chrony/|default/chrony|timezone$|localtime$)|^/etc/systemd/system/chrony", "ntp"),
        (r"^/etc/(rsyslog|audit)", "logging"),
        (r"^/etc/nftables|^nft ", "firewall"),
        (r"^/etc/kea/", "dhcp"),
        (r"^/etc/unbound/", "dns"),
        (r"^/etc/apt/", "packages"),
    )
    # Otherwise the task's tags (each task file of the roles is imported with the tag of its concern).
    tag_features: ClassVar[dict[str, str]] = {
        "ssh": "management",
        "accounts": "aaa",
        "audit": "logging",
        "logging": "logging",
        "time": "ntp",
        "firewall": "firewall",
        "wardnet_firewall_loaded": "firewall",
        "dhcp": "dhcp",
        "dns": "dns",
        "packages": "packages",
        "updates": "packages",
        "services": "packages",
    }
    baseline_features: ClassVar[tuple[str, ...]] = (
        "aaa",
        "management",
        "firewall",
        "logging",
        "ntp",
        "packages",
    )
    service_features: ClassVar[dict[str, tuple[str, ...]]] = {"dhcp_dns": ("dhcp", "dns")}

    def feature(self, path: str, tags: list[str]) -> str:
        for pattern, feature in self.path_rules:
            if path and pattern.search(path):
                return feature
        return next((self.tag_features[t] for t in tags if t in self.tag_features), "other")

    def features(self, services: tuple[str, ...]) -> list[str]:
        """What the roles manage on a server with these services, in report order."""
        from wardnet.audit.model import FEATURES

        found = set(self.baseline_features).union(*(self.service_features.get(s, ()) for s in services))
        return [f for f in FEATURES if f in found]

    def evaluate(self, state_text: str, expect: Expect) -> list[Violation]:
        """The level-2 server rules (wardnet/checks/rules_server.py) on the collected state."""
        from wardnet.checks.rules_server import RULES, ServerState

        return RULES.evaluate(ServerState.parse(state_text), expect, self.role)


SERVER = Server()
