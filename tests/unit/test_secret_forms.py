"""Every secret form on every platform, every occurrence: what leaves a push or an audit carries none.

Expected lines are written out by hand; each form appears more than once (on several lines, and twice on
one line where the platform allows it), so masking only the first occurrence fails here.
"""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from wardnet.inventory import Inventory
from wardnet.pipeline import designs, render_all
from wardnet.secrets import MASK, MissingSecretError, mask, redact, resolve

HASH9 = "$9$Qm3vX1bPz0eK2L$4hDk2lA0n8TqYwVbXe1cR6oJ5mS7uZ9fG3iH0tK2pLw"
TYPE7 = "0822455D0A16"
ENC = "ENC SH2nB7kQ1vX3pZ8mL0cR5tY2wE9uI4oA6sD1fG7hJ3kL5zX8cV0bN2mQ4wE6rT8yU0="

# (platform, as the device shows it, as it must be stored)
FORMS = [
    ("cisco_iosxe", f"username a privilege 15 secret 9 {HASH9}", "username a privilege 15 secret <secret>"),
    ("cisco_iosxe", f"username b privilege 15 secret 9 {HASH9}", "username b privilege 15 secret <secret>"),
    ("cisco_iosxe", f"enable secret 9 {HASH9}", "enable secret <secret>"),
    ("cisco_iosxe", f"username c password 7 {TYPE7}", "username c password <secret>"),
    ("cisco_iosxe", f" key 7 {TYPE7}", " key <secret>"),
    ("cisco_iosxe", " key 0 Clear-Key", " key <secret>"),
    (
        "cisco_iosxe",
        f"ntp authentication-key 1 hmac-sha2-256 {TYPE7} 7",
        "ntp authentication-key 1 hmac-sha2-256 <secret>",
    ),
    ("cisco_iosxe", "snmp-server community public RO", "snmp-server community <secret> RO"),
    ("cisco_iosxe", "crypto isakmp key Psk-1 address 0.0.0.0", "crypto isakmp key <secret> address 0.0.0.0"),
    (
        "cisco_iosxe",
        "snmp-server user u G v3 auth sha <<secret:snmp_auth>> priv aes 256 <<secret:snmp_priv>>",
        "snmp-server user u G v3 auth sha <secret> priv aes 256 <secret>",
    ),
    ("fortios", f"        set password {ENC}", "        set password <secret>"),
    ("fortios", f"        set passwd {ENC}", "        set passwd <secret>"),
    ("fortios", f'            set key "{ENC}"', "            set key <secret>"),
    ("fortios", f"        set secret {ENC}", "        set secret <secret>"),
    ("fortios", f"        set psksecret {ENC}", "        set psksecret <secret>"),
    ("fortios", f"        set auth-pwd {ENC}", "        set auth-pwd <secret>"),
    ("fortios", f"        set priv-pwd {ENC}", "        set priv-pwd <secret>"),
    ("fortios", '        set key "<<secret:tacacs_key>>"', "        set key <secret>"),
    ("frr", " neighbor 10.0.0.1 password Bgp-Clear", " neighbor 10.0.0.1 password <secret>"),
    ("frr", " neighbor 10.0.0.3 password <<secret:bgp_key>>", " neighbor 10.0.0.3 password <secret>"),
]
PLATFORMS = sorted({platform for platform, _, _ in FORMS})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_form_is_redacted_on_every_line(platform: str) -> None:
    shown = [device for p, device, _ in FORMS if p == platform]
    stored = [clean for p, _, clean in FORMS if p == platform]
    # each form twice, apart and with other lines around: the second copy must go too
    text = "\n".join(["hostname x", *shown, "!", *shown, "end"])
    assert redact(platform, text).split("\n") == ["hostname x", *stored, "!", *stored, "end"]


def test_a_value_used_many_times_is_masked_everywhere() -> None:
    used = {"tacacs_key": "Tacacs-K3y", "radius_key": "Radius-K3y-Longer", "short": "K3y"}
    text = (
        "tacacs server A\n key 0 Tacacs-K3y\ntacacs server B\n key 0 Tacacs-K3y\n"
        "radius server A\n key 0 Radius-K3y-Longer\n"
        "banner Tacacs-K3y Tacacs-K3y\n"
        "x K3y y K3y\n"
    )
    assert mask(text, used) == (
        "tacacs server A\n key 0 <<secret:tacacs_key>>\ntacacs server B\n key 0 <<secret:tacacs_key>>\n"
        "radius server A\n key 0 <<secret:radius_key>>\n"
        "banner <<secret:tacacs_key>> <<secret:tacacs_key>>\n"
        "x <<secret:short>> y <<secret:short>>\n"
    )


def test_every_mask_of_a_rendered_site_resolves_and_masks_back(inventory: Inventory) -> None:
    for item in render_all(designs(inventory, [BEN_THANH])):
        names = MASK.findall(item.text)
        values = {name: f"V{i}-{name}-secret" for i, name in enumerate(sorted(set(names)))}
        text, used = resolve(item.text, values)
        for name, value in values.items():
            # as many values in the pushed text as masks in the file, and none left after masking
            assert text.count(value) == item.text.count(f"<<secret:{name}>>"), (item.name, name)
        back = mask(text, used)
        assert back == item.text, item.name
        assert not any(value in back for value in values.values())


def test_a_secret_comes_from_the_environment_when_the_vault_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDNET_SECRET_TACACS_KEY", "From-Env")
    text, used = resolve(" key 0 <<secret:tacacs_key>>\n key 0 <<secret:tacacs_key>>\n", {})
    assert text == " key 0 From-Env\n key 0 From-Env\n" and used == {"tacacs_key": "From-Env"}
    text, _ = resolve(" key 0 <<secret:tacacs_key>>", {"tacacs_key": "From-Vault"})
    assert text == " key 0 From-Vault"  # the vault wins


def test_a_missing_secret_says_where_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARDNET_SECRET_RADIUS_KEY", raising=False)
    with pytest.raises(MissingSecretError) as missing:
        resolve(" key 0 <<secret:radius_key>>", {"tacacs_key": "x"})
    assert str(missing.value) == (
        "secret 'radius_key' is not set: export WARDNET_SECRET_RADIUS_KEY or set wardnet_secrets.radius_key "
        "in an Ansible Vault file (playbooks/deploy.yml)"
    )


def test_text_of_no_platform_has_only_its_masks_redacted() -> None:
    # A server's or a test's text: no platform's hash forms apply, every mask on a line goes, the rest stays.
    text = "user a <<secret:one>> and <<secret:two_2>>\nenable secret 9 $9$kept\n<<secret:three>>"
    assert redact("ward-server", text) == "user a <secret> and <secret>\nenable secret 9 $9$kept\n<secret>"
    assert redact("", "plain line") == "plain line"
