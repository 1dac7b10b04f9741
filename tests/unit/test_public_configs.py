"""Issue 17 item 5: real public running configs through the parsers, the normaliser, the audit and the rule
pack. Sources, licences and what each file is: tests/fixtures/public/README.md. Every expected value below
was read off the file by hand (counted with grep), never computed with the code under test.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import INVENTORY
from wardnet.audit.compare import audit_device
from wardnet.audit.normalise import normalise, parse
from wardnet.checks.parse import parse_fortios, parse_ios
from wardnet.cli import main
from wardnet.platforms import get_platform

PUBLIC = Path(__file__).resolve().parents[1] / "fixtures/public"
C9300 = "c9300-24u_iosxe-17.15_running.cfg"  # Catalyst 9300-24U, IOS-XE 17.15 (genie.libs.clean 26.9)
ISR = "isr4351_iosxe-17.9_running.cfg"  # ISR4351, IOS-XE 17.9.8 (genie.libs.sdk 26.9), CRLF as captured
FGT = "fortigate-vm64_fortios-6.2.3_show_0.conf"  # FortiGate-VM64 6.2.3 `show` (fortios_xutils 0.4.2)
FGT_VDOMS = "fortigate-vm64_fortios-6.2.3_show_1.conf"  # the same box in multi-VDOM mode
SHA256 = {  # as copied from the packages (README.md): a changed fixture is a different source
    C9300: "de89229783fdebc5a9888ea28fbfc95f08850339ea3debf1f31c3cb92c9fd138",
    ISR: "1332ab59a783f2445222f66e74b4bfcae3137e2f7d841a904674563c2ed16dff",
    FGT: "99287554375955761a1d450e929eeb9d03151db936980e35598124b65030bc58",
    FGT_VDOMS: "becb431047762a430d988fa431cc1f1c76df1c9172b9e4d57292f5a2182216ae",
}
PLATFORM = {C9300: "cisco_iosxe", ISR: "cisco_iosxe", FGT: "fortios", FGT_VDOMS: "fortios"}
# Lines IOS-XE writes on its own, as these captures print them.
IOS_VOLATILE = re.compile(
    r"Building configuration|Current configuration :|Last configuration change|^license udi "
)


@cache
def text(name: str) -> str:
    # newline="" keeps the ISR capture's CRLF: the parsers must cope with it themselves
    with (PUBLIC / name).open(encoding="ascii", newline="") as handle:
        return handle.read()


@pytest.mark.parametrize("name", sorted(SHA256))
def test_fixtures_are_the_cited_bytes(name: str) -> None:
    assert hashlib.sha256((PUBLIC / name).read_bytes()).hexdigest() == SHA256[name]
    assert name in (PUBLIC / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SHA256))
def test_normalise_is_idempotent(name: str) -> None:
    once = normalise(PLATFORM[name], text(name))
    assert once and normalise(PLATFORM[name], "\n".join(once)) == once


# --- IOS-XE ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "hostname", "interfaces", "vty"),
    [(C9300, "FW-9300-7", 43, "line vty 5 31"), (ISR, "analog-perf-uut1", 13, "line vty 5 14")],
)
def test_ios_parser_reads_the_real_config(name: str, hostname: str, interfaces: int, vty: str) -> None:
    root = parse_ios(text(name))
    assert root.has(f"hostname {hostname}")
    assert len(root.all("interface ")) == interfaces
    assert root.has(vty)


@pytest.mark.parametrize("name", [C9300, ISR])
def test_ios_normaliser_drops_what_the_device_writes(name: str) -> None:
    lines = normalise("cisco_iosxe", text(name))
    assert not [line for line in lines if IOS_VOLATILE.search(line)]
    assert not [line for line in lines if "\r" in line or line.strip() in ("quit", "end", "!")]
    # self-signed trustpoints and their certificate chains (hex lines, a tab before `quit`) are dropped whole
    assert not [line for line in lines if "TP-self-signed" in line or "SLA-TrustPoint" in line]
    assert not [line for line in lines if re.fullmatch(r"\s+[0-9A-F]{8}( [0-9A-F]{1,8})*\s*", line)]


def test_ios_header_pasted_indented_is_still_volatile() -> None:
    """The C9300 capture's first line is `        Building configuration...` (indented as pasted): it
    used to survive the normaliser and show as drift on every audit."""
    assert text(C9300).startswith("        Building configuration...\n")
    first = normalise("cisco_iosxe", text(C9300))[:2]
    assert first == ["version 17.15", "service timestamps debug datetime msec"]


def test_ios_tree_keeps_constructs_our_templates_never_write() -> None:
    """ISR 17.9: ISDN BRI sub-interfaces with a colon, voice ports, dial peers, a VRF with an empty IPv6
    address family; C9300 17.15: `switch 1 provision`, `transceiver type all`, Mgmt-vrf."""
    isr = {node.text: node for node in parse(normalise("cisco_iosxe", text(ISR)))}
    assert [c.text for c in isr["interface BRI0/1/0:0"].children] == [
        "isdn switch-type basic-qsig",
        "isdn point-to-point-setup",
        "isdn incoming-voice voice",
        "isdn sending-complete",
    ]
    assert [c.text for c in isr["voice-port 1/0/1"].children] == [
        "cptone AU",
        "caller-id enable",
        "caller-id alerting ring 2",
    ]
    assert [c.text for c in isr["vrf definition Mgmt-intf"].children] == [
        "address-family ipv4",
        "address-family ipv6",
    ]
    c9300 = {node.text: node for node in parse(normalise("cisco_iosxe", text(C9300)))}
    assert "switch 1 provision c9300-24u" in c9300
    assert [c.text for c in c9300["transceiver type all"].children] == ["monitoring"]
    assert [c.text for c in c9300["interface GigabitEthernet0/0"].children] == [
        "vrf forwarding Mgmt-vrf",
        "ip address 10.1.1.1 255.255.0.0",
        "negotiation auto",
    ]


def test_ios_clear_text_password_is_masked() -> None:
    """The C9300 capture stores `username admin privilege 15 password 0 Secret12345`."""
    assert "password 0 Secret12345" in text(C9300)
    driver = get_platform("cisco_iosxe")
    assert "Secret12345" not in driver.redact(text(C9300))
    lines = normalise("cisco_iosxe", text(C9300))
    assert "username admin privilege 15 password <secret>" in lines
    assert not [line for line in lines if "Secret12345" in line]
    # the rule pack still sees the type (0: clear text), never the value
    assert "password 0 <<secret:on_device>>" in driver.rule_form(text(C9300))


# --- FortiOS --------------------------------------------------------------------------------------------


def test_fortios_tree_has_the_real_sections() -> None:
    root = parse_fortios(text(FGT))
    assert root.sub("system global").value("hostname") == "fortigate-01"
    assert root.sub("system global").value("timezone") == "60"
    assert list(root.sub("system interface").entries) == ["dmz", "port1", "port2"]
    assert list(root.subs)[:6] == [
        "system global",
        "system interface",
        "system object-tagging",
        "switch-controller traffic-policy",
        "system settings",
        "system replacemsg-group",
    ]
    policy = root.sub("firewall policy").entries["1"]
    assert policy.value("name") == "Test1" and policy.value("srcaddr") == "all"
    # a nested block inside an entry (`config rule` under an ips sensor) is its own sub, not the top's
    assert "ips sensor" in root.subs and "rule" not in root.subs


def test_fortios_multi_vdom_tree() -> None:
    root = parse_fortios(text(FGT_VDOMS))
    assert list(root.subs) == ["vdom", "global"]
    assert list(root.sub("vdom").entries) == ["root", "ro"]
    assert root.sub("global").sub("system global").value("hostname") == "fortigate-02"


@pytest.mark.parametrize(("name", "secrets"), [(FGT, 13), (FGT_VDOMS, 26)])
def test_fortios_every_enc_value_is_masked(name: str, secrets: int) -> None:
    """13 (and 26) `set … ENC …` lines by grep: secret, secondary-secret (RADIUS), password, passwd."""
    assert len(re.findall(r" ENC ", text(name))) == secrets
    redacted = get_platform("fortios").redact(text(name))
    assert " ENC " not in redacted
    assert len(re.findall(r"^\s+set [a-z-]+ <secret>$", redacted, flags=re.M)) == secrets
    assert "        set secondary-secret <secret>" in redacted.split("\n")
    assert "passwd-time 2019-11-14 07:38:19" in redacted  # a key that only starts like one stays


def test_fortios_normaliser_drops_headers_and_closers() -> None:
    lines = normalise("fortios", text(FGT))
    assert not [line for line in lines if line.lstrip().startswith("#") or line.strip() in ("next", "end")]
    assert not [line for line in lines if re.match(r"\s*set (uuid|snmp-index) ", line)]
    assert '    set hostname "fortigate-01"' in lines


# --- audit and rule pack --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "role"), [(C9300, "access"), (ISR, "core"), (FGT, "firewall")])
def test_audit_of_a_real_config_against_itself_is_clean(name: str, role: str) -> None:
    """Intended = running (both secret-masked, as collect gives them): no drift, whatever the box prints."""
    platform = PLATFORM[name]
    masked = get_platform(platform).redact(text(name))
    audit = audit_device("dev", "site", platform, role, intended=masked, running=masked, rules=[])
    assert (audit.status, audit.findings) == ("compliant", [])


def test_audit_finds_a_real_change() -> None:
    masked = get_platform("cisco_iosxe").redact(text(C9300))
    vty = "line vty 5 31\n transport input "
    intended = masked.replace(f"{vty}telnet ssh", f"{vty}ssh")
    audit = audit_device("dev", "site", "cisco_iosxe", "access", intended=intended, running=masked, rules=[])
    assert audit.status == "drift"
    assert [(f.kind, f.intended, f.running) for f in audit.findings] == [
        ("changed", "transport input ssh", "transport input telnet ssh")
    ]


@pytest.mark.parametrize(
    ("name", "role", "says"),
    [
        (C9300, "access", "password instead of secret in 'username ...'"),
        (C9300, "access", "'line vty 0 4' allows ['all']"),
        (ISR, "core", "'line vty 5 14' has no inbound access-class"),
    ],
)
def test_rule_pack_reads_the_real_config(capsys, name: str, role: str, says: str) -> None:
    args = ["check", "--inventory", str(INVENTORY), "--config", str(PUBLIC / name)]
    assert main([*args, "--platform", PLATFORM[name], "--role", role]) == 1
    assert says in capsys.readouterr().out


# The FortiOS sample's one hand edit (line 3906): a real FortiGate writes a quote inside a value as \".
BROKEN_QUOTE = '        set service ""HTTPS" "HTTP"\n'


def test_rule_pack_refuses_an_unclosed_quote(capsys) -> None:
    """Read as written, the quote opened on line 3906 hides the 28 sections up to the next quote."""
    assert text(FGT).split("\n")[3905] + "\n" == BROKEN_QUOTE
    args = ["check", "--inventory", str(INVENTORY), "--config", str(PUBLIC / FGT)]
    assert main([*args, "--platform", "fortios"]) == 2
    err = capsys.readouterr().err
    assert "line 3906: the quote opened here is still open at line 3907 (`next`)" in err


def test_a_value_over_several_lines_is_not_an_unclosed_quote() -> None:
    """A banner's lines may look like words of the CLI; only a line that is one (`next`) means the quote
    never closed."""
    fortios = get_platform("fortios")
    head = (
        'config system replacemsg admin "pre_admin-disclaimer-text"\n    set buffer "Authorised use only.\n'
    )
    assert fortios.unread_layout(head + 'end of notice\nedit nothing here"\nend\n') == ""
    unclosed = fortios.unread_layout(head + 'end of notice\nnext\n"\nend\n')
    assert unclosed.startswith("line 2: the quote opened here is still open at line 4 (`next`)")


def test_rule_pack_reads_the_real_fortigate(tmp_path: Path, capsys) -> None:
    """With that one value repaired, every one of the 82 top-level sections (grep -c '^config') is read
    and the any-to-any policy Test1 is found."""
    repaired = text(FGT).replace(BROKEN_QUOTE, '        set service "HTTPS" "HTTP"\n')
    assert len(parse_fortios(repaired).subs) == 82
    path = tmp_path / FGT
    path.write_text(repaired, encoding="ascii")
    args = ["check", "--inventory", str(INVENTORY), "--config", str(path), "--platform", "fortios"]
    assert main(args) == 1
    assert "policy Test1 permits any to any" in capsys.readouterr().out


def test_rule_pack_refuses_a_multi_vdom_config(capsys) -> None:
    """Its policies sit under `config vdom` / `edit root`: read as one VDOM the pack would miss them."""
    args = ["check", "--inventory", str(INVENTORY), "--config", str(PUBLIC / FGT_VDOMS)]
    assert main([*args, "--platform", "fortios"]) == 2
    err = capsys.readouterr().err
    assert "line 13: `config global` makes this a multi-VDOM FortiOS config" in err
