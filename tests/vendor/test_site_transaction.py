"""A site as one transaction, on the recorded devices of Ben Thanh (the Catalyst core and the FortiGate):
pushed farthest from the NOC first, verified as a site, then all confirmed or all rolled back."""

from __future__ import annotations

from pathlib import Path

import paramiko

from tests.vendor.conftest import COMMIT, Replay
from tests.vendor.fortigate_device import FortiGate
from tests.vendor.ios_config import render
from tests.vendor.ios_device import IosDevice
from wardnet.deploy.site import commit_order, deploy_site
from wardnet.deploy.targets import Target


def _devices(core: Replay, firewall: Replay) -> tuple[IosDevice, FortiGate]:
    assert isinstance(core.device, IosDevice) and isinstance(firewall.device, FortiGate)
    return core.device, firewall.device


def test_every_device_is_committed_in_order_and_confirmed_after_the_site_checks(
    core: Replay, firewall: Replay
) -> None:
    ios, forti = _devices(core, firewall)
    backed_up: list[str] = []
    probed: list[tuple[str, bool, bool]] = []

    def probe(target: Target) -> None:  # runs before any confirm: both still wait for theirs
        probed.append((target.name, ios.pending is not None, forti.dirty))

    results = deploy_site(
        [firewall.target, core.target], COMMIT, lambda t, _: backed_up.append(t.name), probe, workers=2
    )
    assert {r.name: r.status for r in results} == {"hcm-26743-core": "committed", "hcm-26743-fw": "committed"}
    assert backed_up == ["hcm-26743-core", "hcm-26743-fw"]  # the core behind the firewall goes first
    assert sorted(probed) == [("hcm-26743-core", True, True), ("hcm-26743-fw", True, True)]
    assert ios.pending is None and "configure confirm" in ios.commands
    assert forti.mode == "automatic" and not forti.dirty


def test_one_device_failing_the_site_check_rolls_back_the_whole_site(core: Replay, firewall: Replay) -> None:
    """The firewall alone would confirm (its own checks pass); the core is not reachable from the NOC."""
    ios, forti = _devices(core, firewall)
    ios_before = render(ios.running)
    policies_before = forti.show("firewall policy", False, "x")

    def probe(target: Target) -> str | None:  # the core's new config cuts its NOC path; its old one did not
        cut = target.name == "hcm-26743-core" and ios.pending is not None
        return "management unreachable from the NOC" if cut else None

    results = deploy_site([core.target, firewall.target], COMMIT, lambda *_: None, probe, workers=2)
    by_name = {r.name: r for r in results}
    assert {n: r.status for n, r in by_name.items()} == {
        "hcm-26743-core": "rolled-back",
        "hcm-26743-fw": "rolled-back",
    }
    assert "hcm-26743-core: management unreachable from the NOC" in by_name["hcm-26743-fw"].error
    assert by_name["hcm-26743-fw"].error.endswith("rolled back; the site is back as it was")
    assert "configure revert now" in ios.commands and ios.pending is None
    assert render(ios.running) == ios_before
    assert "execute cfg reload" in forti.commands
    assert forti.show("firewall policy", False, "x") == policies_before


def test_a_device_that_cannot_be_prepared_stops_the_site_before_any_push(
    core: Replay, firewall: Replay
) -> None:
    _, forti = _devices(core, firewall)
    unreachable = core.with_target(optional_args={**core.target.optional_args, "port": 1}).target
    results = deploy_site([unreachable, firewall.target], COMMIT, lambda *_: None, None, workers=2)
    by_name = {r.name: r for r in results}
    assert by_name["hcm-26743-core"].status == "failed"
    assert by_name["hcm-26743-fw"].status == "skipped"
    assert "nothing was pushed" in by_name["hcm-26743-fw"].error
    assert not forti.dirty and "execute cfg save" not in forti.commands


def test_commit_order_is_farthest_from_the_noc_first(core: Replay, firewall: Replay) -> None:
    from dataclasses import replace

    access = replace(core.target, name="hcm-26743-acc1", role="access")
    assert [t.name for t in commit_order([firewall.target, core.target, access])] == [
        "hcm-26743-acc1",
        "hcm-26743-core",
        "hcm-26743-fw",
    ]


def test_a_spoofed_device_holds_its_whole_site_back(core: Replay, firewall: Replay, tmp_path: Path) -> None:
    """A site cannot be verified with a device it must not talk to: refused, and nothing is pushed."""
    other = paramiko.ECDSAKey.generate()
    store = tmp_path / "spoofed_known_hosts"
    store.write_text(f"[127.0.0.1]:{core.server.port} {other.get_name()} {other.get_base64()}\n")
    spoofed = core.with_target(optional_args={**core.target.optional_args, "known_hosts": str(store)}).target
    _, forti = _devices(core, firewall)
    results = deploy_site([spoofed, firewall.target], COMMIT, lambda *_: None, None, workers=2)
    by_name = {r.name: r for r in results}
    assert by_name["hcm-26743-core"].status == "refused"
    assert by_name["hcm-26743-core"].error.startswith("SECURITY: host key mismatch")
    assert by_name["hcm-26743-fw"].status == "skipped" and not forti.dirty
    assert core.server.auth_attempts == []
