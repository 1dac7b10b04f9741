"""Level-2 rules on one changed line at a time: the change touches exactly one occurrence, so a rule that
looks at only some of the places (the console and not the vty lines, `username` and not the AAA keys) fails
here. Expected findings are literal: the rule id and the words of the problem.
"""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import Inventory
from wardnet.pipeline import designs
from wardnet.render import Renderer

TYPE7 = "0822455D0A16"  # "cisco" in Cisco's type 7, the textbook example


@pytest.fixture(scope="module")
def core(inventory: Inventory) -> tuple[str, Expect]:
    config = designs(inventory, [BEN_THANH])[0].devices[f"hcm-{BEN_THANH}-core"]
    return Renderer().device(config), Expect.from_baseline(inventory.baseline)


def _messages(text: str, rule: str, expect: Expect) -> list[str]:
    found = rendered_findings(text, "cisco_iosxe", "core", site=BEN_THANH, device="x", expect=expect)
    return [f.message for f in found if f.rule == rule]


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _in_block(text: str, head: str, old: str, new: str) -> str:
    """`old` replaced by `new` in the block under `head` only (its indented lines)."""
    lines = text.split("\n")
    start = lines.index(head)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    body = [new if line == old else line for line in lines[start + 1 : end]]
    assert body != lines[start + 1 : end], f"{old!r} is not under {head!r}"
    return "\n".join([*lines[: start + 1], *body, *lines[end:]])


def test_the_rendered_core_has_no_secret_or_session_finding(core: tuple[str, Expect]) -> None:
    text, expect = core
    assert _messages(text, "L2-AAA-03", expect) == []
    assert _messages(text, "L2-AAA-05", expect) == []
    assert _messages(text, "L2-AAA-06", expect) == []  # login block-for 900 attempts 5 within 120: the limits
    assert _messages(text, "L2-BANNER-01", expect) == []


# Each form a type 7 value takes in an IOS config, one at a time, on one server only.
TYPE7_FORMS = [
    (" key 0 <<secret:tacacs_key>>", f" key 7 {TYPE7}", "type 7 secret in 'key ...'"),
    (" key 0 <<secret:radius_key>>", f" key 7 {TYPE7}", "type 7 secret in 'key ...'"),
    (
        "username hcm-breakglass privilege 15 secret 9 <<secret:breakglass_hash>>",
        f"username hcm-breakglass privilege 15 secret 7 {TYPE7}",
        "type 7 secret in 'username ...'",
    ),
    ("hostname ", f"enable secret 7 {TYPE7}\nhostname ", "type 7 secret in 'enable ...'"),
    (
        "ntp authentication-key 1 hmac-sha1 <<secret:ntp_key>>",
        f"ntp authentication-key 1 hmac-sha1 {TYPE7} 7",
        "type 7 secret in 'ntp ...'",
    ),
    ("line con 0", f"line con 0\n password 7 {TYPE7}", "type 7 secret in 'password ...'"),
]


@pytest.mark.parametrize(
    ("old", "new", "message"), TYPE7_FORMS, ids=["tacacs", "radius", "user", "enable", "ntp", "line"]
)
def test_type7_is_flagged_wherever_it_appears(
    core: tuple[str, Expect], old: str, new: str, message: str
) -> None:
    text, expect = core
    assert _messages(_once(text, old, new), "L2-AAA-03", expect) == [message]


def test_a_clear_text_key_is_flagged(core: tuple[str, Expect]) -> None:
    text, expect = core
    broken = _once(text, " key 0 <<secret:tacacs_key>>", " key 0 Tacacs-Clear")
    assert _messages(broken, "L2-AAA-03", expect) == ["clear-text secret in 'key ...'"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("line con 0", "'line con 0' idle timeout is unset"),
        ("line vty 0 4", "'line vty 0 4' idle timeout is unset"),
        ("line vty 16 31", "'line vty 16 31' idle timeout is unset"),
    ],
)
def test_each_line_without_an_idle_timeout_is_flagged(
    core: tuple[str, Expect], line: str, expected: str
) -> None:
    text, expect = core
    never = _in_block(text, line, " exec-timeout 5 0", " exec-timeout 0 0")  # 0 0: never times out
    assert never.count(" exec-timeout 0 0") == 1  # only this line changed
    assert _messages(never, "L2-AAA-05", expect) == [f"'{line}' idle timeout is never, above 5 min"]
    removed = never.replace(" exec-timeout 0 0\n", "")  # absent: the IOS default of 10 minutes
    assert _messages(removed, "L2-AAA-05", expect) == [f"'{line}' idle timeout is unset, above 5 min"]


def test_a_console_timeout_over_the_limit_is_flagged(core: tuple[str, Expect]) -> None:
    text, expect = core
    broken = _in_block(text, "line con 0", " exec-timeout 5 0", " exec-timeout 30 0")
    assert _messages(broken, "L2-AAA-05", expect) == ["'line con 0' idle timeout is 30 min, above 5 min"]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (" exec-timeout 5 30", ["'line con 0' idle timeout is 5.5 min, above 5 min"]),
        (" exec-timeout 4 59", []),  # 4 min 59 s: under the limit
        (" exec-timeout 6", ["'line con 0' idle timeout is 6 min, above 5 min"]),  # seconds left out
        (" exec-timeout 0 1", []),  # one second is not "never"
    ],
)
def test_a_console_timeout_counts_its_seconds(
    core: tuple[str, Expect], timeout: str, expected: list[str]
) -> None:
    text, expect = core
    broken = _in_block(text, "line con 0", " exec-timeout 5 0", timeout)
    assert _messages(broken, "L2-AAA-05", expect) == expected


LOCKOUT = "login block-for 900 attempts 5 within 120"  # the baseline: 15 min after 5 failures in 120 s


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("login block-for 900 attempts 6 within 120", ["lockout only after 6 failed logins"]),
        ("login block-for 899 attempts 5 within 120", ["lockout lasts 899 s"]),
        ("login block-for 900 attempts 5 within 119", ["failures counted over 119 s only"]),
        ("login block-for 60 attempts 9 within 30", [
            "lockout only after 9 failed logins", "lockout lasts 60 s", "failures counted over 30 s only",
        ]),
        ("login block-for 3600 attempts 3 within 600", []),  # stricter than the baseline
        ("login block-for 900 attempts 5", ["no lockout after failed logins"]),
        ("login block-for 900 attempts x within 120", ["no lockout after failed logins"]),
        ("login block-for x attempts 5 within 120", ["no lockout after failed logins"]),
        ("login block-for 900 attempts 5 within x", ["no lockout after failed logins"]),
        ("no login block-for", ["no lockout after failed logins"]),
    ],
)  # fmt: skip
def test_the_login_lockout_is_read_figure_by_figure(
    core: tuple[str, Expect], line: str, expected: list[str]
) -> None:
    text, expect = core
    assert _messages(_once(text, LOCKOUT, line), "L2-AAA-06", expect) == expected


def test_a_missing_login_banner_is_flagged(core: tuple[str, Expect]) -> None:
    text, expect = core
    broken = _once(text, "banner login ^C", "banner motd ^C")
    assert _messages(broken, "L2-BANNER-01", expect) == ["no login banner"]
