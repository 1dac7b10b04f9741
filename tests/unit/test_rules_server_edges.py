"""Edges of the level-2 server rules (wardnet/checks/rules_server.py) on the hardened state of
test_audit_servers.py: a value in another form nft or sshd accepts, a setting left to its default, a second
table, the limit itself. Each expectation is the (rule, message, fix) a report shows, written out by hand from
the edit; `make mutation` runs these on the rule file's mutants (issue 25), so they stay fast.
"""

from __future__ import annotations

from dataclasses import replace

from tests.unit.golden_edits import edited
from tests.unit.test_audit_servers import EXPECT, GOOD_STATE, _findings

ANY_SOURCE = "accept SSH only from the management sources (set management_v4)"
IDLE_FIX = "ClientAliveInterval × ClientAliveCountMax within the idle timeout"
LOCKOUT_FIX = "pam_faillock, deny ≤ 5, unlock_time ≥ 900"
INACTIVE_FIX = "INACTIVE=45 in /etc/default/useradd and chage --inactive 45 on login accounts"


def _edited(*edits: tuple[str, str]) -> str:
    return edited(GOOD_STATE, edits)


def test_the_hardened_state_is_clean_before_any_edit() -> None:
    assert _findings(GOOD_STATE) == []


# -- host firewall (nft list ruleset)

LEGACY_TABLE = (  # listed after wardnet's: nft(8) "accept ... can still be dropped by another base chain"
    "table ip legacy {\n"
    "\tchain input {\n"
    "\t\ttype filter hook input priority 10; policy accept;\n"
    "\t\ttcp dport 23 accept\n"
    "\t}\n"
    "\tchain services {\n"
    "\t\ttcp dport 23 accept\n"
    "\t}\n"
    "}\n"
)


def test_a_second_table_after_wardnet_does_not_stand_in_for_its_chains() -> None:
    """Its accepts cannot undo wardnet's policy drop on the same hook (nft(8), VERDICT STATEMENT), and its
    chain names are its own: wardnet's input and services chains are the ones judged."""
    state = _edited(("#### useradd -D\n", LEGACY_TABLE + "#### useradd -D\n"))
    assert _findings(state) == []
    assert _findings(_edited(("table inet wardnet {", LEGACY_TABLE + "table inet wardnet {"))) == []  # before
    # the same accept inside wardnet's own services chain is a finding
    opened = state.replace("\tchain services {\n\t}", "\tchain services {\n\t\ttcp dport 23 accept\n\t}", 1)
    assert _findings(opened) == [
        ("L2-MGMT-03", "host firewall accepts telnet: tcp dport 23 accept", "remove the rule")
    ]


def test_the_input_chain_is_found_by_name_after_the_sets_and_other_chains() -> None:
    """As nft lists a table: its sets first, then its chains in the order they were added (services, which
    input jumps to, often first)."""
    head = "table inet wardnet {\n\tchain input {\n"
    listing = (
        "table inet wardnet {\n"
        "\tset management_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
        "\t\telements = { 10.0.1.0/24 }\n\t}\n\n"
        "\tchain services {\n\t\ttcp dport 23 accept\n\t}\n\n"
        "\tchain input {\n"
    )
    state = _edited((head, listing), ("\tchain services {\n\t}\n", ""))
    assert _findings(state) == [
        ("L2-MGMT-03", "host firewall accepts telnet: tcp dport 23 accept", "remove the rule")
    ]


def test_the_services_chain_is_judged_like_the_input_chain_and_ports_may_be_named() -> None:
    state = _edited(
        (
            "\tchain services {\n\t}",
            "\tchain services {\n\t\tudp dport 53 accept\n\t\ttcp dport http accept\n\t}",
        )
    )
    assert _findings(state) == [
        ("L2-MGMT-02", "host firewall accepts management from any source: tcp dport http accept", ANY_SOURCE)
    ]


def test_service_names_in_a_port_set_count_as_their_ports() -> None:
    state = _edited(
        (
            "\t\tjump services",
            "\t\ttcp dport { ssh, https } accept\n\t\ttcp dport telnet accept\n"
            "\t\ttcp dport ssh accept\n\t\ttcp dport https accept\n"
            "\t\ttcp dport domain accept\n\t\tjump services",
        )
    )
    assert _findings(state) == [
        (
            "L2-MGMT-02",
            "host firewall accepts management from any source: tcp dport { ssh, https } accept",
            ANY_SOURCE,
        ),
        ("L2-MGMT-03", "host firewall accepts telnet: tcp dport telnet accept", "remove the rule"),
        ("L2-MGMT-02", "host firewall accepts management from any source: tcp dport ssh accept", ANY_SOURCE),
        (
            "L2-MGMT-02",
            "host firewall accepts management from any source: tcp dport https accept",
            ANY_SOURCE,
        ),
    ]


