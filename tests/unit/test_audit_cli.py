"""`wardnet audit` refuses bad requests with exit 2 before touching a device; the shipped systemd unit
and the README's cron line call options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO
from wardnet.cli import main, parser


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit"], "give --site CODE"),
        (["audit", "--site", "26743", "--commit"], "give --remediate --commit"),
        (["audit", "--site", "26743", "--shard", "3/2"], "K must be between 1 and N"),
        (["audit", "--all", "--shard", "half"], "write K/N"),
        (["audit", "merge"], "give the shards' report.json"),
    ],
)
def test_bad_requests_exit_2_with_the_fix(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_merge_of_a_missing_file_names_it(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "shard-9.json"
    assert main(["audit", "merge", str(missing), "--report", str(tmp_path / "r")]) == 2
    assert str(missing) in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # nothing written


def test_an_unknown_site_is_an_input_error(capsys) -> None:
    assert main(["audit", "--site", "99999"]) == 2
    assert "99999" in capsys.readouterr().err


def command_lines() -> list[list[str]]:
    unit = (REPO / "contrib" / "systemd" / "wardnet-audit.service").read_text()
    lines = [shlex.split(m) for m in re.findall(r"^ExecStart=(.+)$", unit, re.MULTILINE)]
    readme = (REPO / "README.md").read_text()
    cron = re.findall(r"^0 2 \* \* \* .*?(\S*wardnet audit .+)$", readme, re.MULTILINE)
    lines += [shlex.split(m) for m in cron]
    return lines


def test_the_systemd_unit_and_the_cron_line_use_real_options() -> None:
    lines = command_lines()
    assert len(lines) == 2, "expected the unit's ExecStart and the README's cron line"
    for words in lines:
        start = next(i for i, w in enumerate(words) if w.endswith("wardnet"))
        args = parser().parse_args(words[start + 1 :])  # exits (fails the test) on an unknown option
        assert args.all and args.report
