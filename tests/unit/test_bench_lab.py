"""The lab benchmarks' parts that run without a lab: the Nornir peer's inventory from an ssh_config (the one
`wardnet lab up` writes, and hand-written ones), its refusals, the scratch lab's environment steering
wardnet, the refusal to run beside another lab, and argument handling."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks import deploy_lab, lab_up, labrun, nornir_deploy
from benchmarks.nornir_deploy import PeerError, hosts_file, intended_configs, parse_ssh_config
from wardnet.lab import ssh

REPO = Path(__file__).resolve().parents[2]


def _lab_ssh_config(folder: Path) -> ssh.SshFiles:
    """An ssh_config exactly as `wardnet lab up` writes it, for two devices."""
    files = ssh.SshFiles(folder)
    folder.mkdir(parents=True, exist_ok=True)
    hosts = [
        ssh.SshHost("hcm-26743-fw", "10.0.0.1", "hb-26743-fw", "ssh-ed25519 AAAAfw"),
        ssh.SshHost("hcm-26743-acc1", "10.0.0.11", "hb-26743-acc1", "ssh-ed25519 AAAAacc1"),
    ]
    ssh.write_client_config(files, hosts)
    return files


def test_the_peer_reads_the_ssh_config_wardnet_lab_writes(tmp_path: Path) -> None:
    files = _lab_ssh_config(tmp_path / "ssh")
    hosts = hosts_file(files.config)
    assert sorted(hosts) == ["hcm-26743-acc1", "hcm-26743-fw"]
    fw = hosts["hcm-26743-fw"]
    assert fw["hostname"] == "hcm-26743-fw"  # the alias: ProxyCommand into the namespace comes from the file
    assert fw["username"] == "root"
    assert fw["platform"] == "frr"
    assert fw["connection_options"]["napalm"]["extras"]["optional_args"] == {
        "ssh_config_file": str(files.config),
        "known_hosts": str(tmp_path / "ssh" / "known_hosts"),  # host keys verified against lab up's file
        "key_file": str(tmp_path / "ssh" / "id_ed25519"),
    }


def test_ssh_config_parsing_follows_ssh_rules() -> None:
    text = (
        "# a comment\n"
        "User outside-any-block\n"
        "Host a b\n"
        "  User alice\n"
        "  User ignored-second-value\n"
        "  IdentityFile=/keys/a\n"
        "Host *\n"
        "  User everyone\n"
        "Host c\n"
        "  UserKnownHostsFile /kh/c\n"
        "Match host c\n"
        "  User matched\n"
    )
    assert parse_ssh_config(text) == {
        "a": {"user": "alice", "identityfile": "/keys/a"},
        "b": {"user": "alice", "identityfile": "/keys/a"},
        "c": {"userknownhostsfile": "/kh/c"},
    }


def test_a_host_without_known_hosts_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text("Host sw1\n  UserKnownHostsFile /kh\nHost sw2\n  User root\n")
    with pytest.raises(PeerError, match="Host sw2 has no UserKnownHostsFile"):
        hosts_file(config)
    config.write_text("# nothing yet\n")
    with pytest.raises(PeerError, match="no Host blocks"):
        hosts_file(config)


def test_every_host_needs_its_config_and_every_config_a_host(tmp_path: Path) -> None:
    (tmp_path / "sw1.conf").write_text("one\n")
    (tmp_path / "sw2.conf").write_text("two\n")
    (tmp_path / "notes.txt").write_text("not a config\n")
    assert intended_configs(["sw1", "sw2"], tmp_path) == {"sw1": "one\n", "sw2": "two\n"}
    with pytest.raises(PeerError, match="no intended config for sw3"):
        intended_configs(["sw1", "sw2", "sw3"], tmp_path)
    with pytest.raises(PeerError, match=r"sw2\.conf name no host"):
        intended_configs(["sw1"], tmp_path)


def test_the_peer_stops_before_connecting_when_a_config_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _lab_ssh_config(tmp_path / "ssh")
    configs = tmp_path / "intended"
    configs.mkdir()
    (configs / "hcm-26743-fw.conf").write_text("x\n")
    code = nornir_deploy.main(["--ssh-config", str(files.config), "--configs", str(configs)])
    assert code == 2
    assert "no intended config for hcm-26743-acc1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("module", "argv"),
    [
        (nornir_deploy, ["--ssh-config", "x", "--configs", "y", "--workers", "0"]),
        (nornir_deploy, ["--ssh-config", "x"]),
        (deploy_lab, ["--runs", "0"]),
        (deploy_lab, ["--workers", "0"]),
        (lab_up, ["--runs", "0"]),
    ],
)
def test_bad_arguments_are_refused(module: object, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        module.main(argv)  # type: ignore[attr-defined]
    assert raised.value.code == 2


@pytest.mark.parametrize("module", [deploy_lab, lab_up])
def test_a_benchmark_will_not_run_beside_another_lab(
    module: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(module, "lab_preflight", lambda: None)
    monkeypatch.setattr(module, "namespaces", lambda: ["wb-1-fw", "wb-1-core", "wb-1-acc1", "wb-1-acc2"])
    assert module.main([]) == 75  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert "another lab is up (4 namespaces: wb-1-fw, wb-1-core, wb-1-acc1 and 1 more)" in err


def test_an_empty_machine_is_idle() -> None:
    labrun.require_idle_lab([])  # no exception


def test_the_scratch_environment_steers_wardnet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """WARDNET_LAB_DIR, WARDNET_LAB_PREFIX and WARDNET_STATE_DIR as the measured processes get them: wardnet's
    own lab and state lookups land in the scratch folder, and the peer reads the ssh_config lab up writes."""
    from wardnet.lab.manager import Lab
    from wardnet.state import state_dir

    lab = labrun.LabEnv(tmp_path, "hb-")
    for name in ("WARDNET_LAB_DIR", "WARDNET_LAB_PREFIX", "WARDNET_STATE_DIR"):
        monkeypatch.setenv(name, lab.env()[name])
    wardnets = Lab(REPO / "inventories")
    assert wardnets.root == tmp_path / "lab"
    assert wardnets.prefix == "hb-"
    assert wardnets.ssh.config == lab.ssh_config
    assert state_dir() == tmp_path / "state"


def test_the_self_peer_is_the_wardnet_cli() -> None:
    plain = subprocess.run(labrun.wardnet("--version"), capture_output=True, text=True, check=True)
    serial = subprocess.run(labrun.serial_wardnet("--version"), capture_output=True, text=True, check=True)
    assert plain.stdout.strip()
    assert serial.stdout == plain.stdout


def test_peer_command_line(tmp_path: Path) -> None:
    lab = labrun.LabEnv(tmp_path, "hb-")
    argv = deploy_lab.peer(lab, tmp_path / "intended", 8, dry_run=True)
    assert argv[1:3] == ["-m", "benchmarks.nornir_deploy"]
    assert argv[argv.index("--ssh-config") + 1] == str(tmp_path / "lab" / "ssh" / "ssh_config")
    assert argv[argv.index("--workers") + 1] == "8"
    assert "--dry-run" in argv
    assert "--dry-run" not in deploy_lab.peer(lab, tmp_path / "intended", 8)


def test_committed_counts_only_committed_devices(tmp_path: Path) -> None:
    path = tmp_path / "deploy.json"
    statuses = ["committed", "rolled-back", "committed", "unchanged"]
    path.write_text(json.dumps({"commit": True, "devices": [{"status": s} for s in statuses]}))
    assert deploy_lab.committed(path) == 2


def test_the_peer_gets_the_twins_configs(tmp_path: Path) -> None:
    lab = labrun.LabEnv(tmp_path, "hb-")
    count = deploy_lab.write_configs(lab, ["26743"], tmp_path / "intended")
    names = sorted(p.name for p in (tmp_path / "intended").iterdir())
    expected = ["core", "fw", *(f"acc{n}" for n in range(1, 6))]
    assert names == sorted(f"hcm-26743-{name}.conf" for name in expected)
    assert count == 7
    for path in (tmp_path / "intended").iterdir():
        assert path.stem in path.read_text()  # each file is that device's config (its hostname inside)
