"""Issue 22: a seeded fuzz corpus over the committed inventory (Bến Thành and the baseline).

Every case is rendered through the CLI (render runs the checks too, as its gate). The rules, for every case:
no traceback, an exit code of 0, 1 or 2, and nothing written on exit 2. Cases of the classes the issue lists
(required key deleted, wrong type, duplicate id or name, out-of-range number, unsafe free text, city
addresses inside a site block, wrong platform, editor leftovers, ...) must also be refused: exit 2 with a
fix. The corpus is deterministic (seed 22) and is printed with its counts (pytest -s).
"""

from __future__ import annotations

import contextlib
import copy
import io
import random
import resource
import shutil
import traceback
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from tests.conftest import BEN_THANH, ward_file
from wardnet.cli import main
from wardnet.models import Baseline, Site

SEED = 22
# Samples keep the corpus under a minute: the YAML parse of the baseline dominates each case.
GENERIC_SAMPLE = 30  # mutations with no promised outcome: only the invariants are held
WRONG_TYPE_SAMPLE = 40
REQUIRED_SAMPLE = 50
SHARDS = 3  # parallel under pytest-xdist
BASELINE = Path("group_vars/all/baseline.yml")

Path_ = tuple[str | int, ...]
Data = dict[str, Any]


@dataclass(frozen=True)
class Case:
    kind: str  # class of bad input; "generic" promises only the invariants, "control" must render
    name: str
    mutate: Callable[[Data, Data, Path], None]  # (baseline, ward, inventory root)

    @property
    def must_refuse(self) -> bool:
        return self.kind not in ("generic", "control")


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(path: Path_, value: Any) -> Callable[[Any], None]:
    def apply(data: Any) -> None:
        _get(data, path[:-1])[path[-1]] = copy.deepcopy(value)

    return apply


def _delete(path: Path_) -> Callable[[Any], None]:
    def apply(data: Any) -> None:
        del _get(data, path[:-1])[path[-1]]

    return apply


def on_baseline(apply: Callable[[Any], None]) -> Callable[[Data, Data, Path], None]:
    return lambda baseline, ward, root: apply(baseline)


