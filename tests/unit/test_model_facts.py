"""Every per-model fact of the hardware catalogue is listed in README's "Verify on first contact" table with
the command that settles it, and the rendered configs follow the fact (not a value copied elsewhere)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO

BASELINE = yaml.safe_load((REPO / "inventories" / "group_vars" / "all" / "baseline.yml").read_text())
README = (REPO / "README.md").read_text()
SECTION = README[README.index("## Verify on first contact with a real device") :]
SECTION = SECTION[: SECTION.index("\n## ", 1)]
GOLDEN = REPO / "tests" / "golden" / "26743-ben-thanh"


def _facts() -> list[tuple[str, str, dict]]:
    return [
        (model, name, fact)
        for model, spec in BASELINE["models"].items()
        for name, fact in (spec.get("facts") or {}).items()
    ]


def _unverified() -> list[tuple[str, str, dict]]:
    """Every value taken from documentation only: the facts the design reads and the typed fields listed
    under `verify`, for switch/firewall models and AP models alike."""
    fields = [
        (model, entry["field"], entry)
        for table in ("models", "ap_models")
        for model, spec in BASELINE[table].items()
        for entry in spec.get("verify") or []
    ]
    return _facts() + fields


def test_every_unverified_value_is_in_a_verify_table_with_its_command() -> None:
    unverified = _unverified()
    assert {name for _, name, _ in unverified} >= {
        "ssh_ciphers",
        "vty_lines",
        "ha_ports",
        "timezone",
        "platform",
    }
    rows = [line for line in SECTION.splitlines() if line.startswith("| ")]
    for model, name, entry in unverified:
        row = next((r for r in rows if name in r and model in r), None)
        assert row is not None, f"{model} {name} is not in README's verify tables"
        assert f"`{entry['command'].replace('|', chr(92) + '|')}`" in row, f"{model} {name}: command differs"
        assert entry["source"]


def test_rendered_switches_follow_the_facts() -> None:
    for model, name, fact in _facts():
        if model != "C9300-48P":
            continue
        text = (GOLDEN / "hcm-26743-acc1.cfg").read_text()
        if name == "ssh_ciphers":
            assert f"ip ssh server algorithm encryption {' '.join(fact['value'])}\n" in text
        if name == "vty_lines":
            ranges = re.findall(r"^line vty (\d+) (\d+)$", text, re.M)
            assert int(ranges[-1][1]) == fact["value"] - 1
            assert len(re.findall(r"^ access-class WARDNET-MGMT in$", text, re.M)) == len(ranges)


def test_one_ntp_key_algorithm_for_the_city() -> None:
    algorithm = BASELINE["services"]["ntp"]["key_algorithm"]
    spelled = {"sha1": "hmac-sha1", "md5": "md5"}[algorithm]
    for path in GOLDEN.glob("*.cfg"):
        assert f"ntp authentication-key 1 {spelled} <<secret:ntp_key>>\n" in path.read_text()
