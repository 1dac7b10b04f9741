"""Secrets exported for a run are taken out of the environment: no child process wardnet starts sees them."""

from __future__ import annotations

import subprocess

from wardnet.deploy.backups import BackupStore
from wardnet.deploy.targets import Credentials
from wardnet.secrets import resolve

SECRET = "Env-Only-Secret-7f3a"


def test_exported_secrets_reach_the_run_but_no_child(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WARDNET_PASSWORD", SECRET + "-login")
    monkeypatch.setenv("WARDNET_SECRET_SNMP_AUTH", SECRET)
    credentials = Credentials.from_environment()
    assert credentials.password == SECRET + "-login"
    text, used = resolve("snmp-server user x auth sha <<secret:snmp_auth>>")
    assert SECRET in text and used == {"snmp_auth": SECRET}

    child = subprocess.run(["env"], capture_output=True, text=True, check=True).stdout
    assert SECRET not in child and "WARDNET_SECRET_" not in child and "WARDNET_PASSWORD" not in child
    store = BackupStore(tmp_path / "backups")  # a child wardnet itself starts: git
    store.write("26743", "hcm-26743-acc1", "frr", "hostname x\n")
    assert store.commit("test")
    assert Credentials.from_environment().password == SECRET + "-login"  # still there for this process
