"""`wardnet audit --servers`: each server of the targeted sites, audited against its own roles.

The intended state of a server is what roles/server_baseline and roles/ward_dhcp_dns would produce from the
same inventory, so the roles themselves are the comparison: `ansible-playbook playbooks/servers.yml
playbooks/server_state.yml --check --diff --limit HOST` (read-only; the wardnet inventory plugin gives the
same variables a converge uses), with the stdout callback plugins/callback/wardnet_audit.py writing every
changed task and its diff as JSON. Each changed line of a managed file becomes a finding with the file and
its line number (`/etc/ssh/sshd_config:19`); a changed task without a file (a package, a unit) a finding
named by the task; the loaded nftables table against the configured one comes from the role's own
compare task. The feature and severity are the server platform's (wardnet/platforms/server.py), the same
as a network device's. server_state.yml then prints the effective state (`sshd -T`, `nft list ruleset`,
PAM, faillock, pwquality, chrony, rsyslog, units, packages) for the level-2 server rules and the backups.

Production: SSH to the server's address as the deploy user, trusting only the host keys enrolled in the
store (wardnet/deploy/hostkeys.py: StrictHostKeyChecking yes, that file as the only known_hosts), no agent
on the server. Lab: the instance `lab up --servers` started, through `podman exec` as `lab up` converges
it (the lab's servers have no route from this machine's namespace).
`--remediate --commit`: the same playbook with commit=true on that host (wardnet audit fix).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardnet.audit.model import DeviceAudit, Drift, IgnoreRule, RuleFinding
from wardnet.platforms.server import SERVER

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect
    from wardnet.deploy.device import DeviceResult
    from wardnet.design import SiteDesign

REPO = Path(__file__).resolve().parent.parent.parent
PLAYBOOKS = (REPO / "playbooks/servers.yml", REPO / "playbooks/server_state.yml")
PLAYBOOK_TIMEOUT_S = 1200
STATE_TASK_TAG = "wardnet_state"
LOADED_TAG = "wardnet_firewall_loaded"
HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class ServerTarget:
    name: str  # the inventory hostname, e.g. hcm-26743-srv1
    site: str
    services: tuple[str, ...]
    extra_vars: dict[str, str] = field(default_factory=dict)  # how to reach it (host, connection, ssh args)
    environment: dict[str, str] = field(default_factory=dict, repr=False)
    username: str = ""


@dataclass
class ServerCollected:
    target: ServerTarget
    tasks: list[dict[str, Any]] = field(default_factory=list)  # changed (or failed) role tasks
    state: str = ""  # playbooks/server_state.yml's output
    error: str = ""


def planned(designs: list[SiteDesign]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(site, hostname, address, services) of every server: the one place the audit reads the design."""
    return [
        (d.plan.site.code, s.hostname, str(s.address), tuple(s.services))
        for d in designs
        for s in d.plan.servers
    ]


def server_targets(
    designs: list[SiteDesign], state_dir: Path, username: str, lab_inventory: Path | None
) -> list[ServerTarget]:
    if lab_inventory is not None:
        from wardnet.lab import servers as lab_servers
        from wardnet.lab.manager import Lab

        lab = Lab(lab_inventory)
        short = {s.hostname: s.name for d in designs for s in d.plan.servers}
        return [
            ServerTarget(
                name=host,
                site=site,
                services=services,
                extra_vars={
                    "ansible_host": lab_servers.container_name(lab.prefix, site, short[host]),
                    "ansible_connection": "podman_exec",
                    "ansible_become": "false",
                },
                environment={
                    "ANSIBLE_CONNECTION_PLUGINS": str(lab_servers.CONNECTION_PLUGINS),
                    "CONTAINERS_CONF": str(lab_servers.CONTAINERS_CONF),
                    "WARDNET_SECRET_NTP_KEY": os.environ.get(
                        "WARDNET_SECRET_NTP_KEY", lab_servers.LAB_NTP_KEY
                    ),
                },
            )
            for site, host, _, services in planned(designs)
        ]
    from wardnet.deploy.hostkeys import store_path

    known_hosts = store_path(state_dir)
    pinned = (
        f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={known_hosts} -o GlobalKnownHostsFile=/dev/null"
    )
    return [
        ServerTarget(
            name=host,
            site=site,
            services=services,
            extra_vars={"ansible_host": address, "ansible_ssh_common_args": pinned},
            environment={"ANSIBLE_HOST_KEY_CHECKING": "True"},
            username=username,
        )
        for site, host, address, services in planned(designs)
    ]


