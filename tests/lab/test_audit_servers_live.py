"""Servers in the audit, live: Ben Thanh's twin and its server srv1 (a podman instance converged
by the roles, `lab up --servers`); drift injected on srv1 three ways (an sshd option in its file, an
nft rule added at run time, a Kea pool edited) is found with feature, file and line in one `wardnet
audit --servers` report beside the 7 network devices; `--remediate --commit` runs the roles in commit
mode and the next audit is clean. That last run's Vietnamese report is opened in Chromium (the SVG trend of
the three runs, srv1 in the device table; a screenshot in build/test-artifacts/audit-servers-live/) and its
metrics file is read with Prometheus' own text parser (prometheus_client)."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.browser import PNG, chromium, require_chromium
from tests.conftest import BEN_THANH, REPO
from tests.lab.conftest import TEST_PREFIX, point_at_lab
from tests.unit.test_audit_report_browser import ARTIFACTS, rows
from wardnet.cli import main
from wardnet.lab import servers
from wardnet.lab.manager import Lab

pytestmark = [pytest.mark.lab, pytest.mark.lab_servers]  # `make lab-servers-test`

SRV1 = f"hcm-{BEN_THANH}-srv1"
SHOTS = ARTIFACTS.parent / "audit-servers-live"


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
    started = time.monotonic()
    code = main(["audit", "--site", BEN_THANH, "--lab", "--servers", "--report", str(report), *extra])
    print(f"audit {name}: {time.monotonic() - started:.0f} s")  # for the README's figures, never asserted
    return code, json.loads((report / "report.json").read_text())


def audit_playbook(state: Path, report: Path, metrics: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "ansible-playbook"), "playbooks/audit.yml", "-e", f"site={BEN_THANH}"]
    command += ["-e", "lab=true", "-e", "servers=true", "-e", f"state_dir={state}", "-e", f"report={report}"]
    command += ["-e", "lang=vi", "-e", f"metrics={metrics}"]
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    started = time.monotonic()
    done = subprocess.run(command, check=False, cwd=REPO, env=environment, capture_output=True, text=True)
    print(f"audit through playbooks/audit.yml: {time.monotonic() - started:.0f} s")
    return done


def test_server_drift_three_ways_is_found_with_feature_and_line_then_remediated(with_server, env) -> None:
    require_chromium()  # the last step opens the report in it: skip (or fail under CI) before any change
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
    report, metrics = env / "after", env / "wardnet_audit.prom"
    done = audit_playbook(env, report, metrics)
    result = json.loads((report / "report.json").read_text())
    drifted = [
        (d["name"], d["findings"], d["baseline"]) for d in result["devices"] if d["status"] != "compliant"
    ]
    assert done.returncode == 0, (drifted, done.stdout[-2000:])
    assert "8 devices, 8 compliant, 0 drifted, 0 not audited" in done.stdout
    assert '<html lang="vi"' in (report / "index.html").read_text()
    labels = f'site="{BEN_THANH}",device="{SRV1}",platform="server",role="server"'
    assert f"wardnet_audit_device_audited{{{labels}}} 1" in metrics.read_text()

    metrics_parse(metrics.read_text(), set(by_name))
    report_in_chromium(env, report, set(by_name))


def metrics_parse(text: str, devices: set[str]) -> None:
    """The metrics file as node_exporter's textfile collector hands it to Prometheus: its own parser."""
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)  # raises on a malformed line
        for s in family.samples
    }
    by_status = {
        s: samples[("wardnet_audit_devices", frozenset({("status", s)}))] for s in ("compliant", "drift")
    }
    assert by_status == {"compliant": len(devices), "drift": 0}
    audited = {dict(k)["device"]: v for (n, k), v in samples.items() if n == "wardnet_audit_device_audited"}
    assert audited == dict.fromkeys(devices, 1)  # the 7 network devices and srv1, each audited
    srv1 = frozenset({("site", BEN_THANH), ("device", SRV1), ("platform", "server"), ("role", "server")})
    assert samples[("wardnet_audit_device_compliance_ratio", srv1)] == 1
    assert samples[("wardnet_audit_run_exit_code", frozenset())] == 0


def report_in_chromium(work: Path, report: Path, devices: set[str]) -> None:
    """The Vietnamese report of the clean run in Chromium at 1366x768: the trend of the three runs the
    history holds (the drift, the run that fixed it, the clean one) as SVG, every device in the table."""
    page = (report / "index.html").as_uri()
    dom = chromium(work, page, "--dump-dom", "--window-size=1366,768")
    assert '<html lang="vi">' in dom and "Nghiêm trọng" in dom
    city = dom[dom.index('id="chart-1"') : dom.index("</svg>", dom.index('id="chart-1"'))]
    assert len(re.findall(r"<circle ", city)) == 3 and len(re.findall(r"<polyline ", city)) == 1
    # the two drifted runs each have sshd and nft (critical) and Kea (medium); the clean run no bar
    assert len(re.findall(r'<rect class="critical"', city)) == 2
    assert len(re.findall(r'<rect class="medium"', city)) == 2
    assert len(re.findall(r'<svg class="trend"', dom)) == 2  # the city and its one site
    assert sorted(rows(dom)) == sorted(devices)
    shot = work / "report-vi-1366x768.png"
    chromium(work, page, f"--screenshot={shot}", "--window-size=1366,768", "--hide-scrollbars")
    data = shot.read_bytes()
    assert data.startswith(PNG) and struct.unpack(">II", data[16:24]) == (1366, 768)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / shot.name).write_bytes(data)
