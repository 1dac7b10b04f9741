"""Replay devices on 127.0.0.1, the golden intended configs of Ben Thanh, and Targets pointing at them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.vendor.fortigate_device import FIXTURES as FORTIOS_FIXTURES
from tests.vendor.fortigate_device import FortiGate
from tests.vendor.ios_device import FIXTURES as IOS_FIXTURES
from tests.vendor.ios_device import IosDevice
from tests.vendor.replay import ReplayServer
from wardnet.deploy.device import Options
from wardnet.deploy.targets import Target

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "26743-ben-thanh"

USER, PASSWORD = "wardnet-deploy", "replay-only-password"
SECRETS = {
    "breakglass_hash": "$9$Qm3vX1bPz0eK2L$4hDk2lA0n8TqYwVbXe1cR6oJ5mS7uZ9fG3iH0tK2pLw",
    "breakglass_fortios_hash": "SH2nB7kQ1vX3pZ8mL0cR5tY2wE9uI4oA6sD1fG7hJ3kL5zX8cV0bN2mQ4wE6rT8yU0=",
    "snmp_auth": "Auth-Str1ng-For-Replay",
    "snmp_priv": "Priv-Str1ng-For-Replay",
    "tacacs_key": "Tacacs-K3y-For-Replay",
    "radius_key": "Radius-K3y-For-Replay",
    "ntp_key": "Ntp-K3y-For-Replay",
    "ha_password": "Ha-Gr0up-For-Replay",
    "bgp_password": "Bgp-Md5-For-Replay",
}
DRY_RUN = Options(commit=False, neighbor_wait=0, settle=0)
COMMIT = Options(commit=True, confirm_timeout=120, neighbor_wait=0, settle=0)


ARCHIVE_BLOCK = re.compile(r"^archive\n(?: .*\n)*", re.MULTILINE)


def without_deploy_prerequisites(intended: str) -> str:
    """The rendered config minus what the next deploy relies on: the archive the revert timer needs and
    the SCP server the candidate is copied through (the driver must refuse such a candidate)."""
    return ARCHIVE_BLOCK.sub("", intended.replace("ip scp server enable\n", ""))


def resolved(text: str) -> str:
    return re.sub(r"<<secret:([a-z0-9_]+)>>", lambda m: SECRETS[m.group(1)], text)


@dataclass
class Replay:
    device: IosDevice | FortiGate
    server: ReplayServer
    target: Target

    def driver(self, name: str | None = None, **optional: object) -> object:
        import napalm

        driver = napalm.get_network_driver(name or self.target.driver)(
            "127.0.0.1",
            USER,
            PASSWORD,
            timeout=10,
            optional_args={"port": self.server.port, "known_hosts": str(self.server.known_hosts), **optional},
        )
        driver.open()
        return driver

    def with_target(self, **changes: object) -> Replay:
        return Replay(self.device, self.server, replace(self.target, **changes))


def _serve(device: IosDevice | FortiGate, tmp_path: Path, target: Target) -> Iterator[Replay]:
    server = ReplayServer(device, {USER: PASSWORD}, tmp_path).start()
    try:
        args = {"port": server.port, "known_hosts": str(server.known_hosts)}  # enrolled: strict checking
        yield Replay(device, server, replace(target, optional_args=args))
    finally:
        server.stop()


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Replay]:
    """hcm-26743-core as staged on day 0 (ZTP: hostname, management SVI, archive, SCP), on NAPALM ios."""
    device = IosDevice((IOS_FIXTURES / "hcm-26743-core.day0.txt").read_text())
    target = Target(
        name="hcm-26743-core",
        site="26743",
        role="core",
        platform="cisco_iosxe",
        driver="wardnet_ios",
        host="127.0.0.1",
        intended=(GOLDEN / "hcm-26743-core.cfg").read_text(),
        username=USER,
        password=PASSWORD,
        secrets=SECRETS,
    )
    yield from _serve(device, tmp_path, target)


@pytest.fixture
def firewall(tmp_path: Path) -> Iterator[Replay]:
    """hcm-26743-fw as staged on day 0 (factory objects, hostname), on the fortinet driver."""
    device = FortiGate((FORTIOS_FIXTURES / "hcm-26743-fw.day0.conf").read_text())
    target = Target(
        name="hcm-26743-fw",
        site="26743",
        role="firewall",
        platform="fortios",
        driver="fortinet",
        host="127.0.0.1",
        intended=(GOLDEN / "hcm-26743-fw.conf").read_text(),
        username=USER,
        password=PASSWORD,
        secrets=SECRETS,
    )
    yield from _serve(device, tmp_path, target)


HA_BLOCK = (
    'config system ha\n    set group-name "hcm-26743"\n    set mode a-p\n'
    '    set hbdev "ha1" 100 "ha2" 50\n    set session-pickup enable\nend\n'
)


@pytest.fixture
def ha_pair(tmp_path: Path) -> Iterator[Replay]:
    """hcm-26743-fw as an FGCP a-p cluster already formed: the primary answers, one secondary synchronised."""
    day0 = (FORTIOS_FIXTURES / "hcm-26743-fw.day0.conf").read_text() + HA_BLOCK
    primary = FortiGate(day0)
    primary.join(FortiGate(day0.replace('set hostname "hcm-26743-fw"', 'set hostname "hcm-26743-fw-2"')))
    target = Target(
        name="hcm-26743-fw",
        site="26743",
        role="firewall",
        platform="fortios",
        driver="fortinet",
        host="127.0.0.1",
        intended=(GOLDEN / "hcm-26743-fw.conf").read_text(),
        username=USER,
        password=PASSWORD,
        secrets=SECRETS,
    )
    yield from _serve(primary, tmp_path, target)
