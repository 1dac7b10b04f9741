"""One host model (wardnet.hosts): deploy/audit targets and the Nornir inventory adapt from the same hosts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.deploy.targets import Credentials, production_targets
from wardnet.hosts import device_host, site_hosts
from wardnet.inventory import Inventory
from wardnet.nornir_inventory import WardnetInventory
from wardnet.pipeline import designs


def test_targets_and_nornir_hosts_are_the_designs_devices(inventory: Inventory) -> None:
    design = designs(inventory, [BEN_THANH])[0]
    targets = production_targets([design], Credentials(username="u"))
    nornir = WardnetInventory(INVENTORY, [BEN_THANH]).load()
    assert [t.name for t in targets] == list(design.devices) == list(nornir.hosts)
    for target in targets:
        config = design.devices[target.name]
        assert (target.site, target.role, target.platform) == (BEN_THANH, config.role, config.platform)
        assert target.host == config.management.address == nornir.hosts[target.name].hostname
        assert target.driver == nornir.hosts[target.name].platform
    core = next(t for t in targets if t.name == f"hcm-{BEN_THANH}-core")
    assert (core.role, core.platform, core.driver) == ("core", "cisco_iosxe", "wardnet_ios")
    fw = next(h for h in site_hosts(design) if h.role == "firewall")
    assert fw.groups == (f"site_{BEN_THANH}", "role_firewall", "platform_fortios")
    assert fw.ansible_network_os == "fortinet.fortios.fortios"


def test_an_unregistered_platform_is_refused(inventory: Inventory) -> None:
    config = designs(inventory, [BEN_THANH])[0].devices[f"hcm-{BEN_THANH}-acc1"]
    with pytest.raises(ValueError, match="no platform 'eos' registered"):
        device_host(replace(config, platform="eos"))
