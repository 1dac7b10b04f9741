"""The whole-city render benchmark's Ansible peer (benchmarks/render_city.py, ansible_render.yml) renders
exactly the devices wardnet renders, byte for byte: a peer that failed on a host (the site servers, which
have no device config) made the benchmark print "could not run" instead of a ratio."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks.measure import BIN
from benchmarks.render_city import ansible_command, ansible_environment, compare, structured_configs

SITE_WITH_SERVERS = "26743"  # Bến Thành: the committed site that has servers in the Ansible inventory


def test_the_ansible_peer_renders_a_site_with_servers_like_wardnet(tmp_path: Path) -> None:
    folders, _ = structured_configs(tmp_path / "configs.json")
    folder = next(f for f in folders if f.startswith(f"{SITE_WITH_SERVERS}-"))
    (tmp_path / "ansible" / folder).mkdir(parents=True)

    theirs = subprocess.run(
        ansible_command(tmp_path / "ansible", [folder], forks=2),
        env=ansible_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert theirs.returncode == 0, theirs.stdout[-3000:]
    ours = [
        str(BIN / "wardnet"),
        "render",
        "--force",
        "--site",
        SITE_WITH_SERVERS,
        "--out",
        str(tmp_path / "w"),
    ]
    subprocess.run(ours, check=True, capture_output=True)

    assert sorted(p.name for p in (tmp_path / "ansible" / folder).iterdir()) == sorted(folders[folder])
    assert compare(tmp_path / "w", tmp_path / "ansible", folders, [folder]) == []
