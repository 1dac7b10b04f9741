"""A secret written in clear where `{secret: NAME}` belongs is refused without ever being echoed: not in
the error, not in any output of render or check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_inventory_errors import BASELINE, edit, run

CLEAR = "Hunter2-Clear!"


@pytest.mark.parametrize(
    "case",
    [
        ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: "{CLEAR}"', "tacacs_key"),
        ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: {{secret: "{CLEAR} x"}}', "tacacs_key.secret"),
        (
            "tacacs_key: {secret: tacacs_key}",
            f'tacacs_key: {{secret: tacacs_key, value: "{CLEAR}"}}',
            "value",
        ),
        ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: ["{CLEAR}"]', "tacacs_key"),
        ("secret: {secret: breakglass_hash}", f'secret: "$9${CLEAR}"', "secret"),
        ("auth_key: {secret: ntp_key}", "auth_key: 8675309123", "auth_key"),
        ("auth_key: {secret: snmp_auth}", f"auth_key: {{secret: [{CLEAR}]}}", "auth_key.secret"),
    ],
    ids=["string", "bad-name", "extra-key", "list", "hash", "number", "list-name"],
)
def test_a_clear_secret_is_refused_and_never_echoed(
    inventory_copy, tmp_path: Path, capsys, case: tuple[str, str, str]
) -> None:
    old, new, field = case
    root = inventory_copy("26743")
    edit(root / BASELINE, old, new)
    clear = new.split(":", 1)[1]
    canaries = [CLEAR, "8675309123"]
    for argv in (
        ["check", "--inventory", str(root)],
        ["render", "--inventory", str(root), "--out", str(tmp_path / "o")],
    ):
        code, text = run(argv, capsys)
        assert code == 2, text
        assert field in text and "baseline.yml" in text, text
        assert not any(c in text for c in canaries), f"{clear!r} echoed:\n{text}"
    assert not (tmp_path / "o").exists()


def test_other_refused_values_are_still_quoted(inventory_copy, capsys) -> None:
    # Hiding is for secret positions only: a wrong VLAN name or site type is shown so it can be found.
    root = inventory_copy("26743")
    ward = next((root / "wards").glob("26743-*.yml"))
    edit(ward, "type: ward", "type: district")
    code, text = run(["check", "--inventory", str(root)], capsys)
    assert code == 2 and "'district' is not allowed" in text