def test_no_ruleset_read_is_no_firewall() -> None:
    start = GOOD_STATE.index("#### nft list ruleset\n")
    state = GOOD_STATE[:start] + GOOD_STATE[GOOD_STATE.index("#### useradd -D") :]
    assert _findings(state) == [
        (
            "L2-FLOW-01",
            "host firewall: no `table inet wardnet` input chain with policy drop is loaded",
            "reload the configured firewall: systemctl reload nftables (or --remediate --commit)",
        )
    ]


def test_loopback_and_established_ssh_accepts_are_not_management_from_anywhere() -> None:
    state = _edited(
        (
            "\t\tjump services",
            '\t\tiif "lo" tcp dport 22 accept\n'
            "\t\ttcp dport 22 ct state established accept\n\t\tjump services",
        )
    )
    assert _findings(state) == []


# -- sshd -T


def test_no_sshd_settings_at_all_is_one_finding() -> None:
    start = GOOD_STATE.index("#### sshd -T\n") + len("#### sshd -T\n")
    state = GOOD_STATE[:start] + GOOD_STATE[GOOD_STATE.index("#### nft list ruleset") :]
    assert _findings(state) == [
        ("L2-MGMT-03", "sshd -T gave no settings (sshd missing or broken)", "reinstall sshd")
    ]


def test_the_idle_timeout_is_interval_times_count_up_to_the_baselines_minutes() -> None:
    # 100 s x 3 = 300 s = the baseline's 5 minutes exactly: within
    assert _findings(_edited(("clientaliveinterval 60", "clientaliveinterval 100"))) == []
    assert _findings(_edited(("clientaliveinterval 60", "clientaliveinterval 101"))) == [
        ("L2-AAA-05", "sshd idle sessions are closed after 303 s (baseline 5 min)", IDLE_FIX)
    ]
    # sshd_config(5): ClientAliveInterval 0 (the default) sends no keepalive, so no idle session is closed
    never = [("L2-AAA-05", "sshd idle sessions are closed after no s (baseline 5 min)", IDLE_FIX)]
    assert _findings(_edited(("clientaliveinterval 60", "clientaliveinterval 0"))) == never
    assert _findings(_edited(("clientaliveinterval 60\n", ""))) == never
    assert _findings(_edited(("clientaliveinterval 60", "clientaliveinterval 1m"))) == never  # unreadable: 0
    assert _findings(_edited(("clientalivecountmax 3", "clientalivecountmax three"))) == never
    # sshd_config(5): ClientAliveCountMax 3 by default: 60 s x 3
    assert _findings(_edited(("clientalivecountmax 3\n", ""))) == []


def test_weak_ciphers_and_key_exchanges_are_named_and_an_unlisted_banner_is_none() -> None:
    state = _edited(
        (
            "ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com",
            "ciphers aes256-gcm@openssh.com,aes128-cbc,3des-cbc",
        ),
        ("kexalgorithms curve25519-sha256", "kexalgorithms curve25519-sha256,diffie-hellman-group14-sha1"),
    )
    assert _findings(state) == [
        ("L2-CRYPTO-01", "sshd ciphers: aes128-cbc, 3des-cbc", "drop them from ciphers"),
        ("L2-CRYPTO-01", "sshd kexalgorithms: diffie-hellman-group14-sha1", "drop them from kexalgorithms"),
    ]
    assert _findings(_edited(("ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\n", ""))) == []
    # sshd_config(5): "By default, no banner is displayed"
    assert _findings(_edited(("banner /etc/issue.net\n", ""))) == [
        ("L2-BANNER-01", "sshd shows no login banner", "Banner /etc/issue.net")
    ]


# -- PAM: faillock and pwquality


