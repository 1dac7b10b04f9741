"""`wardnet check`'s cache and worker pool never change the report: cold, cached and parallel runs print
the same bytes, and an edit to a site, or to the code, is checked again (issue 21)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.checks import cache_store
from wardnet.checks import run as check_run
from wardnet.findings import ExitCode


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two wards of the city (not a git work tree: no plan-move warnings), Ben Thanh under-sized."""
    monkeypatch.setenv("WARDNET_STATE_DIR", str(tmp_path / "state"))
    root = tmp_path / "inventory"
    shutil.copytree(INVENTORY / "group_vars", root / "group_vars")
    (root / "wards").mkdir()
    for ward in (f"{BEN_THANH}-ben-thanh.yml", "26740-sai-gon.yml"):
        shutil.copy(INVENTORY / "wards" / ward, root / "wards" / ward)
    _set_users(root, 100)  # the baseline's minimum for a ward is 400: a CAP-USERS finding
    return root


def _set_users(root: Path, users: int) -> None:
    ward = root / "wards" / f"{BEN_THANH}-ben-thanh.yml"
    lines = [
        f"concurrent_users: {users}" if line.startswith("concurrent_users:") else line
        for line in ward.read_text(encoding="utf-8").splitlines()
    ]
    ward.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _report(root: Path, tmp_path: Path, name: str, *, jobs: int, use_cache: bool = True) -> str:
    out = tmp_path / f"{name}.json"
    check_run.run_checks(root, None, "json", out, check_run.Speed(jobs, use_cache))
    return out.read_text(encoding="utf-8")


def _count_sites(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sites whose own checks actually ran (not served from the cache)."""
    calls: list[str] = []
    real = check_run._own_findings

    def counted(design, baseline, expect) -> list:  # type: ignore[no-untyped-def,type-arg]
        calls.append(design.plan.site.code)
        return real(design, baseline, expect)

    monkeypatch.setattr(check_run, "_own_findings", counted)
    return calls


def test_cached_and_cold_paths_give_identical_reports(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _report(inventory, tmp_path, "cold", jobs=1, use_cache=False)
    assert '"rule": "CAP-USERS"' in cold and '"site": "26743"' in cold
    assert not (tmp_path / "state" / "cache").exists()  # --no-cache writes nothing
    first = _report(inventory, tmp_path, "first", jobs=1)
    assert list((tmp_path / "state" / "cache" / "check").glob("run-*.json"))

    def no_design(*_: object) -> None:
        raise AssertionError("a cache hit designs nothing")

    monkeypatch.setattr("wardnet.pipeline.build", no_design)
    monkeypatch.setattr("wardnet.design.design_site", no_design)
    again = _report(inventory, tmp_path, "again", jobs=1)
    assert cold == first == again


def test_an_edit_checks_that_site_again_and_only_it(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _report(inventory, tmp_path, "before", jobs=1)
    ran = _count_sites(monkeypatch)
    _set_users(inventory, 400)
    after = _report(inventory, tmp_path, "after", jobs=1)
    assert '"rule": "CAP-USERS"' in before and "CAP-USERS" not in after
    assert ran == [BEN_THANH]  # Sai Gon's findings came from its site entry; Ben Thanh was checked again
    assert after == _report(inventory, tmp_path, "uncached", jobs=1, use_cache=False)


def test_an_edit_designs_only_that_site_and_the_city_plan_still_sees_every_site(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _report(inventory, tmp_path, "before", jobs=1)
    import wardnet.design

    designed: list[str] = []
    real = wardnet.design.design_site

    def counted(site, baseline):  # type: ignore[no-untyped-def]
        designed.append(site.code)
        return real(site, baseline)

    monkeypatch.setattr(wardnet.design, "design_site", counted)
    _set_users(inventory, 450)
    after = _report(inventory, tmp_path, "after", jobs=1)
    assert designed == [BEN_THANH]  # Sai Gon's plan facts came from its entry: no design
    assert '"sites": 2' in after and '"devices": 14' in after  # both sites' devices, counted from facts
    assert after == _report(inventory, tmp_path, "uncached", jobs=1, use_cache=False)


def test_a_site_selection_keeps_the_other_sites_facts_for_the_next_city_run(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_run.run_checks(inventory, [BEN_THANH], "json", tmp_path / "one.json", check_run.Speed(1, True))
    ran = _count_sites(monkeypatch)
    city = _report(inventory, tmp_path, "city", jobs=1)
    assert ran == ["26740"]  # Ben Thanh's findings were kept by the --site run; Sai Gon is checked now
    assert city == _report(inventory, tmp_path, "uncached", jobs=1, use_cache=False)


def test_a_code_change_misses_every_entry(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _report(inventory, tmp_path, "before", jobs=1)
    ran = _count_sites(monkeypatch)
    monkeypatch.setattr(cache_store, "code_version", lambda: "a rule was edited")
    assert _report(inventory, tmp_path, "after", jobs=1) == before
    assert len(ran) == 2


def test_a_damaged_entry_is_a_miss_not_a_report(inventory: Path, tmp_path: Path) -> None:
    before = _report(inventory, tmp_path, "before", jobs=1)
    for entry in (tmp_path / "state" / "cache" / "check").glob("*.json"):
        entry.write_text('{"key": "truncated', encoding="utf-8")
    assert _report(inventory, tmp_path, "after", jobs=1) == before


def test_workers_give_the_report_of_one_process(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_run, "SITES_PER_WORKER", 1)  # two sites: a pool of two workers
    one = _report(inventory, tmp_path, "one", jobs=1, use_cache=False)
    import multiprocessing

    pools: list[str] = []
    real = multiprocessing.get_context

    def spy(method: str | None = None):  # type: ignore[no-untyped-def]
        pools.append(str(method))
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    two = _report(inventory, tmp_path, "two", jobs=2, use_cache=False)
    assert pools == ["fork"]  # the sites went to a pool of workers
    assert one == two


def test_the_cycle_collector_is_off_while_computing_then_back_with_what_it_built_frozen(
    inventory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    seen: list[bool] = []
    real = check_run._own_findings

    def noted(design, baseline, expect) -> list:  # type: ignore[no-untyped-def,type-arg]
        seen.append(gc.isenabled())
        return real(design, baseline, expect)

    monkeypatch.setattr(check_run, "_own_findings", noted)
    assert gc.isenabled()
    gc.unfreeze()
    _report(inventory, tmp_path, "run", jobs=1, use_cache=False)
    assert seen == [False, False]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what it built is never walked again (nor at exit)
    (inventory / "wards" / f"{BEN_THANH}-ben-thanh.yml").write_text("concurrent_users: [\n", encoding="utf-8")
    bad = check_run.run_checks(inventory, None, "json", tmp_path / "bad.json", check_run.Speed(1, False))
    assert bad == ExitCode.NOT_RUN
    assert gc.isenabled()  # bad input: back on as well
    gc.disable()
    try:
        _report(inventory, tmp_path, "again", jobs=1, use_cache=False)
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()