def on_ward(apply: Callable[[Any], None]) -> Callable[[Data, Data, Path], None]:
    return lambda baseline, ward, root: apply(ward)


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def required_keys(annotation: Any, value: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Paths of the keys the schema requires, walked alongside the data."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        for name, field in annotation.model_fields.items():
            key = field.alias or name
            if key in value:
                if field.is_required():
                    yield (*path, key)
                yield from required_keys(field.annotation, value[key], (*path, key))
    elif origin is list and isinstance(value, list):
        for index, item in enumerate(value):
            yield from required_keys(typing.get_args(annotation)[0], item, (*path, index))
    elif origin is dict and isinstance(value, dict):
        for key, item in value.items():
            yield from required_keys(typing.get_args(annotation)[1], item, (*path, key))
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(_unwrap(arg), type) and issubclass(_unwrap(arg), BaseModel):
                yield from required_keys(arg, value, path)


def leaves(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def _is_ip(text: str) -> bool:
    try:
        ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def wrong_types(value: Any) -> list[Any]:
    """Values of another type that no field accepting `value` takes."""
    if isinstance(value, bool):
        return [[value], {"x": value}, "yes please"]
    if isinstance(value, int | float):
        return ["ten", [value], {"x": value}]
    if isinstance(value, str):  # an address too: 12 or true must not become 0.0.0.12 or 0.0.0.1
        return [[value], {"x": value}, 12] + ([True] if _is_ip(value) else [])
    return []


PAYLOADS = [
    "$(reboot)",
    "`id`",
    "a\u2028b",
    "no\u00a0break",
    "smile \U0001f600",
    "two\nlines",
    "esc\x1b[2J",
    "zero\u200bwidth",
    "{{ 7 * 7 }}",
    'say "hi"',
    "back\\slash",
    "car^et",
    "pipe | table",
    "<b>bold</b>",
]


def vlan_index(baseline: Data, vlan_id: int) -> int:
    return next(i for i, v in enumerate(baseline["vlans"]) if v["id"] == vlan_id)


def targeted(baseline: Data, ward: Data, rng: random.Random) -> Iterator[Case]:
    """Cases of the classes the issue lists: each must be refused."""
    vlans = baseline["vlans"]
    # every payload in the banner and the site name; two drawn at random in every other free-text field
    free_text: list[tuple[str, Path_, list[str]]] = [
        ("baseline", ("banner", 0), PAYLOADS),
        ("ward", ("name",), PAYLOADS),
        ("baseline", ("city", "name"), rng.sample(PAYLOADS, 2)),
    ]
    free_text += [
        ("baseline", ("banner", i), rng.sample(PAYLOADS, 2)) for i in range(1, len(baseline["banner"]))
    ]
    free_text += [("baseline", ("vlans", i, "purpose"), rng.sample(PAYLOADS, 2)) for i in range(len(vlans))]
    for where, path, payloads in free_text:
        wrap = on_baseline if where == "baseline" else on_ward
        for payload in payloads:
            yield Case("unsafe free text", f"{where}:{path}={payload!r}", wrap(_set(path, payload)))
    for i in range(len(vlans)):
        j = rng.choice([k for k in range(len(vlans)) if k != i])  # one other VLAN takes i's id
        yield Case("duplicate id", f"vlans.{j}.id={i}", on_baseline(_set(("vlans", j, "id"), vlans[i]["id"])))
        alike = vlans[i]["name"].replace("-", "")  # STAFF-WIFI -> STAFFWIFI, given to the next VLAN
        j = (i + 1) % len(vlans)
        yield Case("duplicate name", f"vlans.{j}.name~{i}", on_baseline(_set(("vlans", j, "name"), alike)))
    for i, device in enumerate(ward["devices"][3:], start=3):
        yield Case("duplicate id", f"devices.{i}.name=acc1", on_ward(_set(("devices", i, "name"), "acc1")))
        yield Case(
            "duplicate id", f"devices+{device['name']}", on_ward(lambda w, d=device: w["devices"].append(d))
        )
    yield Case("duplicate id", "servers+srv1", on_ward(lambda w: w["servers"].append({"name": "srv1"})))
    yield Case(
        "duplicate id", "vlans+0", on_baseline(lambda b: b["vlans"].append(copy.deepcopy(b["vlans"][0])))
    )
    required = [("baseline", path) for path in required_keys(Baseline, baseline)]
    required += [("ward", path) for path in required_keys(Site, ward)]
    for where, path in rng.sample(required, REQUIRED_SAMPLE):
        wrap = on_baseline if where == "baseline" else on_ward
        yield Case("required key deleted", f"{where}:-{path}", wrap(_delete(path)))
    for vlan_id in (10, 60, 999):  # the management, the servers and the parking VLAN
        index = vlan_index(baseline, vlan_id)
        yield Case("required key deleted", f"-vlans.{index}", on_baseline(_delete(("vlans", index))))
        if vlan_id != 999:
            yield Case(
                "required key deleted",
                f"-vlans.{index}.place",
                on_baseline(_delete(("vlans", index, "place"))),
            )
    for name, model in baseline["models"].items():
        keys = ("lan_ports", "wan_ports") if model["role"] == "firewall" else ("ports",)
        for key in keys + (("uplinks",) if model["role"] == "access" else ()):
            yield Case(
                "required key deleted", f"-models.{name}.{key}", on_baseline(_delete(("models", name, key)))
            )
            yield Case(
                "out of range", f"models.{name}.{key}=[]", on_baseline(_set(("models", name, key), []))
            )
    yield from _out_of_range(baseline, rng)
    yield from _semantic(baseline, ward)
    for name in (
        "26743-ben-thanh.yml~",
        ".26743-ben-thanh.yml.swp",
        "#26743-ben-thanh.yml#",
        "x.yml.bak",
        "notes.txt",
    ):
        yield Case(
            "editor leftover", name, lambda b, w, root, n=name: (root / "wards" / n).write_text("x: 1\n")
        )
    yield Case(
        "editor leftover",
        "baseline.yml~",
        lambda b, w, root: (root / "group_vars/all/baseline.yml~").write_text(""),
    )


OUT_OF_RANGE: list[tuple[str, Path_, list[Any]]] = [
    ("ward", ("concurrent_users",), [0, 1251, 10**12]),
    ("ward", ("devices", 0, "members"), [0, 3, 8]),
    ("ward", ("devices", 1, "members"), [0, 9]),
    ("ward", ("servers", 0, "name"), ["srv0", "srv22", "srv99"]),
    ("ward", ("code",), ["1234", "abcde"]),
    ("baseline", ("ip_plan", "site_prefix"), [9, 25]),
    ("baseline", ("ip_plan", "code_base"), [-1, 30000]),
    ("baseline", ("ip_plan", "city_core_asn"), [0, 4294967295, 4200026743, 4200000000]),
    ("baseline", ("ip_plan", "site_asn_base"), [1, 4294967294, 4294900000]),
    ("baseline", ("ip_plan", "reserved_slots", "79000"), [-5, 0, 47, 1043, 2048]),
    ("baseline", ("ip_plan", "infra_place"), ["0.0.7.240/29", "0.0.15.240/28", "0.1.0.0/28"]),
    ("baseline", ("management", "vlan"), [1, 4095, 11]),
    ("baseline", ("management", "idle_timeout_minutes"), [0, 61]),
    ("baseline", ("services", "ntp", "auth_key_id"), [0, 65536]),
    ("baseline", ("city", "timezone", "utc_offset_hours"), [-13, 15]),
    ("baseline", ("password_policy", "min_length"), [7, 65]),
    ("baseline", ("sizing", "headroom"), [0.5, 4.5]),
    ("baseline", ("sizing", "port_spare"), [-0.1, 1.1]),
    ("baseline", ("sizing", "clients_per_ap"), [4, 101]),
    ("baseline", ("models", "C9300-48P", "ports", "count"), [0, 97]),
    ("baseline", ("models", "C9300X-24Y", "ports", "count"), [1, 3]),
    ("baseline", ("banner",), [[], ["x"] * 21]),
]


def _out_of_range(baseline: Data, rng: random.Random) -> Iterator[Case]:
    """Every value of the table; per VLAN one bad id, one bad sizing figure and one bad place, drawn."""
    for where, path, values in OUT_OF_RANGE:
        for value in values:
            wrap = on_baseline if where == "baseline" else on_ward
            yield Case("out of range", f"{where}:{path}={value!r}", wrap(_set(path, value)))
    for i, vlan in enumerate(baseline["vlans"]):
        value = rng.choice([0, 1, 4095, -20])
        yield Case("out of range", f"vlans.{i}.id={value}", on_baseline(_set(("vlans", i, "id"), value)))
        if "share" in vlan:
            key, bad = rng.choice([("share", 1.5), ("share", -0.1), ("min_prefix", 31), ("lease_minutes", 4)])
            yield Case("out of range", f"vlans.{i}.{key}={bad}", on_baseline(_set(("vlans", i, key), bad)))
        if "place" in vlan:
            own = ip_network(vlan["place"])
            places = ["0.0.7.0/29", "0.0.16.0/24", "0.0.4.0/24"]  # too small, off the block, overlapping
            # shrinking a VLAN inside its own place is allowed
            places = [
                p for p in places if not (ip_network(p).subnet_of(own) and ip_network(p).prefixlen <= 28)
            ]
            place = rng.choice(places)
            yield Case(
                "out of range", f"vlans.{i}.place={place}", on_baseline(_set(("vlans", i, "place"), place))
            )


def _semantic(baseline: Data, ward: Data) -> Iterator[Case]:
    """Accepted before issue 22, wrong all the same."""
    inside = "10.65.49.0/24"  # Bến Thành's CAMERAS place
    city: list[tuple[Path_, str]] = [
        (("remote_zones", "noc", 0), inside),
        (("remote_zones", "city_apps", 0), "10.0.0.0/9"),
        (("remote_zones", "city_video", 0), "0.0.0.0/0"),
        (("management", "sources", 0), "10.0.0.0/9"),
        (("management", "sources", 0), inside),
        (("services", "ntp", "servers", 0), "10.65.49.10"),
        (("services", "syslog", "servers", 1), "10.65.49.11"),
        (("services", "dns", "servers", 0), "10.2.240.53"),  # 25747's block: a unit without a file here
        (("services", "snmp", "trap_hosts", 0), "10.65.49.12"),
        (("aaa", "tacacs", 0, "address"), "10.65.49.13"),
        (("aaa", "radius", 1, "address"), "10.65.49.14"),
    ]
    for path, value in city:
        yield Case("city address in a site block", f"{path}={value}", on_baseline(_set(path, value)))
    for vlan in baseline["vlans"]:
        if "share" in vlan or "place" not in vlan:
            yield Case(
                "management VLAN",
                f"management.vlan={vlan['id']}",
                on_baseline(_set(("management", "vlan"), vlan["id"])),
            )
    for role, platform in (("firewall", "cisco_iosxe"), ("core", "fortios"), ("access", "fortios")):
        yield Case(
            "wrong platform", f"platforms.{role}={platform}", on_baseline(_set(("platforms", role), platform))
        )
        mixed = {"firewall": "frr", "core": "frr", "access": "frr", role: platform}
        yield Case(
            "wrong platform", f"ward platforms.{role}={platform}", on_ward(_set(("platforms",), mixed))
        )
    yield Case(
        "wrong platform",
        "whitebox_twin.platform=fortios",
        on_baseline(_set(("whitebox_twin", "platform"), "fortios")),
    )
    yield Case("wrong platform", "platforms.core=junos", on_baseline(_set(("platforms", "core"), "junos")))
    yield Case(
        "HA pair",
        "whitebox-fw x2",
        on_ward(
            _set(("devices", 0), {"name": "fw", "role": "firewall", "model": "whitebox-fw", "members": 2})
        ),
    )
    servers_place = ("vlans", vlan_index(baseline, 60), "place")
    yield Case(
        "too many servers",
        "17 servers",
        on_ward(_set(("servers",), [{"name": f"srv{n}"} for n in range(1, 18)])),
    )

    def six_servers_on_a_28(b: Data, w: Data, root: Path) -> None:
        _set(servers_place, "0.0.7.64/28")(b)
        w["servers"] = [{"name": f"srv{n}"} for n in range(1, 7)]

    yield Case("too many servers", "6 servers on a /28", six_servers_on_a_28)


def generic(baseline: Data, ward: Data, rng: random.Random) -> list[Case]:
    """Any key deleted, any value given another type: a sample, holding only the invariants."""
    cases = []
    for label, data, wrap in (("baseline", baseline, on_baseline), ("ward", ward, on_ward)):
        for path, value in leaves(data):
            cases.append(Case("generic", f"{label}:-{path}", wrap(_delete(path))))
            for other in (None, True, 0, "", [], {}):
                if other != value:
                    cases.append(Case("generic", f"{label}:{path}={other!r}", wrap(_set(path, other))))
    return rng.sample(cases, GENERIC_SAMPLE)


def wrong_type_cases(baseline: Data, ward: Data, rng: random.Random) -> list[Case]:
    cases = []
    for label, data, wrap in (("baseline", baseline, on_baseline), ("ward", ward, on_ward)):
        for path, value in leaves(data):
            cases += [
                Case("wrong type", f"{label}:{path}={bad!r}", wrap(_set(path, bad)))
                for bad in wrong_types(value)
            ]
    return rng.sample(cases, min(WRONG_TYPE_SAMPLE, len(cases)))


def controls() -> list[Case]:
    """Good input must still render: without these, a harness that broke every file would pass."""
    unchanged = Case("control", "unchanged", lambda b, w, root: None)
    safe = "Chỉ người được phép; (ghi nhật ký) #1 @ 50% = 'ok'! [a-b_c/d] + e & f? *"
    return [
        unchanged,
        Case("control", "every safe character in the banner", on_baseline(_set(("banner", 0), safe))),
    ]


def corpus(baseline: Data, ward: Data) -> list[Case]:
    rng = random.Random(SEED)
    return [
        *controls(),
        *targeted(baseline, ward, rng),
        *wrong_type_cases(baseline, ward, rng),
        *generic(baseline, ward, rng),
    ]


DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: Any) -> str:
    """Flow style for leaf collections, as the committed files are written: fewer tokens to parse."""
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False, default_flow_style=None)


