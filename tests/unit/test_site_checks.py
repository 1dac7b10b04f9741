"""The frr platform's site checks read the designed trunks from the intended ovs section."""

from __future__ import annotations

from wardnet.platforms.frr import designed_trunks

OVS = """bridge br0 datapath_type=netdev
 port swp1 trunks=10,20,21 tag=999 vlan_mode=native-untagged
 port swp2 tag=20
 port swp40 tag=999 shutdown
 port uplink1 trunks=10,20,21,30,50,70 tag=999 vlan_mode=native-untagged
 port vlan10 type=internal tag=10
"""


def test_only_ports_with_trunks_are_designed_trunks_with_their_vlans() -> None:
    assert designed_trunks(OVS) == {"swp1": {10, 20, 21}, "uplink1": {10, 20, 21, 30, 50, 70}}


def test_no_ovs_section_no_trunks() -> None:
    assert designed_trunks("") == {}
