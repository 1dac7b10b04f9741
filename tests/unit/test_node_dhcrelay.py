"""The white-box firewall's DHCP relay: rendered from the design, parsed and read back by the device agent."""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from wardnet.audit.features import feature_of
from wardnet.canonical import split_sections
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory
from wardnet.node import dhcrelay
from wardnet.platforms import get_platform
from wardnet.platforms.base import Texts
from wardnet.render import Renderer


@pytest.fixture(scope="module")
def rendered(inventory: Inventory) -> dict[str, dict[str, str]]:
    entry = next(iter(inventory.select([BEN_THANH])))
    twin = design_site(whitebox_twin(entry.site, inventory.baseline), inventory.baseline)
    renderer = Renderer()
    return {name: split_sections(renderer.device(c)) for name, c in twin.devices.items()}


def test_firewall_relays_every_client_vlan_to_the_ward_server(rendered: dict[str, dict[str, str]]) -> None:
    # Ben Thanh: srv1 (dhcp_dns) is 10.65.55.74 on SERVERS (VLAN 60); the client VLANs are the README's plan.
    relay = dhcrelay.parse(rendered["hcm-26743-fw"]["dhcrelay"])
    assert relay.servers == ("10.65.55.74",)
    assert relay.upstream == ("vlan60",)
    assert relay.downstream == ("vlan15", "vlan20", "vlan21", "vlan30", "vlan40", "vlan50", "vlan70")
    nft = rendered["hcm-26743-fw"]["nftables"]
    assert 'iifname "vlan60" ip saddr 10.65.55.74 udp sport 67 udp dport 67 accept' in nft


def test_firewall_relays_the_dhcpv6_vlan_to_the_ward_servers_kea(rendered: dict[str, dict[str, str]]) -> None:
    # Issue 23: STAFF (VLAN 20) is the one DHCPv6 VLAN of the baseline; srv1 is host 10 of SERVERS' /64.
    relay = dhcrelay.parse(rendered["hcm-26743-fw"]["dhcrelay"])
    assert (relay.servers6, relay.upstream, relay.downstream6) == (
        ("2001:db8:413:60::10",),
        ("vlan60",),
        ("vlan20",),
    )
    nft = rendered["hcm-26743-fw"]["nftables"]
    assert '\t\tiifname "vlan20" udp dport 547 accept\n' in nft  # Solicit to ff02::1:2 from the clients
    assert 'iifname "vlan60" ip6 saddr 2001:db8:413:60::10 udp sport 547 udp dport 547 accept' in nft
    frr = rendered["hcm-26743-fw"]["frr"]
    staff = frr.split("interface vlan20\n", 1)[1].split("exit", 1)[0]
    assert " ipv6 nd managed-config-flag\n" in staff and "no-autoconfig" in staff  # RA: M set, no SLAAC


def test_switches_run_no_relay(rendered: dict[str, dict[str, str]]) -> None:
    for name, sections in rendered.items():
        if name != "hcm-26743-fw":
            assert sections["dhcrelay"].strip() == "", name


def test_section_round_trips_through_the_command_line(rendered: dict[str, dict[str, str]]) -> None:
    section = rendered["hcm-26743-fw"]["dhcrelay"]
    relay = dhcrelay.parse(section)
    argv = dhcrelay.command(relay, dhcrelay.STATE / "dhcrelay.pid")
    assert argv[:3] == ["/usr/sbin/dhcrelay", "-4", "-q"]
    assert argv[argv.index("-iu") + 1] == "vlan60" and argv[-1] == "10.65.55.74"
    argv6 = dhcrelay.command6(relay, dhcrelay.STATE / "dhcrelay6.pid")
    assert argv6[:3] == ["/usr/sbin/dhcrelay", "-6", "-q"]
    assert argv6[-4:] == ["-l", "vlan20", "-u", "2001:db8:413:60::10%vlan60"]
    four, six = dhcrelay.from_command(argv), dhcrelay.from_command6(argv6)
    assert (four.servers6, four.downstream6, six.servers, six.downstream) == ((), (), (), ())
    merged = dhcrelay.Relay(four.servers, four.upstream, four.downstream, six.servers6, six.downstream6)
    assert six.upstream == four.upstream
    assert dhcrelay.format_relay(merged) == section
    # /proc/PID/cmdline of the running `dhcrelay -6`: it splits `ADDR%IF` in place (a NUL at the %)
    running6 = argv6[:-1] + argv6[-1].split("%")
    assert dhcrelay.from_command6(running6) == six


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("server 10.65.55.300\nupstream vlan60\ndownstream vlan20\n", "not an IPv4 address"),
        ("server 10.65.55.74\ndownstream vlan20\n", "at least one upstream"),
        ("upstream vlan60\n", "without a server"),
        ("relay everything\n", "line 1"),
        ("server6 10.65.55.74\nupstream vlan60\ndownstream6 vlan20\n", "not an IPv6 address"),
        ("server6 2001:db8::1\nupstream vlan60\n", "a downstream6"),
        ("server 10.65.55.74\nupstream vlan60\ndownstream vlan20\ndownstream6 vlan20\n", "without a server6"),
    ],
)
def test_bad_sections_are_refused_with_the_line(section: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dhcrelay.parse(section)


def test_audit_files_relay_drift_under_dhcp_and_remediates_it(rendered: dict[str, dict[str, str]]) -> None:
    frr = get_platform("frr")
    intended = "!== dhcrelay\n" + rendered["hcm-26743-fw"]["dhcrelay"]
    running = "!== dhcrelay\nserver 10.65.55.74\nupstream vlan60\ndownstream vlan20\n"
    assert feature_of("frr", ("!== dhcrelay",), "downstream vlan21") == "dhcp"
    fix = frr.remediation(Texts(intended, running), frr.normalise(intended), frr.normalise(running), set())
    assert "wardnet-node apply" in fix and "downstream vlan70" in fix