def run_case(case: Case, root: Path, originals: tuple[Data, Data], out: Path) -> tuple[int | None, str]:
    baseline, ward = copy.deepcopy(originals)
    case.mutate(baseline, ward, root)
    (root / BASELINE).write_text(dump(baseline), encoding="utf-8")
    ward_file(root, BEN_THANH).write_text(dump(ward), encoding="utf-8")
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            code: int | None = main(["render", "--inventory", str(root), "--out", str(out)])
    except BaseException:  # a traceback is exactly what this test hunts
        return None, buffer.getvalue() + traceback.format_exc()
    return code, buffer.getvalue()


def originals_of(root: Path) -> tuple[Data, Data]:
    return (
        yaml.safe_load((root / BASELINE).read_text(encoding="utf-8")),
        yaml.safe_load(ward_file(root, BEN_THANH).read_text(encoding="utf-8")),
    )


def verdict(case: Case, code: int | None, text: str, out: Path) -> str | None:
    """What is wrong with this outcome, if anything."""
    if code is None or "Traceback" in text:
        return "traceback"
    if code not in (0, 1, 2):
        return f"exit {code}"
    if code == 2 and out.exists():
        return "wrote output on exit 2"
    if case.must_refuse and code != 2:
        return f"accepted (exit {code})"
    if case.kind == "control" and (code != 0 or not out.is_dir()):
        return f"good input not rendered (exit {code})"
    if code == 2 and "(fix: " not in text and "--force" not in text:
        return "refused without a fix"
    return None


