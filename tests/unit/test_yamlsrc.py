"""Every YAML input goes through wardnet.yamlsrc: unsafe files are refused by name, quickly and in little
memory, before anything is composed; ordinary files still read with their line numbers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wardnet import yamlsrc
from wardnet.errors import InputError
from wardnet.yamlsrc import read_yaml


def refused(path: Path, *fragments: str, within: Path | None = None) -> str:
    with pytest.raises(InputError) as caught:
        read_yaml(path, within=within)
    text = str(caught.value)
    assert path.name in text
    for fragment in fragments:
        assert fragment in text, text
    return text


def bomb(levels: int, fan: int) -> str:
    """Billion laughs: each level lists the previous one `fan` times → fan**levels values expanded."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * fan) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_ordinary_file_reads_with_lines_and_shared_aliases(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text("a: &x {b: 1}\nc: *x\nd: [2025-07-15]\n")
    source = read_yaml(path)
    assert source.data["c"] == {"b": 1}
    assert source.line_of(("c",)) == 2
    assert source.line_of(("c", "b")) == 1  # through the alias: where the anchored value was written
    assert source.line_of(("d", 0)) == 3


def test_an_alias_bomb_is_refused_from_the_event_stream(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yml"
    path.write_text(bomb(9, 9))  # 9**9 = 387 million values from 72 aliases
    refused(path, "bomb.yml:6:", "aliases are expanded")


def test_the_expanded_count_is_exact_at_the_limit(tmp_path: Path, monkeypatch) -> None:
    # l0 (1 + 4) → l1 (1 + 4*5 = 21) → l2 (1 + 4*21 = 85); the root mapping adds 1 + 3 keys → 4 + 5 + 21 + 85
    path = tmp_path / "small.yml"
    path.write_text(bomb(3, 4))
    expected = 1 + 3 + 5 + 21 + 85
    monkeypatch.setattr(yamlsrc, "MAX_NODES", expected)
    assert read_yaml(path).data["l2"][3][3] == ["lol"] * 4
    monkeypatch.setattr(yamlsrc, "MAX_NODES", expected - 1)
    refused(path, "aliases are expanded")


def test_too_many_aliases(tmp_path: Path) -> None:
    path = tmp_path / "many.yml"
    path.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * (yamlsrc.MAX_ALIASES + 1)) + "]\n")
    refused(path, f"more than {yamlsrc.MAX_ALIASES} aliases")


@pytest.mark.parametrize("text", ["a: &a [1, *a]\n", "a: &a {b: {c: *a}}\n"])
def test_recursive_aliases_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "loop.yml"
    path.write_text(text)
    refused(path, "alias *a refers to a collection that contains it")


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 3000 + "]" * 3000 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n",
    ],
)
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yml"
    path.write_text(text)
    refused(path, f"nested more than {yamlsrc.MAX_DEPTH} levels deep")


def test_a_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    with path.open("wb") as handle:  # sparse: the size is real, the disk stays empty
        handle.truncate(yamlsrc.MAX_BYTES + 1)
    refused(path, f"more than the limit of {yamlsrc.MAX_BYTES}")


def test_special_files_are_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)  # nobody writes: a blocking open would hang forever
    refused(fifo, "not a regular file")
    zero = tmp_path / "zero.yml"
    zero.symlink_to("/dev/zero")
    refused(zero, "not a regular file")
    folder = tmp_path / "dir.yml"
    folder.mkdir()
    refused(folder, "is a directory")


def test_symlink_loops_and_links_out_of_the_tree(tmp_path: Path) -> None:
    (tmp_path / "a.yml").symlink_to("b.yml")
    (tmp_path / "b.yml").symlink_to("a.yml")
    refused(tmp_path / "a.yml", "symlink loop")
    tree = tmp_path / "tree"
    tree.mkdir()
    outside = tmp_path / "outside.yml"
    outside.write_text("a: 1\n")
    (tree / "in.yml").write_text("a: 1\n")
    (tree / "link.yml").symlink_to(outside)
    (tree / "inner.yml").symlink_to(tree / "in.yml")
    refused(tree / "link.yml", "outside", within=tree)
    assert read_yaml(tree / "inner.yml", within=tree).data == {"a": 1}  # a link inside the tree is fine
