"""The IOS secret rule (L2-AAA-03) line by line, on a config of a few lines: every form a secret takes, each
expected finding written out by hand (Cisco IOS XE 17.9 Security Configuration Guide: type 0 clear, 5 MD5,
7 the reversible Vigenère, 6 AES, 8/9 PBKDF2/scrypt). Fast on purpose: `make mutation` runs it on every
mutant of the rule's helper, before the rendered-core tests in test_rules_planted.py.
"""

from __future__ import annotations

import pytest

from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import Inventory

TYPE7 = "0822455D0A16"
BASE = "hostname x\nservice password-encryption\npassword encryption aes\n"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("username a privilege 15 secret 9 $9$abc", []),
        ("username a privilege 15 secret 5 $1$abc", ["type 5 (MD5) hash in 'username ...'"]),
        (f"username a privilege 15 secret 7 {TYPE7}", ["type 7 secret in 'username ...'"]),
        ("username a password 0 Clear", ["password instead of secret in 'username ...'"]),
        ("enable password Clear", ["password instead of secret in 'enable ...'"]),
        ("enable secret 0 Clear", ["clear-text secret in 'enable ...'"]),
        ("enable secret Clear", ["clear-text secret in 'enable ...'"]),
        ("enable secret 0", ["clear-text secret in 'enable ...'"]),  # the value cut off: still type 0
        ("enable secret 9", []),
        ("enable secret 0 <<secret:enable>>", []),  # wardnet's mask, resolved at push time
        ("enable secret <<secret:enable>>", []),
        (f"ntp authentication-key 1 hmac-sha1 {TYPE7} 7", ["type 7 secret in 'ntp ...'"]),
        ("ntp authentication-key 1 hmac-sha1 <<secret:ntp_key>>", []),
        ("ntp authentication-key 1 hmac-sha1 Clear", ["clear-text secret in 'ntp ...'"]),
        ("ntp authentication-key 1 hmac-sha1 Clear 6", []),  # type 6: encrypted with the AES master key
        ("snmp-server user u G v3 auth sha Clear priv aes 128 Clear", []),  # the SNMPv3 rule's business
        ("snmp-server community key RO", []),  # a community named "key": still the SNMP rule's business
        (f"tacacs server T\n address ipv4 10.0.0.30\n key 7 {TYPE7}", ["type 7 secret in 'key ...'"]),
        ("tacacs server T\n key 0 Clear", ["clear-text secret in 'key ...'"]),
        ("tacacs server T\n key Clear", ["clear-text secret in 'key ...'"]),
        ("tacacs server T\n key 6 Encrypted", []),
        ("tacacs server T\n key 0 <<secret:tacacs_key>>", []),
        (f"line vty 0 4\n password 7 {TYPE7}", ["type 7 secret in 'password ...'"]),
        ("line vty 0 4\n password 5 $1$abc", ["type 5 (MD5) hash in 'password ...'"]),
        (
            f"enable secret 7 {TYPE7}\nusername a secret 5 $1$x\nline con 0\n password Clear",
            [
                "type 7 secret in 'enable ...'",
                "type 5 (MD5) hash in 'username ...'",
                "clear-text secret in 'password ...'",
            ],
        ),
    ],
)
def test_each_secret_form(inventory: Inventory, lines: str, expected: list[str]) -> None:
    expect = Expect.from_baseline(inventory.baseline)
    found = rendered_findings(BASE + lines + "\n", "cisco_iosxe", "core", site="1", device="x", expect=expect)
    assert [f.message for f in found if f.rule == "L2-AAA-03"] == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("", ["missing 'service password-encryption'", "missing 'password encryption aes'"]),
        ("service password-encryption", ["missing 'password encryption aes'"]),
    ],
)
def test_password_encryption_is_required(inventory: Inventory, lines: str, expected: list[str]) -> None:
    expect = Expect.from_baseline(inventory.baseline)
    found = rendered_findings(
        f"hostname x\n{lines}\n", "cisco_iosxe", "core", site="1", device="x", expect=expect
    )
    assert [f.message for f in found if f.rule == "L2-AAA-03"] == expected
