"""The scale-out and monitoring examples in contrib/ call options that exist and cover every shard: the
GitLab CI and GitHub Actions matrices, the AWX job-slicing playbooks (ansible-playbook --syntax-check),
and the Grafana dashboard asks only for metrics and labels `wardnet audit --metrics` writes."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO
from tests.unit.test_audit_report import city_run
from wardnet.audit.metrics import HELP, exposition, samples
from wardnet.cli import parser

CONTRIB = REPO / "contrib"


def wardnet_args(command: str, values: dict[str, str]) -> list[str]:
    """The words after `wardnet` with the CI variables filled in, the shell's `|| test` cut off."""
    for name, value in values.items():
        command = command.replace(name, value)
    words = shlex.split(command.split("||")[0])
    start = next(i for i, w in enumerate(words) if w.endswith("wardnet") or w == "$WARDNET")
    return words[start + 1 :]


def test_gitlab_matrix_runs_every_shard_then_merges() -> None:
    ci = yaml.safe_load((CONTRIB / "ci" / "gitlab-ci.yml").read_text())
    n = ci["audit-shard"]["parallel"]
    shards = []
    for k in range(1, n + 1):
        (line,) = ci["audit-shard"]["script"]
        args = parser().parse_args(wardnet_args(line, {"$CI_NODE_INDEX": str(k), "$CI_NODE_TOTAL": str(n)}))
        shards.append(args.shard)
        assert args.json == Path(f"shards/shard-{k}.json") and args.all
    assert shards == [f"{k}/{n}" for k in range(1, n + 1)]
    merge = parser().parse_args(wardnet_args(ci["audit-merge"]["script"][0], {}))
    assert merge.audit_action == "merge" and merge.inputs == ["shards/shard-*.json"]
    assert merge.metrics.name.endswith(".prom") and merge.report == Path("report")
    assert ci["audit-merge"]["needs"] == ["audit-shard"]


def test_github_matrix_runs_every_shard_then_merges() -> None:
    flow = yaml.safe_load((CONTRIB / "ci" / "github-actions.yml").read_text())
    n = flow["env"]["SHARDS"]
    assert flow["jobs"]["audit"]["strategy"]["matrix"]["shard"] == list(range(1, n + 1))
    step = next(s for s in flow["jobs"]["audit"]["steps"] if "wardnet audit" in s.get("run", ""))
    for k in range(1, n + 1):
        values = {"${{ matrix.shard }}": str(k), "${{ env.SHARDS }}": str(n)}
        args = parser().parse_args(wardnet_args(step["run"], values))
        assert args.shard == f"{k}/{n}" and args.json == Path(f"shards/shard-{k}.json")
    merge_job = flow["jobs"]["merge"]
    assert merge_job["needs"] == "audit" and merge_job["if"] == "always()"
    step = next(s for s in merge_job["steps"] if "audit merge" in s.get("run", ""))
    merge = parser().parse_args(wardnet_args(step["run"], {}))
    assert merge.inputs == ["shards/shard-*.json"] and merge.metrics.name.endswith(".prom")


def test_awx_slices_cover_every_shard_and_the_playbooks_parse(tmp_path: Path) -> None:
    (setup,) = yaml.safe_load((CONTRIB / "awx" / "setup.yml").read_text())
    tasks = {next(k for k in t if k.startswith("awx.awx.")): t for t in setup["tasks"]}
    shards = setup["vars"]["shards"]
    hosts = tasks["awx.awx.host"]
    assert hosts["loop"] == "{{ range(1, shards | int + 1) | list }}"
    assert hosts["awx.awx.host"]["variables"]["wardnet_shard"] == "{{ item }}/{{ shards }}"
    sliced = next(
        t["awx.awx.job_template"]
        for t in setup["tasks"]
        if "job_slice_count" in t.get("awx.awx.job_template", {})
    )
    assert sliced["job_slice_count"] == "{{ shards }}" and sliced["playbook"] == "contrib/awx/audit_slice.yml"
    flow = tasks["awx.awx.workflow_job_template"]["awx.awx.workflow_job_template"]["workflow_nodes"]
    assert flow[0]["related"]["always_nodes"] == [{"identifier": "merge"}]
    assert shards == 4
    playbook = REPO / ".venv" / "bin" / "ansible-playbook"
    command = str(playbook) if playbook.exists() else str(Path(sys.executable).with_name("ansible-playbook"))
    for name in ("audit_slice.yml", "merge.yml"):
        result = subprocess.run(
            [command, "--syntax-check", "-i", "localhost,", str(CONTRIB / "awx" / name)],
            check=False, capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr


def test_grafana_asks_only_for_metrics_wardnet_writes() -> None:
    dashboard = json.loads((CONTRIB / "grafana" / "wardnet-audit.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    used = {m for e in exprs for m in re.findall(r"\bwardnet_[a-z_]+", e)}
    written = exposition(samples(city_run(), None))
    assert used and used <= set(HELP) and all(f"\n{m}" in written for m in used)
    labels = {lab for e in exprs for lab in re.findall(r"(?:\{|,\s*|by \()([a-z_]+)\s*(?:=~|=|\))", e)}
    assert labels <= {"site", "severity"}
    for label in labels:
        assert re.search(rf'[{{,]{label}="', written)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
