"""The reason an audit gives for a device it could not read: before the session (unreachable) or during it
(session lost while a named step), so an operator knows whether the device was ever reached."""

from __future__ import annotations

from napalm.base.exceptions import ConnectionException

from wardnet.audit.collect import reason

SILENT = TimeoutError("hcm-1-acc3: no answer to 'wardnet-node show' within 20 s: the session went silent")


def test_a_timeout_while_connecting_is_unreachable() -> None:
    assert reason(SILENT).startswith("unreachable (TimeoutError: ")


def test_a_timeout_once_connected_names_the_step_and_the_silence() -> None:
    text = reason(SILENT, "reading the running config")
    assert text.startswith("session lost while reading the running config (TimeoutError: ")
    assert text.endswith("the session went silent)")


def test_a_reset_or_a_lost_channel_once_connected_is_a_lost_session() -> None:
    reset = ConnectionResetError("hcm-1-acc3: session dropped during 'wardnet-node show' (no exit status)")
    assert reason(reset, "reading the running config").startswith(
        "session lost while reading the running config (ConnectionResetError: hcm-1-acc3: session dropped"
    )
    lost = ConnectionException("hcm-1-acc3: session lost, 'wardnet-node canonical' not sent (EOFError: )")
    assert "session lost while making" in reason(lost, "making the intended config canonical on the device")


def test_a_command_error_once_connected_is_not_called_a_lost_session() -> None:
    assert reason(ValueError("bad output"), "reading the running config") == "ValueError: bad output"


def test_a_proxy_command_dying_once_connected_is_a_lost_session() -> None:
    # What the CI lab showed for a session cut under the lab's `nc` ProxyCommand (paramiko's own exception).
    from paramiko.ssh_exception import ProxyCommandFailure

    broken = ProxyCommandFailure("ip netns exec wt-26743-acc3 nc 10.65.55.13 22", "Broken pipe")
    text = reason(broken, "reading the running config")
    assert text.startswith("session lost while reading the running config (ProxyCommandFailure: ")
    assert text.endswith("returned nonzero exit status: Broken pipe)")


def test_a_refused_connection_is_unreachable_but_a_refused_command_is_not() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    assert reason(refused) == "unreachable (ConnectionRefusedError: [Errno 111] Connection refused)"
    wrapped = ConnectionException("TCP connection to device failed: [Errno 111] Connection refused")
    assert reason(wrapped).startswith("unreachable (ConnectionException: TCP connection to device failed")
    # The device answered and refused what it was sent (wardnet/node/frr.py): it was reached.
    rejected = ValueError("FRR refused the frr section: % Unknown command: ip bgp-typo")
    assert reason(rejected, "making the intended config canonical on the device") == (
        "ValueError: FRR refused the frr section: % Unknown command: ip bgp-typo"
    )
    assert reason(rejected) == "ValueError: FRR refused the frr section: % Unknown command: ip bgp-typo"