def test_corpus_is_deterministic_and_covers_every_class(inventory_copy: Callable[..., Path]) -> None:
    originals = originals_of(inventory_copy(BEN_THANH))
    cases = corpus(*originals)
    assert [c.name for c in cases] == [c.name for c in corpus(*originals)]
    kinds = Counter(case.kind for case in cases)
    print(f"\nfuzz corpus: {len(cases)} cases (seed {SEED}): {dict(sorted(kinds.items()))}")
    assert set(kinds) >= {
        "unsafe free text",
        "duplicate id",
        "duplicate name",
        "required key deleted",
        "wrong type",
        "out of range",
        "city address in a site block",
        "management VLAN",
        "wrong platform",
        "HA pair",
        "too many servers",
        "editor leftover",
        "generic",
        "control",
    }
    assert len(cases) > 300


@pytest.mark.parametrize("shard", range(SHARDS))
def test_fuzz_corpus(inventory_copy: Callable[..., Path], tmp_path: Path, shard: int) -> None:
    root = inventory_copy(BEN_THANH)
    originals = originals_of(root)
    cases = corpus(*originals)[shard::SHARDS]
    wards = set((root / "wards").iterdir())
    failures: list[str] = []
    outcomes: Counter[tuple[str, int | None]] = Counter()
    for index, case in enumerate(cases):
        out = tmp_path / f"out{index}"
        code, text = run_case(case, root, originals, out)
        outcomes[(case.kind, code)] += 1
        problem = verdict(case, code, text, out)
        if problem:
            failures.append(f"[{case.kind}] {case.name}: {problem}\n{text[-600:]}")
        shutil.rmtree(out, ignore_errors=True)
        for extra in set((root / "wards").iterdir()) - wards:  # editor leftovers the case added
            extra.unlink()
        (root / "group_vars/all/baseline.yml~").unlink(missing_ok=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nfuzz shard {shard}/{SHARDS}: {len(cases)} cases, peak RSS {peak_mb:.0f} MB")
    for kind in sorted({case.kind for case in cases}):
        by_exit = {c: n for (k, c), n in outcomes.items() if k == kind}
        print(f"  {kind:30} exits {dict(sorted(by_exit.items(), key=str))}")
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n\n" + "\n\n".join(failures[:15])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_refused_by_the_free_text_rule(payload: str) -> None:
    from pydantic import ValidationError

    from wardnet.models import City

    with pytest.raises(ValidationError):
        City.model_validate(
            {"name": payload, "domain": "hcm.gov.vn", "timezone": {"name": "ICT", "utc_offset_hours": 7}}
        )
