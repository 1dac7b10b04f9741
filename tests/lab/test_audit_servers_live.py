"""Servers in the audit, live: Ben Thanh's twin and its server srv1 (a podman instance converged
by the roles, `lab up --servers`); drift injected on srv1 three ways (an sshd option in its file, an
nft rule added at run time, a Kea pool edited) is found with feature, file and line in one `wardnet
audit --servers` report beside the 7 network devices; `--remediate --commit` runs the roles in commit
mode and the next audit is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, REPO
from tests.lab.conftest import TEST_PREFIX, point_at_lab
from wardnet.cli import main
from wardnet.lab import servers
from wardnet.lab.manager import Lab

pytestmark = [pytest.mark.lab, pytest.mark.lab_servers]  # `make lab-servers-test`

SRV1 = f"hcm-{BEN_THANH}-srv1"


@pytest.fixture(scope="module")
def with_server(servers_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> tuple[Lab, Path]:
    return servers_lab, tmp_path_factory.mktemp("audit-servers-state")


@pytest.fixture
def env(with_server: tuple[Lab, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    lab, state = with_server
    point_at_lab(monkeypatch, lab, state)
    return state


def on_server(*command: str, stdin: str | None = None) -> str:
    name = servers.container_name(TEST_PREFIX, BEN_THANH, "srv1")
    done = subprocess.run(
        ["podman", "exec", *(["-i"] if stdin is not None else []), name, *command],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"CONTAINERS_CONF": str(servers.CONTAINERS_CONF)},
    )
    return done.stdout


def audit(state: Path, name: str, *extra: str) -> tuple[int, dict]:
    report = state / name
    code = main(["audit", "--site", BEN_THANH, "--lab", "--servers", "--report", str(report), *extra])
    return code, json.loads((report / "report.json").read_text())


def test_server_drift_three_ways_is_found_with_feature_and_line_then_remediated(with_server, env) -> None:
    kea = on_server("cat", "/etc/kea/kea-dhcp4.conf")
    pool = next(line for line in kea.splitlines() if '"pool": "' in line)
    first, last = pool.split('"pool": "', 1)[1].split('"', 1)[0].split(" - ")
    shrunk = pool.replace(last, first)  # the pool cut down to one address
    on_server("sh", "-c", "cat > /etc/kea/kea-dhcp4.conf", stdin=kea.replace(pool, shrunk, 1))
    on_server("sed", "-i", "s/^PermitRootLogin no$/PermitRootLogin yes/", "/etc/ssh/sshd_config")
    on_server("nft", "add", "rule", "inet", "wardnet", "input", "tcp", "dport", "23", "accept")

    code, result = audit(env, "drift", "--remediate")
    assert code == 1
    by_name = {d["name"]: d for d in result["devices"]}
    assert len(by_name) == 8 and SRV1 in by_name  # the 7 network devices and srv1, one report
    assert all(d["status"] == "compliant" for n, d in by_name.items() if n != SRV1), [
        (n, d["status"], d["error"]) for n, d in by_name.items() if d["status"] != "compliant"
    ]
    srv1 = by_name[SRV1]
    assert (srv1["status"], srv1["platform"]) == ("drift", "server"), srv1
    found = srv1["findings"]
    sshd = [f for f in found if f["section"].startswith("/etc/ssh/sshd_config:")]
    assert [(f["kind"], f["feature"], f["running"]) for f in sshd] == [
        ("changed", "management", "PermitRootLogin yes")
    ], found
    line = int(sshd[0]["section"].rsplit(":", 1)[1])
    assert on_server("sed", "-n", f"{line}p", "/etc/ssh/sshd_config").strip() == "PermitRootLogin yes"
    nft = [f for f in found if f["section"].startswith("nft list table inet wardnet:")]
    assert [(f["kind"], f["feature"], f["running"]) for f in nft] == [
        ("extra", "firewall", "tcp dport 23 accept")
    ]
    kea = [f for f in found if f["section"].startswith("/etc/kea/kea-dhcp4.conf:")]
    assert [(f["kind"], f["feature"]) for f in kea] == [("changed", "dhcp")], found
    assert shrunk.strip() == kea[0]["running"] and pool.strip() == kea[0]["intended"]
    rules = {r["rule"] for r in srv1["baseline"]}
    assert {"L2-AAA-02", "L2-MGMT-03"} <= rules  # the level-2 rules on sshd -T and the loaded ruleset
    assert result["sites"][0]["compliance"] < 100
    backups = env / "backups" / BEN_THANH / SRV1
    assert "PermitRootLogin yes" in (backups / "etc/ssh/sshd_config").read_text()  # managed files, in git

    code, _ = audit(env, "fix", "--remediate", "--commit", "--confirm-timeout", "60")
    assert code == 0
    assert "tcp dport 23" not in on_server("nft", "list", "table", "inet", "wardnet")

    # The next audit through the playbook (module wardnet_audit: servers, lang, metrics): clean.
    bin_dir = Path(sys.executable).parent
    report, metrics = env / "after", env / "wardnet_audit.prom"
    command = [str(bin_dir / "ansible-playbook"), "playbooks/audit.yml", "-e", f"site={BEN_THANH}"]
    command += ["-e", "lab=true", "-e", "servers=true", "-e", f"state_dir={env}", "-e", f"report={report}"]
    command += ["-e", "lang=vi", "-e", f"metrics={metrics}"]
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(command, check=False, cwd=REPO, env=environment, capture_output=True, text=True)
    result = json.loads((report / "report.json").read_text())
    drifted = [
        (d["name"], d["findings"], d["baseline"]) for d in result["devices"] if d["status"] != "compliant"
    ]
    assert done.returncode == 0, (drifted, done.stdout[-2000:])
    assert "8 devices, 8 compliant, 0 drifted, 0 not audited" in done.stdout
    assert '<html lang="vi"' in (report / "index.html").read_text()
    labels = f'site="{BEN_THANH}",device="{SRV1}",platform="server",role="server"'
    assert f"wardnet_audit_device_audited{{{labels}}} 1" in metrics.read_text()
