"""The servers' view of the design (issue 6): the filter `wardnet_site_design` hands roles/ward_dhcp_dns
exactly the pools the design sized for the site firewall, and the Kea template turns them into one subnet per
VLAN. The live proof (Kea's own test mode, a relayed DISCOVER per VLAN) is the Molecule scenario
ward_dhcp_dns."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import pytest
from ansible.errors import AnsibleFilterError

from tests.conftest import BEN_THANH, INVENTORY, REPO, ward_file
from wardnet.pipeline import build

FILTER = REPO / "plugins" / "filter" / "wardnet_design.py"
KEA_TEMPLATE = REPO / "roles" / "ward_dhcp_dns" / "templates" / "kea-dhcp4.conf.j2"


def filter_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wardnet_ansible_filter_design", FILTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site_design() -> Callable[..., dict[str, Any]]:
    return filter_module().FilterModule().filters()["wardnet_site_design"]


def firewall_config(code: str) -> dict[str, Any]:
    _, designs = build(INVENTORY, [code])
    return designs[0].firewall.as_dict()


def test_the_filter_serves_exactly_the_pools_the_design_sized(site_design: Callable[..., Any]) -> None:
    design = site_design(BEN_THANH)
    firewall = firewall_config(BEN_THANH)
    assert design["dhcp_pools"] == firewall["dhcp_pools"]
    kea = [s for s in design["servers"] if "dhcp_dns" in s["services"]]
    assert kea and all(s["dhcp_pools"] == design["dhcp_pools"] for s in kea)  # the server's own pools
    assert design["domain"] == firewall["domain"]
    assert design["site"]["code"] == BEN_THANH
    gateways = {v["vlan"]: v["address"] for v in design["vlans"]}
    block = IPv4Network(design["block"])
    for pool in design["dhcp_pools"]:
        network = IPv4Network(pool["network"])
        assert network.subnet_of(block)
        assert str(network.netmask) == pool["netmask"]
        assert pool["gateway"] == gateways[pool["vlan"]]
        start, end = IPv4Address(pool["start"]), IPv4Address(pool["end"])
        assert network.network_address < start <= end < network.broadcast_address
        assert IPv4Address(pool["gateway"]) not in range_of(start, end)
    # the servers VLAN is static only: never a pool
    servers = next(v for v in design["vlans"] if v["zone"] == "servers")
    assert servers["vlan"] not in {pool["vlan"] for pool in design["dhcp_pools"]}


def range_of(start: IPv4Address, end: IPv4Address) -> range:
    return range(int(start), int(end) + 1)


def test_the_filter_result_is_plain_data_and_cached(site_design: Callable[..., Any]) -> None:
    first = site_design(BEN_THANH)
    assert json.loads(json.dumps(first)) == first
    assert site_design(int(BEN_THANH)) is first  # codes arrive as strings or numbers; one design per process


def test_the_filter_reloads_a_changed_inventory(
    site_design: Callable[..., Any], inventory_copy: Callable[..., Path]
) -> None:
    root = inventory_copy(BEN_THANH)
    before = site_design(BEN_THANH, inventory=str(root))
    path = ward_file(root, BEN_THANH)
    text = path.read_text()
    users = re.search(r"concurrent_users:\s*(\d+)", text)
    assert users is not None
    path.write_text(text.replace(users.group(0), "concurrent_users: 1200"))
    after = site_design(BEN_THANH, inventory=str(root))
    guest = [p for p in after["dhcp_pools"] if p["vlan"] == 50]
    assert after is not before
    assert guest and guest != [p for p in before["dhcp_pools"] if p["vlan"] == 50]


def test_the_filter_names_an_unknown_site_and_a_wrong_folder(
    site_design: Callable[..., Any], tmp_path: Path
) -> None:
    with pytest.raises(AnsibleFilterError, match="99999: no site with this code"):
        site_design("99999")
    with pytest.raises(AnsibleFilterError, match="not a wardnet inventory folder"):
        site_design(BEN_THANH, inventory=str(tmp_path))


def test_the_kea_template_makes_one_subnet_per_pool(site_design: Callable[..., Any]) -> None:
    design = site_design(BEN_THANH)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["to_json"] = json.dumps
    text = env.from_string(KEA_TEMPLATE.read_text()).render(
        ansible_managed="Ansible managed",
        ward_dhcp_dns_design=design,
        ward_dhcp_dns_interfaces=["wnsrv0"],
        ward_dhcp_dns_socket_type="udp",
        ward_dhcp_dns_lease_file="/var/lib/kea/kea-leases4.csv",
        ward_dhcp_dns_queue_capacity=500,
    )
    kea = json.loads(re.sub(r"(?m)^\s*//.*$", "", text))["Dhcp4"]
    subnets = {subnet["id"]: subnet for subnet in kea["subnet4"]}
    assert sorted(subnets) == sorted(pool["vlan"] for pool in design["dhcp_pools"])
    for pool in design["dhcp_pools"]:
        subnet = subnets[pool["vlan"]]
        options = {option["name"]: option["data"] for option in subnet["option-data"]}
        assert subnet["subnet"] == pool["network"]
        assert subnet["pools"] == [{"pool": f"{pool['start']} - {pool['end']}"}]
        assert subnet["valid-lifetime"] == pool["lease_minutes"] * 60
        assert options == {
            "routers": pool["gateway"],
            "domain-name-servers": ", ".join(pool["dns"]),
            "ntp-servers": ", ".join(pool["ntp"]),
        }
    assert kea["option-data"] == [{"name": "domain-name", "data": design["domain"]}]
    # issue 19: an avalanche of clients is queued oldest-dropped-first, not lost in the socket buffer
    assert kea["dhcp-queue-control"] == {"enable-queue": True, "queue-type": "kea-ring4", "capacity": 500}