def test_faillock_settings_left_unset_take_the_modules_defaults() -> None:
    """faillock.conf(5) (Linux-PAM 1.5.2, Debian 12): deny defaults to 3, unlock_time to 600 s; 0 is never."""
    assert _findings(_edited(("deny = 5\n", ""))) == []  # 3 failures: within the baseline's 5
    assert _findings(_edited(("unlock_time = 900\n", ""))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=5, unlock_time=600", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("unlock_time = 900", "unlock_time = 0"))) == []  # locked until reset
    assert _findings(_edited(("unlock_time = 900", "unlock_time = 899"))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=5, unlock_time=899", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("deny = 5", "deny = 6"))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=6, unlock_time=900", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("deny = 5", "deny = 6"), ("unlock_time = 900", "unlock_time = 0"))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=6, unlock_time=never", LOCKOUT_FIX)
    ]


def test_faillock_edges_of_deny_and_unlock_time_and_their_other_forms() -> None:
    assert _findings(_edited(("deny = 5", "deny = 1"))) == []
    assert _findings(_edited(("deny = 5", "deny = 0"))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=0, unlock_time=900", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("deny = 5", "deny = five"))) == [  # unreadable: no limit
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=0, unlock_time=900", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("unlock_time = 900", "unlock_time = 1"))) == [
        ("L2-AAA-06", "lockout: pam_faillock in the PAM stack, deny=5, unlock_time=1", LOCKOUT_FIX)
    ]
    assert _findings(_edited(("unlock_time = 900", "unlock_time = never"))) == []  # faillock.conf(5): = 0
    assert _findings(_edited(("deny = 5", "deny = 5 # LEVEL2 # five tries"))) == []  # a comment, twice


def test_pam_faillock_must_be_called_in_the_auth_stack() -> None:
    """pam_faillock(8): failures are counted in the auth phase; pam.d(5): `#` starts a comment."""
    not_in = [
        ("L2-AAA-06", "lockout: pam_faillock not in the PAM stack, deny=5, unlock_time=900", LOCKOUT_FIX)
    ]
    preauth = "auth required pam_faillock.so preauth"
    assert _findings(_edited((preauth, "auth required pam_unix.so"))) == not_in
    assert _findings(_edited((preauth, "# " + preauth))) == not_in
    assert _findings(_edited((preauth, f"# {preauth} # off while testing"))) == not_in
    account = "#### file /etc/pam.d/common-account\naccount required pam_faillock.so\n"
    only_account = _edited(
        (preauth, "auth required pam_unix.so"),
        ("#### file /etc/security/pwquality.conf", account + "#### file /etc/security/pwquality.conf"),
    )
    assert _findings(only_account) == not_in


def test_unset_password_quality_settings_are_named_unset() -> None:
    # pwquality.conf(5) (libpwquality 1.4): minlen defaults to 8, under the baseline's 14; minclass to 0
    policy = "pwquality minlen ≥ 14, minclass = 4"
    assert _findings(_edited(("minlen = 14\n", ""))) == [
        ("L2-AAA-04", "password policy: minlen=unset, minclass=4", policy)
    ]
    assert _findings(_edited(("minclass = 4\n", ""))) == [
        ("L2-AAA-04", "password policy: minlen=14, minclass=unset", policy)
    ]
    assert _findings(_edited(("minlen = 14", "minlen = fourteen"))) == [  # unreadable: 0
        ("L2-AAA-04", "password policy: minlen=fourteen, minclass=4", policy)
    ]
    assert _findings(_edited(("minclass = 4", "minclass = four"))) == [
        ("L2-AAA-04", "password policy: minlen=14, minclass=four", policy)
    ]


# -- logging, services, accounts, anti-malware

LOG_FIX = "forward to 10.0.0.20 and keep rsyslog running"


def test_logging_without_a_forwarding_file_or_a_unit_state_says_so() -> None:
    forward = (
        "#### file /etc/rsyslog.d/90-wardnet-forward.conf\n"
        '*.info action(type="omfwd" target="10.0.0.20" port="514")\n'
    )
    assert _findings(_edited((forward, ""))) == [
        ("L2-LOG-01", "logging: rsyslog active, forwarding to nothing", LOG_FIX)
    ]
    units = "#### systemctl is-active\nrsyslog active\ntelnet.socket inactive\nclamav-daemon active\n"
    assert _findings(_edited((units, ""))) == [
        ("L2-LOG-01", "logging: rsyslog unknown, forwarding to 10.0.0.20", LOG_FIX)
    ]


def test_an_active_telnet_socket_is_an_insecure_service() -> None:
    assert _findings(_edited(("telnet.socket inactive", "telnet.socket active"))) == [
        ("L2-SVC-01", "insecure services: telnet.socket (active)", "purge them")
    ]


