"""NAPALM's own shared test: every public method of wardnet's three drivers has NetworkDriver's signature."""

from __future__ import annotations

from typing import Any

import pytest
from napalm.base.test.getters import BaseTestGetters
from napalm_fortinet import FortinetDriver
from napalm_frr import FrrDriver
from napalm_wardnet_ios import WardnetIOSDriver

DRIVERS = [FortinetDriver, FrrDriver, WardnetIOSDriver]


class _Case:
    """What BaseTestGetters.test_method_signatures reads from its test instance: the driver class."""

    def __init__(self, driver: type) -> None:
        self.driver = driver


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.__name__)
def test_method_signatures(driver: type) -> None:
    BaseTestGetters.test_method_signatures(_Case(driver))  # type: ignore[arg-type]


def test_a_diverging_signature_is_caught() -> None:
    """The shared test does fail on a driver whose method drifts from NAPALM's interface."""

    class Drifted(FrrDriver):
        def compare_config(self, full: bool = False) -> str:  # type: ignore[override]
            return ""

    with pytest.raises(AssertionError, match="Some methods vary"):
        BaseTestGetters.test_method_signatures(_Case(Drifted))  # type: ignore[arg-type]


def test_drivers_are_the_registrys() -> None:
    """napalm.get_network_driver finds each platform's driver under the registry's name."""
    import napalm

    from wardnet.platforms import PLATFORMS

    found: dict[str, Any] = {p.name: napalm.get_network_driver(p.napalm_driver) for p in PLATFORMS.values()}
    assert found == {"cisco_iosxe": WardnetIOSDriver, "fortios": FortinetDriver, "frr": FrrDriver}
