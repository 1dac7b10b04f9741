"""Level-2 rules for a site server (Debian 12, roles/server_baseline), judged on its effective state as
`wardnet audit --servers` reads it (playbooks/server_state.yml): `sshd -T` (the settings sshd applies, not
the file), `nft list ruleset` (what the kernel enforces), the PAM stacks, faillock.conf, pwquality.conf,
chrony.conf, the rsyslog forwarding and the units that run. Figures come from the city baseline (Expect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wardnet.checks.expect import Expect, Violation, number
from wardnet.checks.ruleset import RuleSet

PART = re.compile(r"^#### (.+)$", re.M)
WEAK_CRYPTO = re.compile(r"cbc|3des|arcfour|hmac-sha1|md5|diffie-hellman-group1-|diffie-hellman-group14-sha1")
INSECURE_PACKAGES = (
    "telnetd",
    "inetutils-telnetd",
    "rsh-server",
    "rsh-redone-server",
    "tftpd",
    "vsftpd",
    "nis",
)


@dataclass(frozen=True)
class ServerState:
    """One server's collected state: each `#### NAME` part of the collection's output, by name."""

    parts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> ServerState:
        names = PART.findall(text)
        bodies = PART.split(text)[2::2]
        return cls({name: body.strip("\n") for name, body in zip(names, bodies, strict=True)})

    def file(self, path: str) -> str | None:
        return self.parts.get(f"file {path}")

    @property
    def files(self) -> dict[str, str]:
        return {k.removeprefix("file "): v for k, v in self.parts.items() if k.startswith("file ")}

    @property
    def sshd(self) -> dict[str, str]:
        """`sshd -T`: lowercase keyword → value (the last one wins, as in the listing)."""
        out = {}
        for line in self.parts.get("sshd -T", "").splitlines():
            key, _, value = line.partition(" ")
            out[key.lower()] = value.strip()
        return out

    @property
    def active(self) -> dict[str, str]:
        pairs = (line.split(" ", 1) for line in self.parts.get("systemctl is-active", "").splitlines())
        return {p[0]: p[1] if len(p) > 1 else "" for p in pairs}

    @property
    def installed(self) -> set[str]:
        return {
            words[0]
            for line in self.parts.get("dpkg", "").splitlines()
            if len(words := line.split()) >= 3 and words[-1].startswith("ii")
        }

    @property
    def useradd_defaults(self) -> dict[str, str]:
        """`useradd -D`: KEY=VALUE per line (INACTIVE=-1 is Debian's default: never disabled)."""
        pairs = (line.partition("=") for line in self.parts.get("useradd -D", "").splitlines())
        return {key.strip(): value.strip() for key, sep, value in pairs if sep}

    @property
    def inactive_days(self) -> dict[str, str]:
        """`passwd -S` of each login account: name → the inactive field (7th; "-1" never)."""
        rows = (line.split() for line in self.parts.get("passwd -S", "").splitlines())
        return {words[0]: words[6] if len(words) >= 7 else "" for words in rows if words}

    def settings(self, path: str) -> dict[str, str]:
        """`key = value` / `key value` / a bare flag, comments dropped."""
        out = {}
        for raw in (self.file(path) or "").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                key, _, value = line.replace("=", " ", 1).partition(" ")
                out[key.strip()] = value.strip()
        return out


RULES: RuleSet[ServerState] = RuleSet()
rule = RULES.rule  # called after each rule, not as a decorator: mutmut mutates no decorated function


def _input_chain(ruleset: str) -> list[str]:
    """The lines of `chain input` of `table inet wardnet`, as nft lists them."""
    table = ruleset.split("table inet wardnet {", 1)
    if len(table) < 2:
        return []
    chain = table[1].split("chain input {", 1)
    if len(chain) < 2:
        return []
    return [line.strip() for line in chain[1].split("\n\t}", 1)[0].splitlines() if line.strip()]


def _services_chain(ruleset: str) -> list[str]:
    table = ruleset.split("table inet wardnet {", 1)
    chain = table[1].split("chain services {", 1) if len(table) > 1 else []
    if len(chain) < 2:
        return []
    return [line.strip() for line in chain[1].split("\n\t}", 1)[0].splitlines() if line.strip()]


def _ports(line: str) -> set[int]:
    found = re.search(r"dport (\{[^}]*\}|\S+)", line)
    if not found:
        return set()
    words = re.split(r"[{},\s]+", found.group(1))
    named = {"ssh": 22, "telnet": 23, "http": 80, "https": 443}
    return {int(w) if w.isdigit() else named.get(w, -1) for w in words if w} - {-1}


def host_firewall(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    ruleset = state.parts.get("nft list ruleset", "")
    lines = _input_chain(ruleset)
    if not lines or not any("hook input" in line and "policy drop" in line for line in lines):
        return [
            Violation(
                "L2-FLOW-01",
                "host firewall: no `table inet wardnet` input chain with policy drop is loaded",
                "reload the configured firewall: systemctl reload nftables (or --remediate --commit)",
            )
        ]
    out = []
    for line in lines + _services_chain(ruleset):
        if not line.endswith("accept") or "saddr" in line or "iif" in line or "ct state established" in line:
            continue
        if 23 in _ports(line):
            out.append(Violation("L2-MGMT-03", f"host firewall accepts telnet: {line}", "remove the rule"))
        elif _ports(line) & {22, 80, 443}:
            out.append(
                Violation(
                    "L2-MGMT-02",
                    f"host firewall accepts management from any source: {line}",
                    "accept SSH only from the management sources (set management_v4)",
                )
            )
    return out


rule(host_firewall)


def ssh_daemon(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    sshd = state.sshd
    if not sshd:
        return [
            Violation("L2-MGMT-03", "sshd -T gave no settings (sshd missing or broken)", "reinstall sshd")
        ]
    out = []
    if sshd.get("permitrootlogin", "") != "no":
        out.append(
            Violation(
                "L2-AAA-02", f"sshd: PermitRootLogin {sshd.get('permitrootlogin')}", "PermitRootLogin no"
            )
        )
    if sshd.get("passwordauthentication") != "no" or sshd.get("permitemptypasswords") != "no":
        out.append(
            Violation(
                "L2-AAA-03", "sshd accepts passwords", "PasswordAuthentication no, PermitEmptyPasswords no"
            )
        )
    for key in ("ciphers", "macs", "kexalgorithms"):
        weak = [a for a in sshd.get(key, "").split(",") if WEAK_CRYPTO.search(a)]
        if weak:
            out.append(Violation("L2-CRYPTO-01", f"sshd {key}: {', '.join(weak)}", f"drop them from {key}"))
    # sshd_config(5): ClientAliveInterval 0 (no keepalive, never closed) and ClientAliveCountMax 3 by default
    idle = number(sshd.get("clientaliveinterval", "0"), 0) * number(sshd.get("clientalivecountmax", "3"), 0)
    if idle == 0 or idle > expect.idle_minutes * 60:
        out.append(
            Violation(
                "L2-AAA-05",
                f"sshd idle sessions are closed after {idle or 'no'} s (baseline {expect.idle_minutes} min)",
                "ClientAliveInterval × ClientAliveCountMax within the idle timeout",
            )
        )
    if sshd.get("banner", "none") == "none":
        out.append(Violation("L2-BANNER-01", "sshd shows no login banner", "Banner /etc/issue.net"))
    return out


rule(ssh_daemon)


def lockout_and_passwords(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    out = []
    faillock = state.settings("/etc/security/faillock.conf")
    # pam_faillock(8): failures are counted in the auth phase, so common-auth must call it (`#`: a comment)
    auth = [line.split("#", 1)[0] for line in (state.file("/etc/pam.d/common-auth") or "").splitlines()]
    counted = any("pam_faillock.so" in line for line in auth)
    # faillock.conf(5) (Linux-PAM 1.5.2, Debian 12): unset, deny is 3 and unlock_time 600 s; 0 is never
    deny = number(faillock.get("deny", "3"), 0)
    unlock = number(faillock.get("unlock_time", "600"), 0)
    if not counted or not 0 < deny <= expect.max_failed_logins or 0 < unlock < expect.lockout_seconds:
        out.append(
            Violation(
                "L2-AAA-06",
                f"lockout: pam_faillock {'in' if counted else 'not in'} the PAM stack, "
                f"deny={deny}, unlock_time={unlock or 'never'}",
                f"pam_faillock, deny ≤ {expect.max_failed_logins}, unlock_time ≥ {expect.lockout_seconds}",
            )
        )
    quality = state.settings("/etc/security/pwquality.conf")
    if (
        number(quality.get("minlen", "0"), 0) < expect.min_password_length
        or number(quality.get("minclass", "0"), 0) < 4
    ):
        out.append(
            Violation(
                "L2-AAA-04",
                "password policy: "
                f"minlen={quality.get('minlen', 'unset')}, minclass={quality.get('minclass', 'unset')}",
                f"pwquality minlen ≥ {expect.min_password_length}, minclass = 4",
            )
        )
    return out


rule(lockout_and_passwords)


def logging_and_time(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    out = []
    forward = state.file("/etc/rsyslog.d/90-wardnet-forward.conf") or ""
    targets = set(re.findall(r'target="([^"]+)"', forward))
    if state.active.get("rsyslog") != "active" or not expect.syslog_servers <= targets:
        out.append(
            Violation(
                "L2-LOG-01",
                f"logging: rsyslog {state.active.get('rsyslog', 'unknown')}, forwarding to "
                f"{', '.join(sorted(targets)) or 'nothing'}",
                f"forward to {', '.join(sorted(expect.syslog_servers))} and keep rsyslog running",
            )
        )
    chrony = state.file("/etc/chrony/chrony.conf") or ""
    # chrony reads a directive after any leading blanks: the first word decides
    servers = {
        w[1] for line in chrony.splitlines() if len(w := line.split()) > 1 and w[0] in ("server", "pool")
    }
    if not servers or not servers <= expect.ntp_servers:
        out.append(
            Violation(
                "L2-NTP-01",
                f"time: chrony uses {', '.join(sorted(servers)) or 'no server'}",
                f"only the city NTP servers: {', '.join(sorted(expect.ntp_servers))}",
            )
        )
    return out


rule(logging_and_time)


def insecure_services(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    found = sorted(state.installed & set(INSECURE_PACKAGES))
    if state.active.get("telnet.socket") == "active":
        found.append("telnet.socket (active)")
    return [Violation("L2-SVC-01", f"insecure services: {', '.join(found)}", "purge them")] if found else []


rule(insecure_services)


def _within(days: str, limit: int) -> bool:
    """shadow's inactive field: 0..limit days disables; -1 or empty never does."""
    return days.isdigit() and int(days) <= limit


def inactive_accounts(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    """LEVEL2 item 27 (§4.6.2.3): accounts disabled after the baseline's days without use. Linux's mechanism
    is shadow's inactive field (shadow(5): days after the password expired, unchanged, before the account
    is disabled): useradd's INACTIVE default for new accounts, `chage --inactive` on existing ones."""
    limit = expect.inactive_account_days
    fix = f"INACTIVE={limit} in /etc/default/useradd and chage --inactive {limit} on login accounts"
    if "useradd -D" not in state.parts:
        return [Violation("L2-SRV-01", "inactive accounts: useradd -D was not read", fix)]
    out = []
    default = state.useradd_defaults.get("INACTIVE", "")
    if not _within(default, limit):
        out.append(
            Violation("L2-SRV-01", f"new accounts are never disabled when inactive (INACTIVE={default})", fix)
        )
    loose = sorted(
        f"{user} ({days or '?'})" for user, days in state.inactive_days.items() if not _within(days, limit)
    )
    if loose:
        out.append(
            Violation(
                "L2-SRV-01",
                f"login accounts not disabled after {limit} inactive days: {', '.join(loose)}",
                fix,
            )
        )
    return out


rule(inactive_accounts)


def anti_malware(state: ServerState, expect: Expect, role: str) -> list[Violation]:
    """LEVEL2 item 27 (§4.10.2.1–2): a scanner the baseline names is installed and its daemon runs, or the
    baseline records the decision not to run one (server_policy.anti_malware.absence) with its reason."""
    running = sorted(
        p for p in expect.anti_malware_scanners if p in state.installed and state.active.get(p) == "active"
    )
    if running or (expect.anti_malware_absence and not expect.anti_malware_scanners):
        return []
    if expect.anti_malware_scanners:
        found = ", ".join(
            f"{p} {'not installed' if p not in state.installed else state.active.get(p) or 'not running'}"
            for p in sorted(expect.anti_malware_scanners)
        )
        return [Violation("L2-SRV-02", f"anti-malware: {found}", "install the scanner and start its daemon")]
    return [
        Violation(
            "L2-SRV-02",
            "anti-malware: no scanner named in the baseline and no documented decision not to run one",
            "server_policy.anti_malware: list the scanner packages, or record the absence and its reason",
        )
    ]


rule(anti_malware)