def run_playbook(target: ServerTarget, inventory: Path, commit: bool) -> tuple[dict[str, Any], str]:
    """The role(s) on one server: check mode with --diff, or commit. Returns the callback's host record and
    the run's stderr (the reason when nothing was recorded)."""
    with tempfile.TemporaryDirectory(prefix="wardnet-server-") as tmp:
        output = Path(tmp) / "run.json"
        variables = Path(tmp) / "vars.json"
        variables.write_text(json.dumps(target.extra_vars | ({"commit": True} if commit else {})))
        env = (
            os.environ
            | target.environment
            | {
                "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
                "ANSIBLE_STDOUT_CALLBACK": "wardnet_audit",
                "ANSIBLE_CALLBACK_PLUGINS": str(REPO / "plugins/callback"),
                "ANSIBLE_NOCOLOR": "1",
                "WARDNET_AUDIT_JSON": str(output),
            }
        )
        command = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            *(str(p) for p in (PLAYBOOKS if not commit else PLAYBOOKS[:1])),
            "-i",
            str(inventory.resolve()),
            "--limit",
            target.name,
            "--diff",
            "-e",
            f"@{variables}",
            *(["--check"] if not commit else []),
            *(["-u", target.username] if target.username else []),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=PLAYBOOK_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {}, f"ansible-playbook did not finish within {PLAYBOOK_TIMEOUT_S} s"
        if not output.is_file():
            return {}, (done.stderr or done.stdout).strip()[
                -600:
            ] or f"ansible-playbook exited {done.returncode}"
        hosts: dict[str, Any] = json.loads(output.read_text())["hosts"]
        return hosts.get(target.name, {}), (done.stderr or "").strip()[-600:]


def _why_unreachable(message: str) -> str:
    if "Host key verification failed" in message or "REMOTE HOST IDENTIFICATION HAS CHANGED" in message:
        return (
            "SECURITY: the server's SSH host key is not the enrolled one (or none is enrolled); refused "
            "before any credential was sent: check it, then enrol it (wardnet devices enroll)"
        )
    return f"unreachable ({message.strip().splitlines()[0][:200] if message.strip() else 'no answer'})"


def collect_server(target: ServerTarget, inventory: Path) -> ServerCollected:
    item = ServerCollected(target)
    record, stderr = run_playbook(target, inventory, commit=False)
    if not record:
        item.error = (
            f"ansible-playbook: {stderr[:400]}" if stderr else f"{target.name} is not in the inventory"
        )
        return item
    if record.get("unreachable"):
        item.error = _why_unreachable(record["unreachable"])
        return item
    failed = [t for t in record["tasks"] if t["status"] == "failed"]
    if failed:  # check mode could not evaluate the roles: an incomplete audit is reported, never guessed
        first = failed[0]
        item.error = f"task failed in check mode: {first['task']}: {str(first.get('msg', ''))[:200]}"
        return item
    item.tasks = [t for t in record["tasks"] if t["status"] == "changed" and not t.get("handler")]
    state = next((t for t in record["tasks"] if t["status"] == "state"), None)
    item.state = state.get("stdout", "") if state else ""
    return item


def collect_servers(targets: list[ServerTarget], inventory: Path, workers: int = 4) -> list[ServerCollected]:
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(lambda t: collect_server(t, inventory), targets))


# --- the findings -------------------------------------------------------------------------------------------


