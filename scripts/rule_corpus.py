"""The rule pack's findings on a fixed corpus, as one hash: the proof that a speed change finds the same.

The corpus: every rendered config of the city (1,129), three damaged copies of each (seeded line edits:
deleted, duplicated, re-indented, negated lines, numbers and words swapped between lines) and the
disguised violations of tests/fixtures/disguises.yml (plus their frr base). The configs are interleaved
(original, its damaged copies, the next original...) in one process, so any memo kept across configs
(wardnet/checks/memo.py, the parsers' shared blocks) is put to the test by near-identical texts.

    .venv/bin/python scripts/rule_corpus.py --write build/rule-corpus.json   # render once (on main)
    .venv/bin/python scripts/rule_corpus.py build/rule-corpus.json           # hash + rule-pack CPU
    .venv/bin/python scripts/rule_corpus.py build/rule-corpus.json --fresh   # also each config alone

--fresh evaluates each config again with every cross-config memo emptied first and demands the same
findings (a memo that leaks between configs shows there). The texts are stored so the hash depends only
on the rule pack and the parsers, never on render or design.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DAMAGED = 3  # damaged copies per rendered config
NUMBER = re.compile(r"\b\d+\b")


def damage(text: str, seed: int) -> str:
    """A few seeded line edits of the kinds a hand edit or a pulled config brings."""
    rng = random.Random(seed)
    lines = text.split("\n")
    for _ in range(rng.randint(2, 8)):
        if not lines:
            break
        at = rng.randrange(len(lines))
        line = lines[at]
        kind = rng.randrange(7)
        if kind == 0:
            del lines[at]
        elif kind == 1:
            lines.insert(rng.randrange(len(lines) + 1), line)
        elif kind == 2:
            lines[at] = line.lstrip() if line[:1].isspace() else " " + line
        elif kind == 3:
            body = line.lstrip()
            lines[at] = line[: len(line) - len(body)] + (body[3:] if body.startswith("no ") else "no " + body)
        elif kind == 4 and NUMBER.search(line):
            donor = NUMBER.findall(lines[rng.randrange(len(lines))]) or ["0"]
            lines[at] = NUMBER.sub(rng.choice(donor), line, count=1)  # digits: no escapes in it
        elif kind == 5:
            words, donor = line.split(), lines[rng.randrange(len(lines))].split()
            if words and donor:
                words[rng.randrange(len(words))] = rng.choice(donor)
                lines[at] = line[: len(line) - len(line.lstrip())] + " ".join(words)
        else:
            lines[at : at + 1] = [lines[rng.randrange(len(lines))]]
    return "\n".join(lines)


def write_corpus(path: Path) -> None:
    import yaml

    from wardnet.pipeline import build
    from wardnet.render import Renderer

    inventory_dir = ROOT / "inventories"
    _, designs = build(inventory_dir)
    renderer = Renderer()
    items: list[dict[str, str]] = []
    for design in designs:
        for hostname, config in design.devices.items():
            text = renderer.device(config)
            items.append({"name": hostname, "platform": config.platform, "role": config.role, "text": text})
            for n in range(DAMAGED):
                seed = len(items) * 7919 + n
                items.append(
                    {
                        "name": f"{hostname}~{n}",
                        "platform": config.platform,
                        "role": config.role,
                        "text": damage(text, seed),
                    }
                )
    golden = ROOT / "tests/golden/26743-ben-thanh"
    fw = next(d for d in designs if d.plan.site.code == "26743").devices["hcm-26743-fw"]
    bases = {
        "core": ("cisco_iosxe", "core", (golden / "hcm-26743-core.cfg").read_text(encoding="utf-8")),
        "acc1": ("cisco_iosxe", "access", (golden / "hcm-26743-acc1.cfg").read_text(encoding="utf-8")),
        "fw": ("fortios", "firewall", (golden / "hcm-26743-fw.conf").read_text(encoding="utf-8")),
        "frr-fw": ("frr", "firewall", renderer.device(replace(fw, platform="frr"))),
    }
    for base, (platform, role, text) in bases.items():
        items.append({"name": f"base:{base}", "platform": platform, "role": role, "text": text})
    disguises = yaml.safe_load((ROOT / "tests/fixtures/disguises.yml").read_text(encoding="utf-8"))
    for d in disguises:
        platform, role, text = bases[d["base"]]
        items.append(
            {
                "name": f"disguise:{d['rule']}:{d['name']}",
                "platform": platform,
                "role": role,
                "text": text.replace(d["old"], d["new"]),
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"items": items}), encoding="utf-8")
    print(f"wrote {len(items)} configs to {path}")


def _forget() -> None:
    """Empty every memo kept across configs (parsers' shared runs, blocks and bodies, rule answers per
    body, kept findings of rules)."""
    from wardnet import tree
    from wardnet.checks import memo, parse, replay, rules_fortios, rules_ios

    for module in (memo, parse, replay, tree, rules_ios, rules_fortios):
        for name, value in vars(module).items():
            if name.startswith("_") and not name.startswith("__") and isinstance(value, dict):
                value.clear()


def evaluate(path: Path, fresh: bool) -> int:
    from wardnet.checks.expect import Expect
    from wardnet.inventory import load_baseline
    from wardnet.platforms import get_platform

    data = json.loads(path.read_text(encoding="utf-8"))
    expect = Expect.from_baseline(load_baseline(ROOT / "inventories"))
    digest = hashlib.sha256()
    count = 0
    cpu: dict[str, float] = {}
    results = []
    for item in data["items"]:
        platform = get_platform(item["platform"])
        start = time.process_time()
        found = platform.evaluate(item["text"], expect, item["role"])
        cpu[item["platform"]] = cpu.get(item["platform"], 0.0) + time.process_time() - start
        results.append(found)
        for v in found:
            digest.update(f"{item['name']}\0{v.rule}\0{v.message}\0{v.fix}\n".encode())
            count += 1
    print(f"{len(data['items'])} configs, {count} violations, sha256 {digest.hexdigest()}")
    print("rule pack CPU: " + ", ".join(f"{p} {s:.2f} s" for p, s in sorted(cpu.items())))
    if fresh:
        differ = 0
        for item, found in zip(data["items"], results, strict=True):
            _forget()
            again = get_platform(item["platform"]).evaluate(item["text"], expect, item["role"])
            if again != found:
                differ += 1
                print(f"DIFFERS alone: {item['name']}")
        print(f"each config alone, every memo emptied: {differ} differ")
        return 1 if differ else 0
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--write", type=Path, help="render the corpus into this file")
    parser.add_argument("--fresh", action="store_true", help="also evaluate each config with memos emptied")
    args = parser.parse_args()
    if args.write:
        write_corpus(args.write)
        return 0
    if args.corpus is None:
        parser.error("give a corpus file (or --write one)")
    return evaluate(args.corpus, args.fresh)


if __name__ == "__main__":
    raise SystemExit(main())
