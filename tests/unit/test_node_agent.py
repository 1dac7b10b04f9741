"""The device agent's `audit` command (the running state and a candidate made canonical, in one run) and
what `show` costs to start: the device's tools (vtysh, nft, ovs-vsctl, the namespace round trip) are
replaced here by their outputs; what is under test is which answer the agent gives and what it reuses."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wardnet.canonical import split_sections
from wardnet.lab import nodes
from wardnet.node import agent, dhcrelay, frr, nft, ovs

REPO = Path(__file__).resolve().parents[2]
FRR = "frr defaults traditional\nhostname acc1\n"
RULES = "table inet wardnet {\n\tchain input {\n\t\tip saddr { 10.65.52.0/23 } accept\n\t}\n}\n"
SETTLED = RULES.replace("{ 10.65.52.0/23 }", "10.65.52.0/23")
CANDIDATE = f"!== frr\n{FRR}!== nftables\n{RULES}!== ovs\nbridge br0\n port swp1 tag=20\n!== dhcrelay\n"


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[str]]:
    """`listing`: what the device's `nft list ruleset` prints next; `trips`: each namespace round trip.
    The round trip lists a loaded one-prefix set as `{ prefix }` once, then settles (as nft 1.0.6)."""
    seen: dict[str, list[str]] = {"listing": [nft.FLUSH + RULES], "trips": []}

    def round_trip(text: str) -> str:
        seen["trips"].append(text)
        return text.replace("{ 10.65.52.0/23 }", "10.65.52.0/23")

    monkeypatch.setattr(nft, "_listing", lambda: seen["listing"][-1])
    monkeypatch.setattr(nft, "_round_trip", round_trip)
    monkeypatch.setattr(nft, "read_live", functools.partial(nft.read_live, tmp_path))  # not the host's state
    monkeypatch.setattr(frr, "read_live", lambda: FRR)
    monkeypatch.setattr(frr, "check", lambda section: None)
    monkeypatch.setattr(ovs, "read_live", lambda: ovs.parse("bridge br0\n port swp1 tag=20\n"))
    monkeypatch.setattr(dhcrelay, "read_live", lambda: "")
    return seen


def test_audit_answers_both_and_reuses_the_candidates_listing(device: dict[str, list[str]]) -> None:
    """The device runs the candidate (its listing is the first load's): the running ruleset's canonical form
    is the candidate's, with no round trip of its own."""
    answer = json.loads(agent.audit_text(CANDIDATE))
    assert answer["refused"] is None
    running, canonical = split_sections(answer["running"]), split_sections(answer["canonical"])
    assert running == canonical
    assert running["nftables"] == nft.FLUSH + SETTLED
    assert len(device["trips"]) == 2  # the candidate: loaded, then once more to settle; the listing: none
    assert answer["canonical"] == agent.canonical_text(CANDIDATE)  # what `canonical` alone prints


def test_audit_shows_a_changed_ruleset(device: dict[str, list[str]]) -> None:
    """A rule added on the device: its listing was not met making the candidate canonical, so it is made
    canonical on its own, and the rule is in the running text."""
    device["listing"].append(nft.FLUSH + RULES.replace("\t}\n", "\t\ttcp dport 23 accept\n\t}\n"))
    answer = json.loads(agent.audit_text(CANDIDATE))
    running = split_sections(answer["running"])["nftables"]
    assert "tcp dport 23 accept" in running
    assert "tcp dport 23" not in answer["canonical"]
    assert len(device["trips"]) == 4  # two for the candidate, two for the drifted listing


def test_a_refused_candidate_is_reported_and_the_running_state_still_read(
    device: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(section: str) -> None:
        raise ValueError("FRR refused the frr section: line 2: % Unknown command")

    monkeypatch.setattr(frr, "check", refuse)
    answer = json.loads(agent.audit_text(CANDIDATE))
    assert answer["canonical"] is None
    assert "FRR refused the frr section" in answer["refused"]
    assert split_sections(answer["running"])["frr"] == FRR


def test_show_starts_without_what_only_other_commands_need(tmp_path: Path) -> None:
    """The lab's agent script (`python -IS`: no site-packages) finds the package, and importing the agent
    loads neither the argument parser, the commit module, typing nor dataclasses (each a cost on every
    device, every night)."""
    script = tmp_path / "wardnet-node"
    script.write_text(nodes.agent_script())
    script.chmod(0o755)
    shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, env={}, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "audit FILE" in shown.stdout
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import wardnet.node.agent; "
        "print(sorted(m for m in ('argparse', 'typing', 'wardnet.node.commit', 'socket', 'shutil', "
        "'hashlib', 'tempfile', 'dataclasses', 'inspect') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-IS", "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_the_commit_timer_is_given_the_package_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`commit --revert-in` starts `python -m wardnet.node.agent revert-after` from an agent that may run
    isolated from site-packages (the lab's script): the timer gets the package's folder on its path."""
    from wardnet.node import commit

    for name, file in (("ROLLBACK", "rollback.cfg"), ("PENDING", "pending"), ("LOG", "commits.log")):
        monkeypatch.setattr(commit, name, tmp_path / file)
    monkeypatch.setattr(commit, "STATE", tmp_path)
    started: list[dict[str, object]] = []

    class Timer:
        pid = 4242

        def __init__(self, argv: list[str], **options: object) -> None:
            started.append({"argv": argv, **options})

    monkeypatch.setattr(commit.subprocess, "Popen", Timer)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert "reverts in 30 s" in commit.commit("new", 30, "old", lambda text: None)
    env = started[0]["env"]
    assert isinstance(env, dict)
    root = str(Path(commit.__file__).resolve().parents[2])
    assert env["PYTHONPATH"] == root
    monkeypatch.undo()  # the real Popen again
    found = subprocess.run(
        [sys.executable, "-S", "-c", "import wardnet.node.agent as a; print(a.__file__)"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": root},
        check=True,
    )
    assert found.stdout.startswith(root)  # what the timer's python finds there, without site-packages


def test_the_agents_records_compare_by_value() -> None:
    """What dataclasses gave the agent's records (their replacement, wardnet/node/record.py)."""
    port = ovs.Port("swp1", (), (("tag", "20"),))
    assert port == ovs.Port("swp1", columns=(("tag", "20"),)) and hash(port) == hash(
        ovs.Port("swp1", (), (("tag", "20"),))
    )
    assert port != ovs.Port("swp1", columns=(("tag", "30"),)) and port != ("swp1",)
    assert (
        repr(port) == "Port(columns=(('tag', '20'),), iface_type='', members=(), name='swp1', shutdown=False)"
    )
    assert ovs.Bridge("br0") == ovs.Bridge("br0", {}, {}) != ovs.Bridge("br0", {"datapath_type": "netdev"})
    with pytest.raises(TypeError):
        hash(ovs.Bridge("br0"))  # mutable: never a dict key
    assert dhcrelay.Relay(("10.0.0.1",)) != dhcrelay.Relay(servers6=("10.0.0.1",))
