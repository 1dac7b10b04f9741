"""Every class of bad input is refused with the file, the field and the fix named, and nothing rendered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY, ward_file
from wardnet.cli import main

BASELINE = Path("group_vars/all/baseline.yml")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def refuse(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    out = tmp_path / "out"
    code, text = run(["render", "--inventory", str(root), "--out", str(out)], capsys)
    assert code == 2, text
    assert not out.exists() or not any(out.iterdir()), "nothing may be rendered from bad input"
    assert "Traceback" not in text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    check_code, _ = run(["check", "--inventory", str(root)], capsys)
    assert check_code == 2
    return text


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def site(inventory_copy: Callable[..., Path]) -> tuple[Path, Path]:
    root = inventory_copy(BEN_THANH, "26732")
    return root, ward_file(root, BEN_THANH)


def test_yaml_syntax_error(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "type: ward", "type: [ward")
    refuse(root, tmp_path, capsys, path.name, "YAML syntax error", "line")


def test_duplicate_key(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "type: ward", "type: ward\ntype: commune")
    refuse(root, tmp_path, capsys, path.name, "type", "given twice")


def test_typo_in_field_name_suggests_the_right_one(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "concurrent_users:", "concurent_users:")
    refuse(
        root,
        tmp_path,
        capsys,
        path.name,
        "unknown field 'concurent_users'",
        "did you mean 'concurrent_users'",
    )


def test_code_written_as_a_number(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, f'code: "{BEN_THANH}"', f"code: {BEN_THANH}")
    refuse(root, tmp_path, capsys, path.name, "code", 'quote it: code: "26743"')


def test_wrong_type_for_users(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "concurrent_users: 500", "concurrent_users: lots")
    refuse(root, tmp_path, capsys, path.name, "concurrent_users", "whole number")


def test_missing_field(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "concurrent_users: 500\n", "")
    refuse(root, tmp_path, capsys, path.name, "concurrent_users", "required field is missing")


def test_unknown_site_type(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "type: ward", "type: district")
    refuse(root, tmp_path, capsys, path.name, "type", "'district' is not allowed", "ward")


@pytest.mark.parametrize(
    "injected",
    [
        "Bến Thành\\nusername evil privilege 15",  # YAML escape → a real newline
        "Bến Thành\\rline vty 0 15",
        "Bến Thành\\x1b[2J",
        "Bến\\u200bThành",  # zero-width space: invisible
    ],
)
def test_control_characters_in_free_text(site, tmp_path, capsys, injected: str) -> None:
    root, path = site
    edit(path, "name: Bến Thành", f'name: "{injected}"')
    refuse(root, tmp_path, capsys, path.name, "name", "control or invisible character")


def test_template_syntax_is_refused_not_evaluated(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "name: Bến Thành", "name: \"{{ lookup('pipe', 'id') }}\"")
    refuse(root, tmp_path, capsys, path.name, "name", "template syntax")


def test_quote_in_banner_is_refused(site, tmp_path, capsys) -> None:
    root, _ = site
    edit(root / BASELINE, '  - "AUTHORISED ACCESS ONLY', '  - "AUTHORISED \\" ACCESS ONLY')
    refuse(root, tmp_path, capsys, "baseline.yml", "banner.0", "double quote")


def test_duplicate_code_across_files(site, tmp_path, capsys) -> None:
    root, path = site
    twin = path.with_name("26743-ben-thanh-copy.yml")
    twin.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    refuse(root, tmp_path, capsys, "ben-thanh-copy.yml", "also used by")


def test_file_name_must_match_code_and_name(site, tmp_path, capsys) -> None:
    root, path = site
    path.rename(path.with_name("26743-ben-thnh.yml"))
    refuse(root, tmp_path, capsys, "26743-ben-thnh.yml", "rename the file to 26743-ben-thanh.yml")


def test_unknown_model(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "model: C9300-48P", "model: C9300-48PX")
    refuse(root, tmp_path, capsys, path.name, "devices.2.model", "did you mean 'C9300-48P'")


def test_model_of_the_wrong_role(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "role: core, model: C9300X-24Y", "role: core, model: C9300-48P")
    refuse(root, tmp_path, capsys, path.name, "devices.1.model", "is a access")


def test_bad_address_in_baseline(site, tmp_path, capsys) -> None:
    root, _ = site
    edit(root / BASELINE, "servers: [10.0.0.10, 10.0.0.11]", "servers: [10.0.0.300, 10.0.0.11]")
    refuse(root, tmp_path, capsys, "baseline.yml", "services.ntp.servers.0", "not a valid IP address")


def test_unknown_zone_in_policy(site, tmp_path, capsys) -> None:
    root, _ = site
    edit(root / BASELINE, "from: [guest], to: [internet]", "from: [guests], to: [internet]")
    refuse(root, tmp_path, capsys, "baseline.yml", "policy.5.from", "did you mean 'guest'")


def test_out_of_range_vlan(site, tmp_path, capsys) -> None:
    root, _ = site
    edit(root / BASELINE, "{id: 70, name: CAMERAS", "{id: 5000, name: CAMERAS")
    refuse(root, tmp_path, capsys, "baseline.yml", "vlans.6.id", "less than or equal to 4094")


def test_site_too_big_for_its_block(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "concurrent_users: 500", "concurrent_users: 4000")
    refuse(root, tmp_path, capsys, f"{path.name}:6", "concurrent_users", "less than or equal to 1250")


def test_site_outgrowing_a_vlan_place_names_the_largest_value_that_fits(site, tmp_path, capsys) -> None:
    root, path = site
    # STAFF at 40 %: 2.0 x ceil(0.4 x users) must fit the /23 place's 501 pool addresses -> users <= 625
    edit(root / BASELINE, "purpose: staff wired PCs, share: 0.20", "purpose: staff wired PCs, share: 0.40")
    edit(path, "concurrent_users: 500", "concurrent_users: 700")
    text = refuse(root, tmp_path, capsys, f"{path.name}:6", "concurrent_users", "VLAN 20 STAFF needs a /22")
    assert "the largest concurrent_users the plan holds is 625" in text


def test_empty_file(site, tmp_path, capsys) -> None:
    root, path = site
    path.write_text("", encoding="utf-8")
    refuse(root, tmp_path, capsys, path.name, "must be a mapping")


def test_every_problem_is_reported_in_one_run(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "type: ward", "type: district")
    edit(ward_file(root, "26732"), "concurrent_users: 400", "concurrent_users: many")
    text = refuse(root, tmp_path, capsys, path.name, "26732-con-dao.yml")
    assert "2 input problem(s)" in text


def test_unknown_site_code_on_the_command_line(capsys) -> None:
    code, text = run(
        ["render", "--inventory", str(INVENTORY), "--site", "26744", "--out", "/nonexistent/never"], capsys
    )
    assert code == 2
    assert "26744: no site with this code (fix: did you mean" in text


def test_whitebox_twin_with_a_model_of_the_wrong_role(site, tmp_path, capsys) -> None:
    root, _ = site
    edit(root / BASELINE, "access: whitebox-48}", "access: whitebox-core}")
    refuse(root, tmp_path, capsys, "baseline.yml", "whitebox_twin.models.access", "not a access model")


def test_impossible_date_is_an_input_error_not_a_traceback(site, tmp_path, capsys) -> None:
    root, path = site
    path.write_text(path.read_text(encoding="utf-8") + "reviewed: 2025-13-01\n", encoding="utf-8")
    refuse(root, tmp_path, capsys, path.name, "impossible date", "YYYY-MM-DD")


def test_server_listed_twice(site, tmp_path, capsys) -> None:
    root, path = site
    edit(
        path, "- {name: srv1, services: [dhcp_dns]}", "- {name: srv1, services: [dhcp_dns]}\n  - {name: srv1}"
    )
    refuse(
        root,
        tmp_path,
        capsys,
        path.name,
        "servers.1.name",
        "is also servers.0",
        "give each server its own name",
    )


def test_server_name_that_does_not_fit_the_servers_vlan(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "name: srv1", "name: srv30")  # host 39 of a /27
    refuse(root, tmp_path, capsys, path.name, "servers.0.name", "has 30 hosts", "number servers from srv1")


def test_server_with_an_unknown_service(site, tmp_path, capsys) -> None:
    root, path = site
    edit(path, "services: [dhcp_dns]", "services: [dhcp]")
    refuse(root, tmp_path, capsys, path.name, "servers.0.services.0", "dhcp_dns")
