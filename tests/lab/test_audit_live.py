"""The audit against the live lab: deploy Ben Thanh's twin, audit clean; inject drift three ways (vtysh,
nftables, Open vSwitch), audit finds each with device, feature and line; remediate; audit clean again;
an unreachable device is reported as not audited, never fatal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.conftest import BEN_THANH, REPO
from tests.lab.conftest import point_at_lab
from wardnet.cli import main
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

FW, ACC1, ACC3, ACC5 = (f"hcm-{BEN_THANH}-{n}" for n in ("fw", "acc1", "acc3", "acc5"))


@pytest.fixture(scope="module")
def deployed(intended: Lab, tmp_path_factory: pytest.TempPathFactory) -> tuple[Lab, Path]:
    """The twin and one state directory for the whole module (its tests share the backups store)."""
    return intended, tmp_path_factory.mktemp("audit-state")


@pytest.fixture
def env(deployed: tuple[Lab, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    lab, state = deployed
    point_at_lab(monkeypatch, lab, state)
    return state


def audit(state: Path, name: str, *extra: str) -> tuple[int, dict, Path]:
    report = state / name
    code = main(["audit", "--site", BEN_THANH, "--lab", "--report", str(report), *extra])
    return code, json.loads((report / "report.json").read_text()), report


def findings(result: dict, device: str) -> list[dict]:
    return next(d for d in result["devices"] if d["name"] == device)["findings"]


def test_right_after_deploy_the_audit_is_clean(deployed, env) -> None:
    code, result, report = audit(env, "clean")
    assert code == 0, [(d["name"], d["status"], d["findings"]) for d in result["devices"]]
    assert {d["status"] for d in result["devices"]} == {"compliant"}
    assert len(result["devices"]) == 7
    assert (report / "index.html").exists() and (report / "junit.xml").exists()
    assert (env / "backups" / BEN_THANH / f"{ACC1}.frr").exists()  # the run's running configs, in git


SECRET = "Wn-Audit-S3cret-7731"


def every_output(state: Path, shown: str) -> str:
    """Everything the audit wrote or printed: reports, JSON, history, and the backups' whole git history."""
    texts = [shown]
    for path in state.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    log = ["git", "-C", str(state / "backups"), "log", "-p", "--all"]
    texts.append(subprocess.run(log, capture_output=True, text=True, check=True).stdout)
    return "\n".join(texts)


def test_drift_injected_three_ways_is_found_then_remediated(deployed, env, capsys, tmp_path) -> None:
    lab, _ = deployed
    lab.run(ACC1, ["vtysh", "-c", "configure terminal", "-c", "interface vlan10", "-c", "description HACKED"])
    bgp = ["vtysh", "-c", "configure terminal", "-c", "router bgp 4200026743"]
    lab.run(FW, [*bgp, "-c", f"neighbor 10.65.55.240 password {SECRET}"], check=True)
    telnet = ["nft", "add", "rule", "inet", "wardnet", "input", "tcp", "dport", "23", "accept"]
    lab.run(FW, telnet, check=True)
    ssh6 = ["nft", "add", "rule", "inet", "wardnet", "input", "ip6", "saddr", "2001:db8:dead::/48"]
    lab.run(FW, [*ssh6, "tcp", "dport", "22", "accept"], check=True)  # IPv6 drift (issue 23)
    lab.run(ACC3, ["ovs-vsctl", "set", "port", "swp3", "tag=50"], check=True)

    code, result, report = audit(env, "drift", "--remediate")
    assert code == 1
    drifted = {d["name"] for d in result["devices"] if d["status"] == "drift"}
    assert drifted == {ACC1, FW, ACC3}
    assert result["exit_code"] == 1 and {s["site"] for s in result["sites"]} == {BEN_THANH}

    acc1 = findings(result, ACC1)
    assert any(f["feature"] == "interfaces" and "description HACKED" in f["running"] for f in acc1), acc1
    fw = findings(result, FW)
    assert any(f["feature"] == "firewall" and "tcp dport 23 accept" in f["running"] for f in fw), fw
    ssh6_line = "ip6 saddr 2001:db8:dead::/48 tcp dport 22 accept"
    assert any(f["feature"] == "firewall" and ssh6_line in f["running"] for f in fw), fw
    secret_line = "neighbor 10.65.55.240 password <secret>"
    assert any(f["feature"] == "routing" and f["running"] == secret_line for f in fw), fw
    acc3 = findings(result, ACC3)
    # swp3 is a staff port: its data VLAN is the native one, the phone's voice VLAN rides tagged
    moved = "port swp3 trunks=20,40 tag=50 vlan_mode=native-untagged"
    assert any(f["feature"] == "vlans" and f["running"] == moved for f in acc3), acc3

    captured = capsys.readouterr()
    shown = captured.out
    assert "description HACKED" in shown  # --remediate shows the commands per device
    assert "ovs-vsctl -- set Port swp3 tag=20" in shown and "nft -f - <<'EOF'" in shown
    html = (report / "index.html").read_text()
    assert ACC1 in html and "HACKED" in html
    assert SECRET not in every_output(env, shown + captured.err)  # masked in every output

    # the live report, rendered by a real browser
    dom = chromium(tmp_path, (report / "index.html").as_uri(), "--dump-dom")
    assert 'id="sites"' in dom and f'id="device-{ACC1}"' in dom and "description HACKED" in dom

    code, _, _ = audit(env, "fix", "--remediate", "--commit", "--confirm-timeout", "60")
    assert code == 0, capsys.readouterr()
    code, result, _ = audit(env, "after")
    assert code == 0, [(d["name"], d["findings"]) for d in result["devices"] if d["findings"]]


