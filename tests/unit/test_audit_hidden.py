"""What IOS-XE's running config hides: SNMPv3 users, read with `show snmp user` (issue 16, item 6)."""

from __future__ import annotations

from wardnet.platforms import get_platform
from wardnet.platforms.cisco_iosxe import SNMP_USERS_MARK, parse_snmp_users

# The layout of IOS `show snmp user` (as in ntc-templates tests/cisco_ios/show_snmp_user/
# cisco_ios_show_snmp_user.raw): blocks separated by a blank line, an access-list after storage-type.
SHOW_SNMP_USER = """
User name: nms-a
Engine ID: 80000009030000451DEC1085
storage-type: nonvolatile        active
Authentication Protocol: SHA
Privacy Protocol: AES128
Group-name: managerpriv

User name: nms-b
Engine ID: 80000009030000451DEC1085
storage-type: nonvolatile        active access-list: 10
Authentication Protocol: MD5
Privacy Protocol: None
Group-name: legacy
"""


def test_show_snmp_user_parses_into_comparable_lines() -> None:
    assert parse_snmp_users(SHOW_SNMP_USER) == [
        "snmp-server user nms-a managerpriv v3 auth sha priv aes 128",
        "snmp-server user nms-b legacy v3 auth md5",
    ]
    assert parse_snmp_users("") == []


def test_users_compare_only_when_show_snmp_user_was_read() -> None:
    ios = get_platform("cisco_iosxe")
    intended = (
        "hostname x\nsnmp-server user nms-a managerpriv v3 auth sha <<secret:a>> priv aes 128 <<secret:b>>\n"
    )
    # Without the mark (a running config alone) the users are not comparable: left out on both sides.
    want, have = ios.device_forms(intended, "hostname x\n")
    assert "snmp-server user" not in want + have
    running = "hostname x\n" + ios.hidden_config({"show snmp user": SHOW_SNMP_USER})
    assert SNMP_USERS_MARK in running
    want, have = ios.device_forms(intended, running)
    assert "snmp-server user nms-a managerpriv v3 auth sha priv aes 128" in want.splitlines()
    assert "<<secret:" not in want
    assert {"snmp-server user nms-a managerpriv v3 auth sha priv aes 128",
            "snmp-server user nms-b legacy v3 auth md5"} <= set(have.splitlines())  # fmt: skip
