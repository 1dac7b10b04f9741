"""`wardnet audit --servers` without a server: the callback's changed tasks become findings with feature,
file and line; the level-2 server rules judge a collected state; features and severities are the devices'."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.audit.model import FEATURES
from wardnet.audit.servers import (
    ServerCollected,
    ServerTarget,
    audit_server,
    planned,
    server_targets,
    task_findings,
)
from wardnet.checks.expect import Expect
from wardnet.checks.rules_server import ServerState
from wardnet.inventory import load_inventory
from wardnet.platforms.server import SERVER

SSHD_INTENDED = "Port 22\nLogLevel VERBOSE\nPermitRootLogin no\nMaxAuthTries 3\n"
SSHD_RUNNING = "Port 22\nLogLevel VERBOSE\nPermitRootLogin yes\nMaxAuthTries 3\nPermitTunnel yes\n"

TEMPLATE_TASK = {  # as plugins/callback/wardnet_audit.py records a template task in check mode
    "task": "Write the hardened sshd configuration (checked with sshd -t first)",
    "role": "server_baseline",
    "tags": ["ssh"],
    "action": "ansible.builtin.template",
    "status": "changed",
    "changed": True,
    "diff": [
        {
            "before": SSHD_RUNNING,
            "after": SSHD_INTENDED,
            "before_header": "/etc/ssh/sshd_config",
            "after_header": "/root/.ansible/tmp/sshd_config.j2",
        }
    ],
}

LOADED_TASK = {  # the role's compare of the loaded firewall (diff -u configured loaded)
    "task": "Compare the loaded firewall with the configured one",
    "role": "server_baseline",
    "tags": ["firewall", "wardnet_firewall_loaded"],
    "action": "ansible.builtin.shell",
    "status": "changed",
    "rc": 1,
    "stdout": "--- configured\n+++ loaded\n@@ -22,5 +22,6 @@\n"
    "\t\ttcp dport 22 ip6 saddr @management_v6 ct state new accept\n\t\tjump services\n"
    '\t\tlimit rate 10/second log prefix "wardnet-drop: " level info\n+\t\ttcp dport 23 accept\n\t}\n',
}

KEA_TASK = {
    "task": "Write the Kea DHCPv4 configuration",
    "role": "ward_dhcp_dns",
    "tags": ["dhcp"],
    "action": "ansible.builtin.template",
    "status": "changed",
    "diff": {
        "before": '{\n  "pools": [ { "pool": "10.65.10.50 - 10.65.10.60" } ]\n}\n',
        "after": '{\n  "pools": [ { "pool": "10.65.10.50 - 10.65.10.250" } ]\n}\n',
        "before_header": "/etc/kea/kea-dhcp4.conf",
        "after_header": "kea-dhcp4.conf.j2",
    },
}

UNIT_TASK = {
    "task": "Keep rsyslog enabled and running",
    "role": "server_baseline",
    "tags": ["logging"],
    "action": "ansible.builtin.systemd_service",
    "status": "changed",
    "changed": True,
}


def test_a_changed_sshd_option_is_a_management_finding_with_file_and_line() -> None:
    found, diff = task_findings(TEMPLATE_TASK)
    changed = [f for f in found if f.kind == "changed"]
    assert [(f.feature, f.section, f.intended, f.running) for f in changed] == [
        ("management", "/etc/ssh/sshd_config:3", "PermitRootLogin no", "PermitRootLogin yes")
    ]
    extra = [f for f in found if f.kind == "extra"]
    assert [(f.section, f.running) for f in extra] == [("/etc/ssh/sshd_config:5", "PermitTunnel yes")]
    assert FEATURES[changed[0].feature] == "critical"  # ssh: the same severity as a switch's vty lines
    assert "-PermitRootLogin no" in diff and "+PermitRootLogin yes" in diff


def test_a_rule_added_at_run_time_is_a_firewall_finding_in_the_loaded_table() -> None:
    found, diff = task_findings(LOADED_TASK)
    assert [(f.kind, f.feature, f.section, f.running) for f in found] == [
        ("extra", "firewall", "nft list table inet wardnet:25", "tcp dport 23 accept")
    ]
    assert "+\t\ttcp dport 23 accept" in diff


def test_a_kea_pool_edit_is_a_dhcp_finding_and_a_unit_change_keeps_its_feature() -> None:
    found, _ = task_findings(KEA_TASK)
    assert [(f.kind, f.feature, f.section) for f in found] == [
        ("changed", "dhcp", "/etc/kea/kea-dhcp4.conf:2")
    ]
    assert "10.65.10.250" in found[0].intended and "10.65.10.60" in found[0].running
    found, _ = task_findings(UNIT_TASK)
    assert [(f.kind, f.feature, f.intended) for f in found] == [("changed", "logging", UNIT_TASK["task"])]


def server(tasks: list[dict], state: str = "", error: str = "") -> ServerCollected:
    target = ServerTarget("hcm-26743-srv1", BEN_THANH, ("dhcp_dns",))
    return ServerCollected(target, tasks=tasks, state=state, error=error)


def test_a_drifted_server_is_one_device_of_the_audit_with_its_compliance() -> None:
    device = audit_server(server([TEMPLATE_TASK, KEA_TASK]), [], None)
    assert (device.platform, device.status) == ("server", "drift")
    assert device.features == ["aaa", "management", "firewall", "logging", "ntp", "packages", "dhcp", "dns"]
    assert device.drifted_features() == ["management", "dhcp"]
    assert device.compliance() == pytest.approx(100 * 6 / 8)
    assert "--limit hcm-26743-srv1" in device.remediation and "commit=true" in device.remediation
    clean = audit_server(server([]), [], None)
    assert (clean.status, clean.compliance(), clean.remediation) == ("compliant", 100.0, "")
    down = audit_server(server([], error="unreachable (timed out)"), [], None)
    assert (down.status, down.compliance()) == ("not-audited", None)


GOOD_STATE = """#### sshd -T
port 22
permitrootlogin no
passwordauthentication no
permitemptypasswords no
ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com
macs hmac-sha2-512-etm@openssh.com
kexalgorithms curve25519-sha256
clientaliveinterval 60
clientalivecountmax 3
banner /etc/issue.net
#### nft list ruleset
table inet wardnet {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\ttcp dport 22 ip saddr @management_v4 ct state new accept
\t\tjump services
\t}
\tchain services {
\t}
}
#### useradd -D
GROUP=100
HOME=/home
INACTIVE=45
EXPIRE=
SHELL=/bin/sh
#### passwd -S
nguyen.van.a P 2026-11-02 1 90 14 45
#### systemctl is-active
rsyslog active
telnet.socket inactive
clamav-daemon active
#### dpkg
openssh-server 1:9.2p1-2 ii
clamav-daemon 1.0.7+dfsg-1~deb12u1 ii
#### file /etc/security/faillock.conf
deny = 5
unlock_time = 900
#### file /etc/pam.d/common-auth
auth required pam_faillock.so preauth
#### file /etc/security/pwquality.conf
minlen = 14
minclass = 4
#### file /etc/rsyslog.d/90-wardnet-forward.conf
*.info action(type="omfwd" target="10.0.0.20" port="514")
#### file /etc/chrony/chrony.conf
server 10.0.0.10 iburst key 1
"""

EXPECT = Expect(
    management_sources=frozenset({"10.0.1.0/24"}),
    syslog_servers=frozenset({"10.0.0.20"}),
    ntp_servers=frozenset({"10.0.0.10"}),
    dns_servers=frozenset(),
    utc_offset_hours=7,
    parking_vlan=999,
    management_vlan=99,
    anti_malware_absence="No scanner on the ward DHCP/DNS servers: no user files, mail or web content.",
)


def rules(state: str) -> set[str]:
    return {v.rule for v in SERVER.evaluate(state, EXPECT)}


def _findings(state: str, expect: Expect = EXPECT) -> list[tuple[str, str, str]]:
    """What a report shows of each finding: (rule, message, fix)."""
    return [(v.rule, v.message, v.fix) for v in SERVER.evaluate(state, expect)]


def test_a_hardened_server_state_breaks_no_server_rule() -> None:
    assert rules(GOOD_STATE) == set()


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("permitrootlogin no", "permitrootlogin yes", "L2-AAA-02"),
        ("passwordauthentication no", "passwordauthentication yes", "L2-AAA-03"),
        ("macs hmac-sha2-512-etm@openssh.com", "macs hmac-sha1,hmac-sha2-512", "L2-CRYPTO-01"),
        ("clientalivecountmax 3", "clientalivecountmax 10", "L2-AAA-05"),
        ("banner /etc/issue.net", "banner none", "L2-BANNER-01"),
        ("\t\tjump services", "\t\ttcp dport 23 accept\n\t\tjump services", "L2-MGMT-03"),
        ("\t\tjump services", "\t\ttcp dport { 22, 443 } accept\n\t\tjump services", "L2-MGMT-02"),
        ("policy drop;", "policy accept;", "L2-FLOW-01"),
        ("deny = 5", "deny = 10", "L2-AAA-06"),
        ("auth required pam_faillock.so preauth", "auth required pam_unix.so", "L2-AAA-06"),
        ("minlen = 14", "minlen = 8", "L2-AAA-04"),
        ('target="10.0.0.20"', 'target="192.0.2.1"', "L2-LOG-01"),
        ("rsyslog active", "rsyslog inactive", "L2-LOG-01"),
        ("server 10.0.0.10 iburst", "pool pool.ntp.org iburst", "L2-NTP-01"),
        ("openssh-server 1:9.2p1-2 ii", "telnetd 0.17 ii", "L2-SVC-01"),
        ("INACTIVE=45", "INACTIVE=-1", "L2-SRV-01"),
        ("INACTIVE=45", "INACTIVE=90", "L2-SRV-01"),
        ("HOME=/home\nINACTIVE=45\n", "HOME=/home\n", "L2-SRV-01"),
        ("14 45\n", "14 -1\n", "L2-SRV-01"),
        ("nguyen.van.a P 2026-11-02 1 90 14 45", "nguyen.van.a P 2026-11-02 1 90 14", "L2-SRV-01"),
    ],
)
def test_each_weakened_setting_breaks_its_rule(old: str, new: str, rule: str) -> None:
    assert old in GOOD_STATE
    assert rules(GOOD_STATE.replace(old, new)) == {rule}


def test_a_server_weakened_everywhere_gets_each_finding_word_for_word() -> None:
    edits = [
        ("permitrootlogin no", "permitrootlogin yes"),
        ("passwordauthentication no", "passwordauthentication yes"),
        ("macs hmac-sha2-512-etm@openssh.com", "macs hmac-sha1,hmac-sha2-512"),
        ("clientalivecountmax 3", "clientalivecountmax 10"),
        ("banner /etc/issue.net", "banner none"),
        ("\t\tjump services", "\t\ttcp dport 23 accept\n\t\ttcp dport { 22, 443 } accept\n\t\tjump services"),
        ("deny = 5", "deny = 10"),
        ("minlen = 14", "minlen = 8"),
        ('target="10.0.0.20"', 'target="192.0.2.1"'),
        ("server 10.0.0.10 iburst", "pool pool.ntp.org iburst"),
        ("openssh-server 1:9.2p1-2 ii", "telnetd 0.17 ii"),
        ("INACTIVE=45", "INACTIVE=90"),
        ("nguyen.van.a P 2026-11-02 1 90 14 45", "nguyen.van.a P 2026-11-02 1 90 14"),
    ]
    state = GOOD_STATE
    for old, new in edits:
        assert old in state, old
        state = state.replace(old, new)
    inactive = "INACTIVE=45 in /etc/default/useradd and chage --inactive 45 on login accounts"
    assert _findings(state) == [
        ("L2-MGMT-03", "host firewall accepts telnet: tcp dport 23 accept", "remove the rule"),
        (
            "L2-MGMT-02",
            "host firewall accepts management from any source: tcp dport { 22, 443 } accept",
            "accept SSH only from the management sources (set management_v4)",
        ),
        ("L2-AAA-02", "sshd: PermitRootLogin yes", "PermitRootLogin no"),
        ("L2-AAA-03", "sshd accepts passwords", "PasswordAuthentication no, PermitEmptyPasswords no"),
        ("L2-CRYPTO-01", "sshd macs: hmac-sha1", "drop them from macs"),
        (
            "L2-AAA-05",
            "sshd idle sessions are closed after 600 s (baseline 5 min)",
            "ClientAliveInterval × ClientAliveCountMax within the idle timeout",
        ),
        ("L2-BANNER-01", "sshd shows no login banner", "Banner /etc/issue.net"),
        (
            "L2-AAA-06",
            "lockout: pam_faillock in the PAM stack, deny=10, unlock_time=900",
            "pam_faillock, deny ≤ 5, unlock_time ≥ 900",
        ),
        ("L2-AAA-04", "password policy: minlen=8, minclass=4", "pwquality minlen ≥ 14, minclass = 4"),
        (
            "L2-LOG-01",
            "logging: rsyslog active, forwarding to 192.0.2.1",
            "forward to 10.0.0.20 and keep rsyslog running",
        ),
        ("L2-NTP-01", "time: chrony uses pool.ntp.org", "only the city NTP servers: 10.0.0.10"),
        ("L2-SVC-01", "insecure services: telnetd", "purge them"),
        ("L2-SRV-01", "new accounts are never disabled when inactive (INACTIVE=90)", inactive),
        ("L2-SRV-01", "login accounts not disabled after 45 inactive days: nguyen.van.a (?)", inactive),
    ]
    # with the input chain accepting, no port rule is read: the firewall as a whole is the finding
    assert _findings(state.replace("policy drop;", "policy accept;"))[:1] == [
        (
            "L2-FLOW-01",
            "host firewall: no `table inet wardnet` input chain with policy drop is loaded",
            "reload the configured firewall: systemctl reload nftables (or --remediate --commit)",
        )
    ]


def test_unread_account_defaults_break_the_inactive_account_rule() -> None:
    without = GOOD_STATE.replace("#### useradd -D\n", "#### useradd -X\n")
    assert {v.rule for v in SERVER.evaluate(without, EXPECT)} == {"L2-SRV-01"}


def anti_malware(state: str, **expect: object) -> list[str]:
    from dataclasses import replace

    chosen = replace(EXPECT, **expect)  # type: ignore[arg-type]
    return [v.message for v in SERVER.evaluate(state, chosen) if v.rule == "L2-SRV-02"]


def test_anti_malware_is_a_running_scanner_or_the_baselines_documented_absence() -> None:
    without_clamav = GOOD_STATE.replace("clamav-daemon 1.0.7+dfsg-1~deb12u1 ii\n", "")
    assert "clamav-daemon" not in without_clamav.split("#### dpkg", 1)[1]
    # the baseline documents why no scanner runs: no scanner needed
    assert anti_malware(without_clamav) == []
    # neither a scanner nor a decision: every server is a finding
    assert anti_malware(without_clamav, anti_malware_absence="") == [
        "anti-malware: no scanner named in the baseline and no documented decision not to run one"
    ]
    # the baseline names a scanner: it must be installed and its daemon running (the absence no longer counts)
    scanner = frozenset({"clamav-daemon"})
    assert anti_malware(GOOD_STATE, anti_malware_scanners=scanner) == []
    assert anti_malware(without_clamav, anti_malware_scanners=scanner) == [
        "anti-malware: clamav-daemon not installed"
    ]
    stopped = GOOD_STATE.replace("clamav-daemon active", "clamav-daemon failed")
    assert anti_malware(stopped, anti_malware_scanners=scanner) == ["anti-malware: clamav-daemon failed"]


def test_the_city_baseline_gives_the_server_rules_their_figures() -> None:
    import yaml

    raw = yaml.safe_load((INVENTORY / "group_vars" / "all" / "baseline.yml").read_text())["server_policy"]
    expect = Expect.from_baseline(load_inventory(INVENTORY).baseline)
    assert expect.inactive_account_days == raw["inactive_account_days"] == 45  # LEVEL2 item 27
    assert expect.anti_malware_absence == raw["anti_malware"]["absence"] != ""
    assert expect.anti_malware_scanners == frozenset(raw["anti_malware"]["scanners"])


def test_state_parts_parse_and_the_backups_see_each_managed_file() -> None:
    state = ServerState.parse(GOOD_STATE)
    assert state.sshd["permitrootlogin"] == "no"
    assert state.useradd_defaults["INACTIVE"] == "45" and state.inactive_days == {"nguyen.van.a": "45"}
    assert set(state.files) == {
        "/etc/security/faillock.conf",
        "/etc/pam.d/common-auth",
        "/etc/security/pwquality.conf",
        "/etc/rsyslog.d/90-wardnet-forward.conf",
        "/etc/chrony/chrony.conf",
    }


def test_production_servers_are_reached_by_address_with_only_the_enrolled_host_keys(tmp_path: Path) -> None:
    from wardnet.pipeline import designs

    chosen = designs(load_inventory(INVENTORY), [BEN_THANH])
    assert [(site, host) for site, host, _, _ in planned(chosen)] == [(BEN_THANH, "hcm-26743-srv1")]
    (target,) = server_targets(chosen, tmp_path, "wardnet-deploy", None)
    assert target.extra_vars["ansible_host"] == planned(chosen)[0][2]
    ssh = target.extra_vars["ansible_ssh_common_args"]
    assert "StrictHostKeyChecking=yes" in ssh
    assert f"UserKnownHostsFile={tmp_path / 'backups' / 'known_hosts'}" in ssh
    assert target.username == "wardnet-deploy" and target.services == ("dhcp_dns",)


def test_the_callback_records_changed_tasks_with_their_diff_and_the_state(tmp_path: Path) -> None:
    """plugins/callback/wardnet_audit.py under a real ansible-playbook (check mode, --diff, local)."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    managed = tmp_path / "sshd_config"
    managed.write_text("Port 22\nPermitRootLogin yes\n")
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        f"""
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write the managed file
      ansible.builtin.copy: {{dest: "{managed}", content: "Port 22\\nPermitRootLogin no\\n", mode: "0600"}}
      notify: Reload
      tags: [ssh]
    - name: Read the state
      ansible.builtin.command: echo "#### sshd -T"
      check_mode: false
      changed_when: false
      tags: [wardnet_state]
  handlers:
    - name: Reload
      ansible.builtin.debug: {{msg: reloaded}}
      changed_when: true
"""
    )
    output = tmp_path / "run.json"
    env = os.environ | {
        "ANSIBLE_STDOUT_CALLBACK": "wardnet_audit",
        "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "plugins/callback"),
        "WARDNET_AUDIT_JSON": str(output),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
    }
    command = [str(Path(sys.executable).parent / "ansible-playbook"), str(playbook), "--check", "--diff"]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # nothing on stdout: the JSON file is the output
    host = json.loads(output.read_text())["hosts"]["localhost"]
    tasks = {t["task"]: t for t in host["tasks"]}
    write = tasks["Write the managed file"]
    assert (write["status"], write["tags"], write["handler"]) == ("changed", ["ssh"], False)
    (diff,) = write["diff"] if isinstance(write["diff"], list) else [write["diff"]]
    assert diff["before_header"] == str(managed) and "PermitRootLogin yes" in diff["before"]
    assert tasks["Reload"]["handler"] is True
    assert (
        tasks["Read the state"]["status"] == "state" and tasks["Read the state"]["stdout"] == "#### sshd -T"
    )
    assert host["stats"]["changed"] >= 1 and managed.read_text().endswith("yes\n")  # check mode wrote nothing
    found, _ = task_findings(write)
    assert [(f.kind, f.section, f.running) for f in found] == [
        ("changed", f"{managed}:2", "PermitRootLogin yes")
    ]


def test_a_package_to_install_is_missing_and_one_to_purge_is_extra() -> None:
    install = {
        "task": "Install the baseline packages",
        "role": "server_baseline",
        "tags": ["packages"],
        "status": "changed",
        "diff": {"prepared": "The following NEW packages will be installed:\n  auditd\n"},
    }
    purge = {
        **install,
        "task": "Purge packages",
        "diff": {"prepared": "The following packages will be REMOVED:\n  telnetd*\n"},
    }
    found, _ = task_findings(install)
    assert [(f.kind, f.feature, f.section) for f in found] == [
        ("missing", "packages", "Install the baseline packages")
    ]
    assert "auditd" in found[0].intended
    found, _ = task_findings(purge)
    assert [(f.kind, f.feature) for f in found] == [("extra", "packages")] and "telnetd" in found[0].running
    assert FEATURES["packages"] == "high"
