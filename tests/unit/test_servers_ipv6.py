"""The ward server over IPv6 (issue 23): Kea DHCPv6 serves the STAFF /64 the design marks for DHCPv6,
checked by `kea-dhcp6 -t`, and unbound answers the site's /48 and the NOC over IPv6, checked by
`unbound-checkconf`. Both checkers are the daemons' own, run on the files the role's templates write; each
is shown to refuse a broken file too, so a pass means something."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from ipaddress import IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from tests.conftest import BEN_THANH, INVENTORY, REPO
from tests.unit.test_servers_filter import filter_module

TEMPLATES = REPO / "roles" / "ward_dhcp_dns" / "templates"
KEA6 = shutil.which("kea-dhcp6") or "/usr/sbin/kea-dhcp6"
CHECKCONF = shutil.which("unbound-checkconf") or "/usr/sbin/unbound-checkconf"
NFT = shutil.which("nft") or "/usr/sbin/nft"
DAU_TIENG = "25777"  # a commune without a ward server: SLAAC everywhere, nothing for Kea DHCPv6
SERVER6 = "2001:db8:413:60::10"  # srv1 = host 10 of SERVERS (VLAN 60) in Ben Thanh's /48 (README, IPv6 plan)


@pytest.fixture(scope="module")
def site_design() -> Callable[..., dict[str, Any]]:
    return filter_module().FilterModule().filters()["wardnet_site_design"]


def _render(name: str, **variables: Any) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["to_json"] = json.dumps
    env.filters["bool"] = bool
    return env.from_string((TEMPLATES / name).read_text()).render(
        ansible_managed="Ansible managed", **variables
    )


def _kea6(design: dict[str, Any], listen: str = "lo/::1") -> str:
    """`kea-dhcp6 -t` opens no socket but does look the interface and its address up on this host."""
    return _render(
        "kea-dhcp6.conf.j2",
        ward_dhcp_dns_design=design,
        ward_dhcp_dns_interfaces6=[listen],
        ward_dhcp_dns_lease_file6="/var/lib/kea/kea-leases6.csv",
    )


def _baseline() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((INVENTORY / "group_vars" / "all" / "baseline.yml").read_text())
    return data


def test_the_filter_serves_the_staff_64_by_dhcpv6_only_where_a_server_runs_kea(
    site_design: Callable[..., Any],
) -> None:
    design = site_design(BEN_THANH)
    assert design["block6"] == "2001:db8:413::/48"
    (pool,) = design["dhcp6_pools"]  # STAFF is the one VLAN the baseline marks `ipv6: dhcpv6`
    assert (pool["vlan"], pool["interface"], pool["network"]) == (20, "vlan20", "2001:db8:413:20::/64")
    assert pool["gateway"] == "2001:db8:413:20::1"
    # the IPv4 pool 10.65.52.10-254 mirrored: host 10 -> ::10, host 254 -> ::254
    staff4 = next(p for p in design["dhcp_pools"] if p["vlan"] == 20)
    assert (staff4["start"].rsplit(".", 1)[1], staff4["end"].rsplit(".", 1)[1]) == ("10", "254")
    assert (pool["start"], pool["end"]) == ("2001:db8:413:20::10", "2001:db8:413:20::254")
    assert IPv6Address(pool["gateway"]) < IPv6Address(pool["start"])  # the router is never leased
    assert pool["dns"] == [SERVER6]  # the site resolver, as DHCPv4 hands out its IPv4 address
    assert pool["lease_minutes"] == staff4["lease_minutes"]
    assert site_design(DAU_TIENG)["dhcp6_pools"] == []


@pytest.mark.skipif(not Path(KEA6).exists(), reason="needs kea-dhcp6 (apt install kea-dhcp6-server)")
def test_kea_dhcp6_takes_the_rendered_config_and_refuses_a_broken_one(
    site_design: Callable[..., Any], tmp_path: Path
) -> None:
    design = site_design(BEN_THANH)
    text = _kea6(design)
    kea = json.loads(re.sub(r"//.*$", "", text, flags=re.M))["Dhcp6"]
    (subnet,) = kea["subnet6"]
    assert subnet["id"] == 20 and subnet["subnet"] == "2001:db8:413:20::/64"
    assert subnet["pools"] == [{"pool": "2001:db8:413:20::10 - 2001:db8:413:20::254"}]
    assert subnet["valid-lifetime"] == 480 * 60 and subnet["preferred-lifetime"] == 360 * 60
    assert subnet["option-data"] == [{"name": "dns-servers", "data": SERVER6}]
    assert kea["interfaces-config"]["interfaces"] == ["lo/::1"]
    assert kea["option-data"] == [{"name": "domain-search", "data": "hcm.gov.vn"}]
    good = tmp_path / "kea-dhcp6.conf"
    good.write_text(text)
    checked = subprocess.run([KEA6, "-t", str(good)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # the same file with the pool moved outside its subnet: Kea's own check must say no
    broken = tmp_path / "broken.conf"
    broken.write_text(text.replace('"2001:db8:413:20::10 - ', '"2001:db8:413:21::10 - '))
    refused = subprocess.run([KEA6, "-t", str(broken)], capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "2001:db8:413:21::10" in refused.stdout + refused.stderr
    # an address this host does not have is refused too: why the role's default listen address is the one
    # the host's facts report (ward_dhcp_dns_interfaces6), never one computed from the design
    elsewhere = tmp_path / "elsewhere.conf"
    elsewhere.write_text(_kea6(design, f"lo/{SERVER6}"))
    missing = subprocess.run([KEA6, "-t", str(elsewhere)], capture_output=True, text=True, check=False)
    assert missing.returncode != 0
    assert f"doesn't have address '{SERVER6}'" in missing.stdout + missing.stderr


def _unbound(design: dict[str, Any], listen: list[str], listen6: list[str]) -> str:
    baseline = _baseline()
    clients6 = [design["block6"], *(s for s in baseline["management"]["sources"] if ":" in str(s))]
    return _render(
        "unbound.conf.j2",
        ward_dhcp_dns_dns_listen=listen,
        ward_dhcp_dns_dns_listen6=listen6,
        ward_dhcp_dns_dns_clients=[p["network"] for p in design["dhcp_pools"]],
        ward_dhcp_dns_dns_clients6=clients6,
        ward_dhcp_dns_dnssec=False,  # the trust anchor file of dns-root-data is not what is tested here
        ward_dhcp_dns_dns_forwarders=baseline["services"]["dns"]["servers"],
    )


@pytest.mark.skipif(not Path(CHECKCONF).exists(), reason="needs unbound-checkconf (apt install unbound)")
def test_unbound_answers_the_site_48_and_the_noc_over_ipv6_and_checkconf_takes_it(
    site_design: Callable[..., Any], tmp_path: Path
) -> None:
    design = site_design(BEN_THANH)
    text = _unbound(design, ["10.65.55.74"], [SERVER6])
    lines = [line.strip() for line in text.splitlines()]
    assert f"interface: {SERVER6}" in lines
    allowed = {
        line.split()[1] for line in lines if line.startswith("access-control:") and line.endswith("allow")
    }
    assert {"2001:db8:413::/48", "2001:db8:0:1::/64"} <= allowed  # the site and the NOC
    assert "access-control: ::/0 refuse" in lines  # everyone else refused, over IPv6 as over IPv4
    assert not any(IPv6Network(n).supernet_of(IPv6Network("2001:db8:414::/48")) for n in allowed if ":" in n)
    config = tmp_path / "unbound.conf"
    config.write_text(text)
    checked = subprocess.run([CHECKCONF, str(config)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # an access-control netblock unbound cannot read is refused by its checker
    broken = tmp_path / "broken.conf"
    broken.write_text(text.replace("2001:db8:413::/48 allow", "2001:db8:413::/480 allow"))
    refused = subprocess.run([CHECKCONF, str(broken)], capture_output=True, text=True, check=False)
    assert refused.returncode != 0


def test_unbound_stays_on_localhost_when_it_serves_no_site(site_design: Callable[..., Any]) -> None:
    text = _unbound(site_design(BEN_THANH), [], [])
    interfaces = {line.split()[1] for line in text.splitlines() if line.strip().startswith("interface:")}
    assert interfaces == {"127.0.0.1", "::1"}
    assert "2001:db8:413::/48" not in text


def test_the_host_firewall_opens_dhcpv6_to_the_relays_and_dns_to_ipv6_clients(
    site_design: Callable[..., Any],
) -> None:
    design = site_design(BEN_THANH)
    common = {
        "ward_dhcp_dns_design": design,
        "ward_dhcp_dns_relay_sources": [design["block"]],
        "ward_dhcp_dns_relay_sources6": [design["block6"]],
        "ward_dhcp_dns_dns_clients": ["10.65.52.0/24"],
        "ward_dhcp_dns_dns_clients6": [design["block6"], "2001:db8:0:1::/64"],
    }
    served = _render(
        "nftables.nft.j2",
        ward_dhcp_dns_dns_listen=["10.65.55.74"],
        ward_dhcp_dns_dns_listen6=[SERVER6],
        **common,
    )
    assert "ip6 saddr { 2001:db8:413::/48 } udp dport 547 accept" in served
    assert (
        "ip6 saddr { 2001:db8:413::/48, 2001:db8:0:1::/64 } meta l4proto { tcp, udp } th dport 53" in served
    )
    if Path(NFT).exists() and os.geteuid() == 0:  # nft -c, as the role validates it (server_baseline's table)
        table = "table inet wardnet {\n\tchain services {\n\t}\n}\n"
        checked = subprocess.run(
            [NFT, "-c", "-f", "-"], input=table + served, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr
    quiet = _render("nftables.nft.j2", ward_dhcp_dns_dns_listen=[], ward_dhcp_dns_dns_listen6=[], **common)
    assert "dport 53" not in quiet and "dport 547" in quiet
    slaac_only = _render(
        "nftables.nft.j2",
        ward_dhcp_dns_dns_listen=[],
        ward_dhcp_dns_dns_listen6=[],
        **(common | {"ward_dhcp_dns_design": site_design(DAU_TIENG)}),
    )
    assert "dport 547" not in slaac_only
