"""The ssh_config ProxyCommand the frr driver connects through (the lab's `ip netns exec NS nc %h %p`):
closing it reaps the command, an exited or already-reaped command is no error, and a second close sends
nothing. paramiko's own ProxyCommand.close only sends SIGTERM to the pid: the command stays a zombie, and
a pid already reaped raises ProcessLookupError (the traceback from `_join_lingering_threads` at interpreter
exit; paramiko issues #1713, #1715). Each test here fails on paramiko's class."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wardnet.deploy import hostkeys

REPO = Path(__file__).resolve().parents[2]


def _state(pid: int) -> str:
    """The process's state letter (Z: a zombie), or '' once no process has that pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _exited(proxy: hostkeys.ProxyCommand) -> None:
    deadline = time.monotonic() + 10
    while _state(proxy.process.pid) not in ("Z", ""):
        assert time.monotonic() < deadline, "the command did not exit"
        time.sleep(0.01)


def test_close_ends_and_reaps_a_running_command() -> None:
    proxy = hostkeys.proxy_command("sleep 30")
    pid = proxy.process.pid
    proxy.close()
    assert proxy.process.returncode is not None  # reaped by close: paramiko's leaves it None
    assert _state(pid) == ""  # no zombie left behind
    assert proxy.closed
    assert proxy.process.stdin is not None and proxy.process.stdin.closed


def test_a_command_that_exited_is_reaped_without_a_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = hostkeys.proxy_command("true")  # as `nc` when its device closed the connection
    _exited(proxy)
    sent: list[tuple[int, int]] = []
    real_kill = os.kill
    monkeypatch.setattr(os, "kill", lambda pid, sig: (sent.append((pid, sig)), real_kill(pid, sig)))
    proxy.close()
    assert sent == []
    assert proxy.process.returncode == 0
    assert _state(proxy.process.pid) == ""


def test_a_command_reaped_elsewhere_is_no_error() -> None:
    """The pid is gone (reaped by someone else): paramiko's close raises ProcessLookupError."""
    proxy = hostkeys.proxy_command("true")
    os.waitpid(proxy.process.pid, 0)
    proxy.close()  # no ProcessLookupError
    assert proxy.closed


def test_a_second_close_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The transport's thread and Transport.close both close the socket: the second close must not signal
    a pid that may, once reaped, belong to another process."""
    proxy = hostkeys.proxy_command("sleep 30")
    proxy.close()
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
    proxy.close()
    assert sent == []


def test_a_command_that_ignores_sigterm_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hostkeys.ProxyCommand, "GRACE_S", 0.2)
    proxy = hostkeys.proxy_command("sh -c 'trap \"\" TERM; echo ready; sleep 30'")
    assert proxy.recv(6) == b"ready\n"  # the trap is set
    proxy.close()
    assert proxy.process.returncode == -9
    assert _state(proxy.process.pid) == ""


def test_no_traceback_at_exit_when_the_command_was_reaped_before_the_transport_closed() -> None:
    """What CI showed: a transport whose command exited and was reaped; its thread closes the socket as it
    ends (at the latest from `_join_lingering_threads` at exit). With paramiko's class that close raised
    ProcessLookupError in the thread."""
    script = (
        "import os, paramiko\n"
        "from wardnet.deploy.hostkeys import proxy_command\n"
        "sock = proxy_command('true')\n"
        "os.waitpid(sock.process.pid, 0)\n"
        "transport = paramiko.Transport(sock)\n"
        "try:\n"
        "    transport.start_client(timeout=2)\n"
        "except Exception as exc:\n"
        "    print('refused:', type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout  # the session never started: nothing answered
    # (paramiko logs the broken pipe itself, with its traceback: that is the device's error, expected)
    assert "Exception in thread" not in done.stderr, done.stderr
    assert "ProcessLookupError" not in done.stderr, done.stderr


def test_the_frr_driver_connects_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver builds its socket with proxy_command (the closing above), from the ssh_config's line."""
    import napalm
    from napalm.base.exceptions import ConnectionException

    made: list[hostkeys.ProxyCommand] = []
    real = hostkeys.proxy_command

    def recording(command_line: str) -> hostkeys.ProxyCommand:
        made.append(real(command_line))
        return made[-1]

    monkeypatch.setattr("napalm_frr.driver.proxy_command", recording)
    config = tmp_path / "ssh_config"
    config.write_text("Host device\n  HostName 192.0.2.1\n  ProxyCommand sh -c 'exit 0' %h %p\n")
    driver = napalm.get_network_driver("frr")(
        "device", "root", "", timeout=2, optional_args={"ssh_config_file": str(config)}
    )
    with pytest.raises(ConnectionException):
        driver.open()  # nothing answers: the command exits at once
    assert [type(p) for p in made] == [hostkeys.ProxyCommand]
    assert made[0].process.returncode == 0  # closed and reaped by the failed open