def _diffs(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Every diff of a task (a loop has one per item)."""
    out: list[dict[str, Any]] = []
    for holder in [task, *task.get("results", [])]:
        if not holder.get("changed", holder is task):
            continue
        diff = holder.get("diff")
        out += diff if isinstance(diff, list) else [diff] if isinstance(diff, dict) else []
    return out


def _text_findings(where: str, feature: str, intended: str, running: str) -> list[Drift]:
    """Line findings between two texts of one file: `where:N` is the line number on the server (for a
    missing line, where it belongs in the intended file). A removed and an added line in one hunk that
    share their keyword are one `changed` finding, as in the device compare."""
    from wardnet.audit.compare import _related

    want, have = intended.splitlines(), running.splitlines()
    out: list[Drift] = []
    matcher = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        missing = [(i, want[i]) for i in range(a0, a1) if want[i].strip()]
        extra = [(j, have[j]) for j in range(b0, b1) if have[j].strip()]
        for i, line in missing:
            pair = next((x for x in extra if _related(line.strip(), x[1].strip())), None)
            if pair is not None:
                extra.remove(pair)
                out.append(Drift("changed", feature, f"{where}:{pair[0] + 1}", line.strip(), pair[1].strip()))
            else:
                out.append(Drift("missing", feature, f"{where}:{i + 1}", intended=line.strip()))
        out += [Drift("extra", feature, f"{where}:{j + 1}", running=line.strip()) for j, line in extra]
    return out


def _unified(where: str, intended: str, running: str) -> str:
    lines = difflib.unified_diff(
        intended.splitlines(), running.splitlines(), f"intended{where}", f"running{where}", lineterm=""
    )
    return "".join(line + "\n" for line in lines)


def _loaded_firewall(stdout: str) -> tuple[str, str]:
    """The role's compare task prints `diff -u configured loaded`: back into the two texts."""
    configured: list[str] = []
    loaded: list[str] = []
    for line in stdout.splitlines()[2:]:
        if hunk := HUNK.match(line):  # blank lines up to the hunk's start keep the line numbers true
            configured += [""] * (int(hunk.group(1)) - 1 - len(configured))
            loaded += [""] * (int(hunk.group(2)) - 1 - len(loaded))
            continue
        if line.startswith("-"):
            configured.append(line[1:])
        elif line.startswith("+"):
            loaded.append(line[1:])
        else:
            configured.append(line[1:])
            loaded.append(line[1:])
    return "\n".join(configured), "\n".join(loaded)


def task_findings(task: dict[str, Any]) -> tuple[list[Drift], str]:
    """One changed task → its findings and its part of the device's diff."""
    tags = task.get("tags", [])
    if LOADED_TAG in tags:
        configured, loaded = _loaded_firewall(task.get("stdout", ""))
        where = "nft list table inet wardnet"
        return _text_findings(where, "firewall", configured, loaded), task.get("stdout", "") + "\n"
    found: list[Drift] = []
    diff_text = ""
    for diff in _diffs(task):
        path = str(diff.get("before_header") or diff.get("after_header") or "")
        before, after = diff.get("before"), diff.get("after")
        if isinstance(before, str) and isinstance(after, str) and path.startswith("/"):
            feature = SERVER.feature(path, tags)
            found += _text_findings(path, feature, after, before)
            diff_text += _unified(path, after, before)
        elif diff.get("prepared"):  # apt: what it would install (missing) or purge (extra)
            text = " ".join(str(diff["prepared"]).split())
            feature = SERVER.feature(path, tags)
            if "REMOVED" in text:
                found.append(Drift("extra", feature, task["task"], running=text))
            else:
                found.append(Drift("missing", feature, task["task"], intended=text))
        elif isinstance(before, dict) and isinstance(after, dict):  # file/unit attributes: state, mode
            for key in sorted(set(before) | set(after)):
                if key != "path" and before.get(key) != after.get(key):
                    found.append(
                        Drift(
                            "changed",
                            SERVER.feature(str(after.get("path", before.get("path", path))), tags),
                            f"{task['task']} ({after.get('path') or before.get('path') or path})".replace(
                                " ()", ""
                            ),
                            f"{key}: {after.get(key)}",
                            f"{key}: {before.get(key)}",
                        )
                    )
    if not found:  # a change the module does not show as a diff (a unit to start, a command to run)
        feature = SERVER.feature("", tags)
        found.append(
            Drift("changed", feature, task["role"] or "play", intended=task["task"], running="would change")
        )
    return found, diff_text


def audit_server(collected: ServerCollected, rules: list[IgnoreRule], expect: Expect | None) -> DeviceAudit:
    from wardnet.audit.ignores import matching_rule
    from wardnet.checks import level2_rules

    t = collected.target
    if collected.error:
        return DeviceAudit(t.name, t.site, SERVER.name, SERVER.role, "not-audited", error=collected.error)
    findings: list[Drift] = []
    diff = ""
    for task in collected.tasks:
        found, text = task_findings(task)
        findings += found
        diff += text
    findings = [
        Drift(f.kind, f.feature, f.section, f.intended, f.running, matching_rule(rules, t.site, t.name, f))
        for f in findings
    ]
    drifted = [f for f in findings if not f.ignored_by]
    known = level2_rules()
    baseline = (
        [
            RuleFinding(
                v.rule, known[v.rule].severity, v.message, known[v.rule].reference(SERVER.cis_prefix), v.fix
            )
            for v in SERVER.evaluate(collected.state, expect)
        ]
        if expect is not None and collected.state
        else []
    )
    return DeviceAudit(
        name=t.name,
        site=t.site,
        platform=SERVER.name,
        role=SERVER.role,
        status="drift" if drifted else "compliant",
        findings=findings,
        features=SERVER.features(t.services),
        diff=diff,
        remediation=(
            f"ansible-playbook playbooks/servers.yml --diff -e commit=true --limit {t.name}\n"
            "(the roles in commit mode; `wardnet audit --servers --remediate --commit` runs it)\n"
            if drifted
            else ""
        ),
        baseline=baseline,
    )


def backup_servers(store: Any, collected: list[ServerCollected]) -> int:
    """Each server's managed files and effective state into the backups repository
    (<site>/<server>/<path>, <site>/<server>/state.txt); returns how many servers were written."""
    from wardnet.checks.rules_server import ServerState

    written = 0
    for item in collected:
        if item.error or not item.state:
            continue
        state = ServerState.parse(item.state)
        base = f"{item.target.name}"
        for path, text in state.files.items():
            store.write_path(item.target.site, f"{base}{path}", text + "\n")
        effective = {k: v for k, v in state.parts.items() if not k.startswith("file ")}
        store.write_path(
            item.target.site, f"{base}/state.txt", "".join(f"#### {k}\n{v}\n" for k, v in effective.items())
        )
        written += 1
    return written


def remediate(
    run_devices: list[DeviceAudit], targets: list[ServerTarget], inventory: Path
) -> list[DeviceResult]:
    """`--remediate --commit` for the drifted servers: their roles in commit mode, one host at a time."""
    from wardnet.deploy.device import DeviceResult

    by_name = {t.name: t for t in targets}
    results = []
    for device in run_devices:
        if device.name not in by_name or device.status != "drift":  # the network devices: fix.apply
            continue
        accepted = sorted({f.ignored_by for f in device.findings if f.ignored_by})
        if accepted:
            why = f"carries accepted drift ({', '.join(accepted)}): apply the roles by hand"
            results.append(DeviceResult(device.name, device.site, False, "skipped", why))
            continue
        record, stderr = run_playbook(by_name[device.name], inventory, commit=True)
        failed = [t for t in record.get("tasks", []) if t["status"] == "failed"]
        if not record or record.get("unreachable") or failed:
            why = record.get("unreachable") or (failed[0]["task"] if failed else stderr[:300])
            results.append(DeviceResult(device.name, device.site, False, "failed", f"servers.yml: {why}"))
        else:
            changed = len([t for t in record["tasks"] if t["status"] == "changed"])
            results.append(DeviceResult(device.name, device.site, changed > 0, "committed", ""))
    return results