def test_the_playbook_runs_the_same_audit(deployed, env) -> None:
    bin_dir = Path(sys.executable).parent
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    report = env / "playbook"
    command = [str(bin_dir / "ansible-playbook"), "playbooks/audit.yml", "-e", f"site={BEN_THANH}"]
    command += ["-e", "lab=true", "-e", f"state_dir={env}", "-e", f"report={report}"]
    done = subprocess.run(command, check=False, cwd=REPO, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 devices, 7 compliant, 0 drifted, 0 not audited" in done.stdout
    result = json.loads((report / "report.json").read_text())
    assert {d["status"] for d in result["devices"]} == {"compliant"}


def test_shards_audit_apart_and_merge_into_one_report(deployed, env) -> None:
    shard = env / "shard-1.json"
    history = env / "shard-history.sqlite"
    assert (
        main(
            [
                "audit",
                "--site",
                BEN_THANH,
                "--lab",
                "--shard",
                "1/1",
                "--json",
                str(shard),
                "--history",
                str(history),
            ]
        )
        == 0
    )
    assert json.loads(shard.read_text())["shard"] == "1/1"
    merged = env / "merged"
    assert main(["audit", "merge", str(shard), "--report", str(merged), "--history", str(history)]) == 0
    result = json.loads((merged / "report.json").read_text())
    assert result["shard"] == "" and len(result["devices"]) == 7
    assert main(["audit", "--site", BEN_THANH, "--lab", "--shard", "2/1"]) == 2  # a clear error, exit 2


def test_an_unreachable_device_is_reported_not_fatal(deployed, env) -> None:
    lab, _ = deployed
    sshd = lab.root / "nodes" / BEN_THANH / ACC5 / "run/sshd.pid"
    lab.run(ACC5, ["kill", sshd.read_text().strip()], check=True)  # our node's own sshd
    try:
        code, result, report = audit(env, "unreachable")
    finally:
        lab.run(ACC5, ["/usr/sbin/sshd", "-f", str(sshd.parent.parent / "ssh/sshd_config")], check=True)
    by_name = {d["name"]: d for d in result["devices"]}
    assert code == 1
    assert by_name[ACC5]["status"] == "not-audited" and by_name[ACC5]["error"]
    assert {d["status"] for n, d in by_name.items() if n != ACC5} == {"compliant"}
    assert ACC5 in (report / "index.html").read_text()
