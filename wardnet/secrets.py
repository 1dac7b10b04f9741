"""Secrets: rendered files carry masks (<<secret:NAME>>); the value comes from the environment
(WARDNET_SECRET_<NAME>) or from Ansible Vault variables handed over by playbooks/deploy.yml, only at
push time, and every text that leaves the push (diffs, reports, logs) is masked again.

Values read from the environment are taken out of it on first use (`take_from_environment`), so no child
process wardnet starts (an ssh ProxyCommand, git for the backups, a daemon) inherits them: a secret is never
in any process's argv or /proc/<pid>/environ but the one the operator exported it into."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from wardnet.platforms import PLATFORMS
from wardnet.platforms.base import PLACEHOLDER, REDACTED

__all__ = [
    "MASK",
    "REDACTED",
    "MissingSecretError",
    "environment_value",
    "mask",
    "redact",
    "redact_line",
    "resolve",
    "take_from_environment",
]

MASK = re.compile(r"<<secret:([a-z0-9_]+)>>")


class MissingSecretError(Exception):
    pass


SECRET_PREFIX = "WARDNET_SECRET_"
PASSWORD = "WARDNET_PASSWORD"
_taken: dict[str, str] = {}  # taken out of os.environ, kept for this process only


def _env_name(name: str) -> str:
    return f"{SECRET_PREFIX}{name.upper()}"


def take_from_environment() -> None:
    """Move WARDNET_PASSWORD and WARDNET_SECRET_* out of os.environ (children inherit os.environ)."""
    for key in [k for k in os.environ if k == PASSWORD or k.startswith(SECRET_PREFIX)]:
        _taken[key] = os.environ.pop(key)


def environment_value(key: str) -> str | None:
    take_from_environment()
    return _taken.get(key)


def resolve(text: str, values: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """Masks → values, from `values` (Ansible Vault, through the play) or else the environment.
    Returns the text and the values used (to mask them again)."""
    used: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        secret = (values or {}).get(name) or environment_value(_env_name(name))
        if not secret:
            raise MissingSecretError(
                f"secret '{name}' is not set: export {_env_name(name)} or set wardnet_secrets.{name} "
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
