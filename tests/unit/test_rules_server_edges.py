"""Edges of the level-2 server rules (wardnet/checks/rules_server.py) on the hardened state of
test_audit_servers.py: a value in another form nft or sshd accepts, a setting left to its default, a second
table, the limit itself. Each expectation is the (rule, message, fix) a report shows, written out by hand from
the edit; `make mutation` runs these on the rule file's mutants (issue 25), so they stay fast.
"""

from __future__ import annotations

from dataclasses import replace

from tests.unit.test_audit_servers import EXPECT, GOOD_STATE, _findings

ANY_SOURCE = "accept SSH only from the management sources (set management_v4)"
IDLE_FIX = "ClientAliveInterval × ClientAliveCountMax within the idle timeout"
LOCKOUT_FIX = "pam_faillock, deny ≤ 5, unlock_time ≥ 900"
INACTIVE_FIX = "INACTIVE=45 in /etc/default/useradd and chage --inactive 45 on login accounts"


def _edited(*edits: tuple[str, str]) -> str:
    state = GOOD_STATE
    for old, new in edits:
        assert state.count(old) == 1, old
        state = state.replace(old, new)
    return state


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
    # the same accept inside wardnet's own services chain is a finding
    opened = state.replace("\tchain services {\n\t}", "\tchain services {\n\t\ttcp dport 23 accept\n\t}", 1)
    assert _findings(opened) == [
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
            "\t\ttcp dport { ssh, https } accept\n\t\ttcp dport telnet accept\n\t\tjump services",
        )
    )
    assert _findings(state) == [
        (
            "L2-MGMT-02",
            "host firewall accepts management from any source: tcp dport { ssh, https } accept",
            ANY_SOURCE,
        ),
        ("L2-MGMT-03", "host firewall accepts telnet: tcp dport telnet accept", "remove the rule"),
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


def test_unset_password_quality_settings_are_named_unset() -> None:
    # pwquality.conf(5) (libpwquality 1.4): minlen defaults to 8, under the baseline's 14; minclass to 0
    policy = "pwquality minlen ≥ 14, minclass = 4"
    assert _findings(_edited(("minlen = 14\n", ""))) == [
        ("L2-AAA-04", "password policy: minlen=unset, minclass=4", policy)
    ]
    assert _findings(_edited(("minclass = 4\n", ""))) == [
        ("L2-AAA-04", "password policy: minlen=14, minclass=unset", policy)
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
