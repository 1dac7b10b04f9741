"""Secrets: rendered files carry masks (<<secret:NAME>>); the value comes from the environment
(WARDNET_SECRET_<NAME>) or from Ansible Vault variables handed over by playbooks/deploy.yml, only at
push time, and every text that leaves the push (diffs, reports, logs) is masked again."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

MASK = re.compile(r"<<secret:([a-z0-9_]+)>>")


class MissingSecretError(Exception):
    pass


def env_name(name: str) -> str:
    return f"WARDNET_SECRET_{name.upper()}"


def resolve(text: str, values: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """Masks → values, from `values` (Ansible Vault, through the play) or else the environment.
    Returns the text and the values used (to mask them again)."""
    used: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        secret = (values or {}).get(name) or os.environ.get(env_name(name))
        if not secret:
            raise MissingSecretError(
                f"secret '{name}' is not set: export {env_name(name)} or set wardnet_secrets.{name} "
                "in an Ansible Vault file (playbooks/deploy.yml)"
            )
        used[name] = secret
        return secret

    return MASK.sub(value, text), used


def mask(text: str, used: dict[str, str]) -> str:
    for name, secret in sorted(used.items(), key=lambda item: -len(item[1])):
        text = text.replace(secret, f"<<secret:{name}>>")
    return text


# Secret-bearing values the device shows in its own forms (hashes, type 7, FortiOS ENC blobs, FRR clear text)
# → one token, so the same line compares equal to the intended mask and no form of a secret is ever stored.
REDACTED = "<secret>"
SECRET_VALUES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "cisco_iosxe": [
        (re.compile(r"\b(secret|password) \d+ \S+"), rf"\1 {REDACTED}"),
        (re.compile(r"\b(key) [07] \S+"), rf"\1 {REDACTED}"),
        (re.compile(r"^(ntp authentication-key \d+ \S+) \S+( \d+)?$"), rf"\1 {REDACTED}"),
        (re.compile(r"^(snmp-server community|crypto isakmp key) \S+"), rf"\1 {REDACTED}"),
    ],
    "fortios": [
        (
            re.compile(r"^(\s*set (?:password|passwd|key|secret|psksecret|auth-pwd|priv-pwd)) .*$"),
            rf"\1 {REDACTED}",
        ),
    ],
    "frr": [(re.compile(r"\b(password) \S+"), rf"\1 {REDACTED}")],
}
PLACEHOLDER = re.compile(r'"?<<secret:[a-z0-9_]+>>"?')


# One cheap search per line decides whether the patterns above need to run at all.
MAY_HOLD_SECRET = re.compile(r"secret|password|passwd|key|community|-pwd")


def redact_line(platform: str, line: str) -> str:
    if "<<secret:" in line:
        line = PLACEHOLDER.sub(REDACTED, line)
    if not MAY_HOLD_SECRET.search(line):
        return line
    for pattern, replacement in SECRET_VALUES.get(platform, []):
        line = pattern.sub(replacement, line)
    return line


def redact(platform: str, text: str) -> str:
    """Every line of a device's config with its secret values replaced (backups, reports)."""
    return "\n".join(redact_line(platform, line) for line in text.split("\n"))
