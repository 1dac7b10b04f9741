"""`lab verify` on a lab with server instances (issue 19 item 3): the probe listener shares the SERVERS
endpoint's namespace with the server, which already holds some of the policy's ports (sshd on 22, unbound
on 53): the listener used to die on "Address already in use"; now it leaves those ports to their owner and
says which. And the server's host firewall, opened for the run by wardnet.lab.hostfw, is found and closed
by its tag. Loopback only: no namespace, no root."""

from __future__ import annotations

import socket
import subprocess
import sys

from wardnet.lab import hostfw, verify

LISTEN = [sys.executable, str(verify.PROBE_SCRIPT), "listen"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_listener_leaves_a_port_held_by_another_process_and_serves_the_rest() -> None:
    held, free = _free_port(), _free_port()
    owner = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)  # like sshd: the wildcard, both families
    owner.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    owner.bind(("::", held))
    owner.listen(1)
    listener = subprocess.Popen(
        [*LISTEN, f"{held},{free}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert listener.stdout is not None
        line = listener.stdout.readline().split()
        assert line[0] == "ready" and verify.busy_ports(line) == {f"tcp/{held}"}
        with socket.create_connection(("127.0.0.1", free), timeout=5) as conn:  # the rest is served
            conn.sendall(b"x")
            assert conn.recv(1) == b"x"
    finally:
        listener.kill()
        listener.wait()
        owner.close()


def test_a_listener_with_every_port_free_prints_ready_alone() -> None:
    assert verify.busy_ports(["ready"]) == set()
    assert verify.busy_ports(["ready", "busy=tcp/22,udp/53"]) == {"tcp/22", "udp/53"}


def test_host_firewall_rules_carry_the_harness_tag_and_only_those_are_found() -> None:
    assert hostfw.rules([443, 80], [53]) == [
        'tcp dport { 80, 443 } accept comment "wardnet-lab-harness"',
        'udp dport { 53 } accept comment "wardnet-lab-harness"',
    ]
    assert hostfw.rules([], []) == []
    # `nft -a list chain inet wardnet services` as nft 1.0.6 prints it, with a role's own rule in between
    listing = (
        "table inet wardnet {\n\tchain services { # handle 3\n"
        '\t\ttcp dport { 80, 443 } accept comment "wardnet-lab-harness" # handle 17\n'
        "\t\tudp dport 67 accept # handle 9\n"
        '\t\tudp dport 53 accept comment "wardnet-lab-harness" # handle 18\n\t}\n}\n'
    )
    assert hostfw.handles(listing) == [17, 18]
