"""Scale-out on a real engine: N `wardnet audit --shard K/N` processes run at the same time (real
subprocesses, replayed devices; see shard_worker.py) against one history, then `wardnet audit merge`
records the whole run once. Every device of the chosen sites is in exactly one shard, whole sites per
shard, no shard touches the history, and merging the same shards again replaces the run, never doubles it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import REPO
from wardnet.inventory import Inventory

SITES = ("25747", "25750", "26743")
N = 3
WARDNET = Path(sys.executable).with_name("wardnet")


def runs(history: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(history)) as db:
        rows = db.execute("SELECT run_id, devices FROM runs").fetchall()
        names = db.execute("SELECT name FROM devices").fetchall()
    assert len(names) == len(set(names)) == sum(r[1] for r in rows)  # no device twice in the history
    return rows


@pytest.mark.slow
def test_concurrent_shards_merge_into_one_recorded_run(tmp_path: Path, inventory: Inventory) -> None:
    from wardnet.pipeline import designs

    expected = {name: d.plan.site.code for d in designs(inventory, list(SITES)) for name in d.devices}
    history, barrier = tmp_path / "state" / "audit" / "history.sqlite", tmp_path / "barrier"
    barrier.mkdir()
    env = {**os.environ, "WARDNET_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(REPO)}
    sites = [w for code in SITES for w in ("--site", code)]
    shards = []
    for k in range(1, N + 1):
        out = tmp_path / f"shard-{k}"
        argv = ["audit", *sites, "--shard", f"{k}/{N}", "--json", str(out / "run.json"), "--workers", "4",
                "--report", str(out), "--history", str(history)]  # fmt: skip
        command = [sys.executable, "-m", "tests.vendor.shard_worker", str(barrier), str(N), "--", *argv]
        log = (out.with_suffix(".log")).open("w")
        shards.append(
            (subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), out)
        )
    codes = [process.wait(timeout=300) for process, _ in shards]
    logs = [out.with_suffix(".log").read_text() for _, out in shards]
    assert codes == [1] * N, logs  # drift (day-0 devices) and unreachable switches: findings, not a crash
    assert len(list(barrier.glob("ready-*"))) == N

    parts = [json.loads((out / "run.json").read_text()) for _, out in shards]
    assert sorted(p["shard"] for p in parts) == [f"{k}/{N}" for k in range(1, N + 1)]
    seen = [d["name"] for p in parts for d in p["devices"]]
    assert sorted(seen) == sorted(expected)  # every device once
    for p in parts:
        assert len({d["site"] for d in p["devices"]}) == 1  # whole sites: one site per shard here
    audited = {d["name"]: d["status"] for p in parts for d in p["devices"]}
    assert {n for n, s in audited.items() if s != "not-audited"} == {
        n for n in expected if n.endswith(("-core", "-fw"))
    }  # the replayed core and firewall of each site were read and compared
    # the shards ran at the same time: each started before any other finished
    assert max(p["started"] for p in parts) <= min(p["finished"] for p in parts)
    assert not history.exists() or runs(history) == []  # a shard is never recorded

    merge = [str(WARDNET), "audit", "merge", *(str(out / "run.json") for _, out in shards),
             "--history", str(history), "--report", str(tmp_path / "report"),
             "--metrics", str(tmp_path / "wardnet_audit.prom"), "--lang", "en"]  # fmt: skip
    for _ in range(2):  # a re-run merge replaces the run: still once
        result = subprocess.run(
            merge, check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 1, result.stderr
        assert runs(history) == [(min(p["run_id"] for p in parts), len(expected))]
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["shard"] == "" and len(report["devices"]) == len(expected)
    assert 'wardnet_audit_devices{status="not-audited"} ' in (tmp_path / "wardnet_audit.prom").read_text()
