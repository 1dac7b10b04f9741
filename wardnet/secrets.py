"""Secrets: rendered files carry masks (<<secret:NAME>>); the value comes from the environment
(WARDNET_SECRET_<NAME>) or from Ansible Vault variables handed over by playbooks/deploy.yml, only at
push time, and every text that leaves the push (diffs, reports, logs) is masked again."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from wardnet.platforms import PLATFORMS
from wardnet.platforms.base import PLACEHOLDER, REDACTED

__all__ = ["MASK", "REDACTED", "MissingSecretError", "mask", "redact", "redact_line", "resolve"]

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


def redact_line(platform: str, line: str) -> str:
    """One line with every form of a secret (the mask, the platform's hashes and clear forms) → <secret>."""
    driver = PLATFORMS.get(platform)
    if driver is None:  # not a platform (a test's or a server's text): the masks only
        return PLACEHOLDER.sub(REDACTED, line) if "<<secret:" in line else line
    return driver.redact_line(line)


def redact(platform: str, text: str) -> str:
    """Every line of a device's config with its secret values replaced (backups, reports)."""
    return "\n".join(redact_line(platform, line) for line in text.split("\n"))