def test_unread_account_defaults_are_one_finding_word_for_word() -> None:
    assert _findings(_edited(("#### useradd -D\n", "#### useradd -X\n"))) == [
        ("L2-SRV-01", "inactive accounts: useradd -D was not read", INACTIVE_FIX)
    ]


def test_anti_malware_findings_carry_their_fix() -> None:
    without_clamav = _edited(("clamav-daemon 1.0.7+dfsg-1~deb12u1 ii\n", ""))
    assert _findings(without_clamav, replace(EXPECT, anti_malware_absence="")) == [
        (
            "L2-SRV-02",
            "anti-malware: no scanner named in the baseline and no documented decision not to run one",
            "server_policy.anti_malware: list the scanner packages, or record the absence and its reason",
        )
    ]
    scanner = replace(EXPECT, anti_malware_scanners=frozenset({"clamav-daemon"}))
    assert _findings(without_clamav, scanner) == [
        ("L2-SRV-02", "anti-malware: clamav-daemon not installed", "install the scanner and start its daemon")
    ]


def test_two_of_a_kind_are_listed_sorted_and_comma_separated() -> None:
    two = replace(
        EXPECT,
        syslog_servers=frozenset({"10.0.0.21", "10.0.0.20"}),
        ntp_servers=frozenset({"10.0.0.11", "10.0.0.10"}),
        anti_malware_scanners=frozenset({"clamav-freshclam", "clamav-daemon"}),
    )
    state = _edited(
        ('target="10.0.0.20"', 'target="192.0.2.2"'),
        ("server 10.0.0.10 iburst key 1", "server 192.0.2.9 iburst\npool 2.debian.pool.ntp.org iburst"),
        ("clamav-daemon active", "clamav-daemon failed"),
        ("openssh-server 1:9.2p1-2 ii\n", "telnetd 0.17 ii\nclamav-freshclam 1.0.7 ii\n"),
        ("telnet.socket inactive", "telnet.socket active"),
        (
            "nguyen.van.a P 2026-11-02 1 90 14 45",
            "nguyen.van.a P 2026-11-02 1 90 14 -1\ntran.thi.b P 2026-10-01 1 90 14",
        ),
        ("INACTIVE=45\n", ""),
    )
    state = state.replace(
        "*.info action", '*.info action(type="omfwd" target="192.0.2.1" port="514")\n*.info action', 1
    )
    assert _findings(state, two) == [
        (
            "L2-LOG-01",
            "logging: rsyslog active, forwarding to 192.0.2.1, 192.0.2.2",
            "forward to 10.0.0.20, 10.0.0.21 and keep rsyslog running",
        ),
        (
            "L2-NTP-01",
            "time: chrony uses 192.0.2.9, 2.debian.pool.ntp.org",
            "only the city NTP servers: 10.0.0.10, 10.0.0.11",
        ),
        ("L2-SVC-01", "insecure services: telnetd, telnet.socket (active)", "purge them"),
        ("L2-SRV-01", "new accounts are never disabled when inactive (INACTIVE=)", INACTIVE_FIX),
        (
            "L2-SRV-01",
            "login accounts not disabled after 45 inactive days: nguyen.van.a (-1), tran.thi.b (?)",
            INACTIVE_FIX,
        ),
        (
            "L2-SRV-02",
            "anti-malware: clamav-daemon failed, clamav-freshclam not running",
            "install the scanner and start its daemon",
        ),
    ]


def test_an_indented_chrony_source_is_still_a_source() -> None:
    state = _edited(
        ("server 10.0.0.10 iburst key 1\n", "server 10.0.0.10 iburst key 1\n  pool pool.ntp.org iburst\n")
    )
    assert _findings(state) == [
        ("L2-NTP-01", "time: chrony uses 10.0.0.10, pool.ntp.org", "only the city NTP servers: 10.0.0.10")
    ]


def test_chronys_other_directives_are_not_sources() -> None:
    plain = "server 10.0.0.10\ndriftfile /var/lib/chrony/chrony.drift\nmakestep 1 3\nrtcsync\n"
    assert _findings(_edited(("server 10.0.0.10 iburst key 1\n", plain))) == []


def test_no_chrony_configuration_is_no_time_server() -> None:
    assert _findings(_edited(("#### file /etc/chrony/chrony.conf\nserver 10.0.0.10 iburst key 1\n", ""))) == [
        ("L2-NTP-01", "time: chrony uses no server", "only the city NTP servers: 10.0.0.10")
    ]
