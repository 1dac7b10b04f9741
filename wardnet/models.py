"""Typed models of the inventory: the city baseline and one file per site.

Every model forbids unknown keys (a typo is an error, not a silently ignored setting) and every free-text
field is checked so that inventory data can never become an extra configuration line.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wardnet.platforms import NAMES as PLATFORM_NAMES
from wardnet.platforms import PLATFORMS

FORBIDDEN_IN_TEXT = {
    '"': "double quote, which breaks configuration quoting",
    "\\": "backslash, which breaks configuration quoting",
    "^": "caret (the IOS banner delimiter)",
    "`": "backtick (shell command substitution)",
    "$": "dollar sign (shell and variable expansion)",
}

# Free text reaches IOS-XE banners and descriptions, FortiOS quoted strings, FRR, nftables comments, the
# site page (Markdown) and SVG: only characters every one of them shows as written. Printable ASCII minus the
# quoting, shell and Markdown/HTML specials, plus the Vietnamese letters (NFC, both cases).
SAFE_PUNCTUATION = " .,:;-_/()'&+%#@!?=*[]"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
_VIETNAMESE_LOWER = {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in _TONES} | {"đ"}
VIETNAMESE_LETTERS = frozenset(_VIETNAMESE_LOWER | {letter.upper() for letter in _VIETNAMESE_LOWER})
SAFE_TEXT = frozenset(string.ascii_letters + string.digits + SAFE_PUNCTUATION) | VIETNAMESE_LETTERS
SAFE_TEXT_HELP = f"letters (ASCII and Vietnamese), digits, space and {SAFE_PUNCTUATION.strip()}"


def _check_free_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value)  # Vietnamese typed with combining marks becomes one letter
    for char in value:
        if unicodedata.category(char).startswith("C"):
            raise ValueError(
                f"contains a control or invisible character (U+{ord(char):04X}); newlines and control "
                "characters must never reach a device configuration"
            )
        if char in FORBIDDEN_IN_TEXT:
            raise ValueError(f"contains a {FORBIDDEN_IN_TEXT[char]}")
    if "{{" in value or "{%" in value or "{#" in value:
        raise ValueError("contains template syntax ({{, {% or {#); inventory data is data, never a template")
    for char in value:
        if char not in SAFE_TEXT:
            raise ValueError(
                f"contains {char!r} (U+{ord(char):04X}), which not every platform renders as written; "
                f"free text may hold {SAFE_TEXT_HELP}"
            )
    return value


FreeText = Annotated[StrictStr, Field(min_length=1, max_length=80), AfterValidator(_check_free_text)]
Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")]
UnitCode = Annotated[StrictStr, Field(pattern=r"^[0-9]{5}$")]
Percent = Annotated[float, Field(ge=0, le=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def rule_error(message: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its own fix (wardnet.inventory shows both, with file and line)."""
    return PydanticCustomError("wardnet_rule", "{message}", {"message": message, "fix": fix})


def _address_as_text(value: object) -> object:
    """Addresses are written as text: YAML's 12 or true would otherwise become 0.0.0.12 or 0.0.0.1."""
    if isinstance(value, bool | int | float):
        raise rule_error(f"{value!r} is not an address", "write it as text, e.g. 10.0.0.10 or 10.0.1.0/24")
    return value


IpNetwork = Annotated[IPv4Network, BeforeValidator(_address_as_text)]
IpAddress = Annotated[IPv4Address, BeforeValidator(_address_as_text)]
IpNetwork6 = Annotated[IPv6Network, BeforeValidator(_address_as_text)]
IpAddress6 = Annotated[IPv6Address, BeforeValidator(_address_as_text)]


class SecretRef(Model):
    """A secret named here and resolved at push time, never stored in the repository."""

    secret: Identifier


class TimeZone(Model):
    name: Identifier
    utc_offset_hours: StrictInt = Field(ge=-12, le=14)


class City(Model):
    name: FreeText
    domain: Annotated[StrictStr, Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]
    timezone: TimeZone
    language: Literal["vi", "en"] = "en"  # the reports' default language (wardnet.i18n); --lang overrides


class Ipv6Plan(Model):
    """IPv6 beside IPv4 (IPv6 for Gov, Decision 38/QD-BTTTT): one /48 per site at the site's IPv4 slot.

    A /48 per site (RFC 6177, RIPE-690) leaves a 16-bit subnet ID, so every VLAN's /64 can be named by its
    VLAN id written as hex digits (VLAN 20 -> <site>:20::/64) and infrastructure sits at ffff/fffe: fixed
    places that no edit ever moves.
    """

    supernet: IpNetwork6  # the city's allocation; a documentation prefix (2001:db8::/32) in the sample
    site_prefix: Literal[48] = 48


class IpPlan(Model):
    supernet: IpNetwork
    site_prefix: StrictInt = Field(ge=16, le=24)
    code_base: StrictInt = Field(ge=0)
    # Slot 0 holds the city's own networks (NOC, services): a city-level site takes slot 1 or above.
    reserved_slots: dict[UnitCode, Annotated[StrictInt, Field(ge=1)]] = {}
    infra_place: IpNetwork  # block-relative, e.g. 0.0.7.240/28: transit /31 first, loopbacks /29 last
    ipv6: Ipv6Plan
    city_core_asn: StrictInt = Field(ge=1, le=4294967294)
    site_asn_base: StrictInt = Field(ge=4200000000, le=4294967294)

    @model_validator(mode="after")
    def _prefix_inside_supernet(self) -> IpPlan:
        if self.site_prefix <= self.supernet.prefixlen:
            raise ValueError(f"site_prefix /{self.site_prefix} must be longer than the supernet's")
        if self.infra_place.prefixlen > 28:
            raise ValueError("infra_place must be a /28 or larger (a /31 transit and a /29 of loopbacks)")
        slots_bits = self.site_prefix - self.supernet.prefixlen
        if self.ipv6.supernet.prefixlen > self.ipv6.site_prefix - slots_bits:
            raise ValueError(
                f"ipv6.supernet {self.ipv6.supernet} has fewer /48s than the IPv4 plan has site slots; "
                f"use a /{self.ipv6.site_prefix - slots_bits} or larger"
            )
        return self


AnyNetwork = IpNetwork | IpNetwork6  # IPv4 and IPv6 side by side; the design splits them by version


class NegatedZone(Model):
    not_: list[AnyNetwork] = Field(alias="not")


RemoteZone = list[AnyNetwork] | NegatedZone


class Management(Model):
    vlan: StrictInt = Field(ge=2, le=4094)
    sources: list[AnyNetwork] = Field(min_length=1)
    idle_timeout_minutes: StrictInt = Field(ge=1, le=60)
    ssh_version: Literal[2]


class Ntp(Model):
    servers: list[IpAddress] = Field(min_length=1)
    auth_key_id: StrictInt = Field(ge=1, le=65535)
    auth_key: SecretRef
    # One algorithm for the whole city, read by every platform's template: only what both families offer.
    # FortiOS 7.2/7.4 `config system ntp` key-type is MD5|SHA1 (FortiOS CLI reference, "system ntp");
    # IOS-XE 16.x/17.x `ntp authentication-key N md5|cmac-aes-128|hmac-sha1|hmac-sha2-256` (System
    # Management Configuration Guide, Catalyst 9300/9500, "Configuring NTP Authentication").
    key_algorithm: Literal["sha1", "md5"] = "sha1"


class Syslog(Model):
    servers: list[IpAddress] = Field(min_length=1)
    level: Literal[
        "emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational"
    ]


class Dns(Model):
    servers: list[IpAddress] = Field(min_length=1)
    servers6: list[IpAddress6] = []  # announced to IPv6 clients in router advertisements (RDNSS, RFC 8106)


class Snmp(Model):
    user: Identifier
    group: Identifier
    auth_key: SecretRef
    priv_key: SecretRef
    trap_hosts: list[IpAddress] = []


class Services(Model):
    ntp: Ntp
    syslog: Syslog
    dns: Dns
    snmp: Snmp


class AaaServer(Model):
    name: Identifier
    address: IpAddress


class BreakGlass(Model):
    username: Identifier
    secret: SecretRef  # IOS-XE type 9 hash
    fortios_secret: SecretRef  # FortiOS `ENC` hash: each platform hashes its own way, never clear text


class Aaa(Model):
    tacacs: list[AaaServer] = Field(min_length=1)
    tacacs_key: SecretRef
    radius: list[AaaServer] = Field(min_length=1)
    radius_key: SecretRef
    break_glass: BreakGlass


class PasswordPolicy(Model):
    min_length: StrictInt = Field(ge=8, le=64)
    max_failed_logins: StrictInt = Field(ge=1, le=20)
    lockout_minutes: StrictInt = Field(ge=1, le=1440)
    # failures counted over this window (IOS-XE `login block-for ... within`); shorter lets a guesser pace
    failed_login_window_seconds: StrictInt = Field(default=120, ge=30, le=3600)


class AntiMalware(Model):
    """LEVEL2 item 27 (§4.10.2.1–2): a scanner on the servers, or the city's documented decision not to run
    one and why. Neither given is a finding on every server (L2-SRV-02), never a silent pass."""

    # Debian packages whose daemon counts as the scanner (unit of the same name, active), e.g. clamav-daemon
    scanners: list[Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9+.-]+$")]] = []
    # the decision record when no scanner runs: reason, decided by whom and where it is filed
    absence: Annotated[StrictStr, Field(min_length=40, max_length=1000)] | None = None


class ServerPolicy(Model):
    """What the level-2 server rules and roles/server_baseline take from the baseline beyond passwords."""

    # LEVEL2 item 27 (§4.6.2.3): inactive accounts disabled after 45 days (shadow's inactive field)
    inactive_account_days: StrictInt = Field(default=45, ge=1, le=365)
    anti_malware: AntiMalware = AntiMalware()


# The registry's names (wardnet/platforms/): a new platform is accepted once it is registered there.
if TYPE_CHECKING:
    Platform = str
else:
    Platform = Literal[PLATFORM_NAMES]
Role = Literal["firewall", "core", "access"]
# The roles each platform's template set renders (the platform class says): a switch template cannot make
# a firewall.
PLATFORM_ROLES: dict[str, tuple[str, ...]] = {name: p.roles for name, p in PLATFORMS.items()}


def platforms_for(role: str) -> list[str]:
    return [name for name, roles in PLATFORM_ROLES.items() if role in roles]


class Platforms(Model):
    firewall: Platform
    core: Platform
    access: Platform

    @field_validator("firewall", "core", "access")
    @classmethod
    def _platform_plays_role(cls, value: str, info: ValidationInfo) -> str:
        role = str(info.field_name)
        if role not in PLATFORM_ROLES[value]:
            raise rule_error(
                f"platform {value} cannot be a {role} (it renders {' and '.join(PLATFORM_ROLES[value])})",
                f"use one of {', '.join(platforms_for(role))}",
            )
        return value


# Interface name patterns: only {member} and {port} placeholders, no other braces (they are .format()ed).
InterfacePattern = Annotated[StrictStr, Field(pattern=r"^([A-Za-z0-9/._-]|\{member\}|\{port\})+$")]


class WhiteboxTwin(Model):
    """How a site is realised on white-box hardware (the lab): one frr model per role, no stacking or HA."""

    platform: Platform
    models: dict[Role, Identifier]

    @field_validator("platform")
    @classmethod
    def _platform_plays_every_role(cls, value: str) -> str:
        if set(PLATFORM_ROLES[value]) != {"firewall", "core", "access"}:
            raise rule_error(
                f"platform {value} cannot play every role of a twin",
                f"use one of {', '.join(p for p, r in PLATFORM_ROLES.items() if len(r) == 3)}",
            )
        return value

    @model_validator(mode="after")
    def _every_role(self) -> WhiteboxTwin:
        missing = sorted({"firewall", "core", "access"} - set(self.models))
        if missing:
            raise ValueError(f"models needs a model for every role; missing: {', '.join(missing)}")
        return self


class PortPattern(Model):
    pattern: Annotated[InterfacePattern, Field(pattern=r"\{port\}")]
    count: StrictInt = Field(ge=1, le=96)


class Unverified(Model):
    """Taken from documentation, not yet seen on a real box: where it comes from and the exact command that
    settles it on first contact (README, "Verify on first contact with a real device")."""

    source: Annotated[StrictStr, Field(min_length=1, max_length=300)]  # documentation only, never rendered
    command: Annotated[StrictStr, Field(pattern=r"^(show|get|diagnose|config) [ -~]{1,160}$")]


class ModelFact(Unverified):
    """A per-model value the design reads by name (e.g. `vty_lines`)."""

    value: StrictStr | StrictInt | list[StrictStr]


class SourcedField(Unverified):
    """A typed field of the model (e.g. `ha_ports`) whose value is documented but unverified."""

    field: Identifier


class HardwareModel(Model):
    role: Role
    ports: PortPattern | None = None
    uplinks: list[InterfacePattern] = []
    poe_watts: StrictInt = Field(default=0, ge=0)
    lan_ports: list[Identifier] = []
    wan_ports: list[Identifier] = []
    ha_ports: list[Identifier] = []
    facts: dict[Identifier, ModelFact] = {}
    ha_mgmt_port: Identifier | None = None  # FGCP reserved management port (out of band, never synced)
    fortilink_members: list[Identifier] = []  # ports the factory `fortilink` aggregate holds
    # the `set timezone` value in this model's firmware form (a tz name, or a numeric index on older builds)
    timezone: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_/+-]{1,40}$")] | None = None
    verify: list[SourcedField] = []

    @field_validator("facts")
    @classmethod
    def _facts_typed(cls, facts: dict[str, ModelFact]) -> dict[str, ModelFact]:
        """The facts the design reads have one shape each; a typo must not fall back to a default silently."""
        for name, fact in facts.items():
            if name == "vty_lines" and fact.value not in (16, 32):
                raise ValueError(
                    f"facts.vty_lines.value must be 16 or 32 (the vty lines the box has), not {fact.value!r}"
                )
            if name == "ssh_ciphers" and not (isinstance(fact.value, list) and fact.value):
                raise ValueError("facts.ssh_ciphers.value must be a non-empty list of cipher names")
        return facts


class Sizing(Model):
    headroom: float = Field(ge=1.0, le=4.0)
    port_spare: Percent
    clients_per_ap: StrictInt = Field(ge=5, le=100)
    min_users: StrictInt = Field(ge=1)
    # Firewall sessions (../shared/SIZING.md): users x sessions_per_user, x session_headroom for the limit.
    sessions_per_user: StrictInt = Field(default=250, ge=1, le=10_000)
    session_headroom: float = Field(default=4.0, ge=1.0, le=10.0)


class Vlan(Model):
    """One VLAN of the city catalogue.

    `place` is the VLAN's fixed region inside every site block, written relative to the block (0.0.8.0/23 =
    the block's address + 8.0, at most a /23). A static VLAN's subnet is its whole place; a DHCP VLAN's subnet
    starts at the place's first address and is sized from the site's users, so it only ever grows in place:
    the gateway and static hosts never move, and no other VLAN's size can move it.
    """

    id: StrictInt = Field(ge=2, le=4094)
    name: Annotated[StrictStr, Field(pattern=r"^[A-Z][A-Z0-9-]{0,30}$")]
    zone: Identifier
    purpose: FreeText
    place: IpNetwork | None = None  # None only for the parking VLAN (no addresses)
    share: Percent | None = None
    min_prefix: StrictInt | None = Field(default=None, ge=16, le=30)
    lease_minutes: StrictInt | None = Field(default=None, ge=5, le=10080)
    # How IPv6 clients get addresses: SLAAC + RDNSS works on every client (Android has no DHCPv6);
    # dhcpv6 (stateful, from the ward server's Kea) where the site has one, for address accountability.
    ipv6: Literal["slaac", "dhcpv6"] = "slaac"
    wired: bool = False
    wireless: bool = False

    @property
    def dhcp(self) -> bool:
        return self.share is not None

    @model_validator(mode="after")
    def _sized_one_way(self) -> Vlan:
        if self.share is not None and (self.min_prefix is None or self.lease_minutes is None):
            raise ValueError("a VLAN with a share needs min_prefix and lease_minutes")
        if self.share is not None and self.place is None:
            raise ValueError("a VLAN with a share needs a place (its fixed region in the site block)")
        if self.place is not None and self.min_prefix is not None and self.min_prefix < self.place.prefixlen:
            raise ValueError(
                f"min_prefix /{self.min_prefix} is larger than the place {self.place}; "
                f"use a min_prefix of /{self.place.prefixlen} or longer"
            )
        return self


ServiceSpec = Annotated[StrictStr, Field(pattern=r"^(tcp|udp)/[0-9]{1,5}$")]


class PolicyRule(Model):
    name: Identifier
    from_: list[Identifier] = Field(alias="from", min_length=1)
    to: list[Identifier] = Field(min_length=1)
    services: list[Identifier] = Field(min_length=1)


class CityCoreBgp(Model):
    """The eBGP session from each site's firewall to the city core (RFC 7454 hygiene)."""

    password: SecretRef  # TCP MD5 (RFC 2385): the only session protection FortiOS 7.2 BGP offers
    max_prefix: StrictInt = Field(ge=1, le=100000)  # more from the core means a leak: tear the session down
    bfd: bool = True
    graceful_restart: bool = True


class FirewallHa(Model):
    """FGCP cluster settings the design does not derive: the group password and member priorities."""

    password: SecretRef
    priorities: list[Annotated[StrictInt, Field(ge=0, le=255)]] = Field(min_length=2)


class ApModel(Model):
    """A FortiAP model of the hardware catalogue: its wireless-controller platform type and radio bands."""

    platform: Annotated[StrictStr, Field(pattern=r"^[A-Z0-9-]{2,16}$")]
    bands: list[Annotated[StrictStr, Field(pattern=r"^[0-9a-zA-Z.,-]{2,40}$")]] = Field(
        min_length=1, max_length=3
    )
    verify: list[SourcedField] = []


class Ssid(Model):
    """One SSID, bridged at the AP onto its VLAN (the VLAN's zone on the firewall applies as for wired)."""

    name: Identifier  # the VAP's name on the controller (wn-<name>)
    ssid: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    vlan: StrictInt = Field(ge=2, le=4094)
    # enterprise: 802.1X against the city RADIUS (dynamic VLAN from the RADIUS reply); owe: WPA3 enhanced
    # open (encrypted, no password); open-portal: open with the firewall's captive portal.
    security: Literal["enterprise", "owe", "open-portal"]
    isolation: bool = False  # intra-VAP privacy: clients of the SSID cannot reach each other
    client_kbps: StrictInt | None = Field(default=None, ge=64, le=10_000_000)  # per-client rate limit
    client_sessions: StrictInt | None = Field(default=None, ge=10, le=100_000)  # per-client session cap
    max_clients_per_ap: StrictInt = Field(default=0, ge=0, le=512)  # 0 = the AP's own limit
    schedule: Identifier | None = None  # a FortiOS schedule name; none = always


class Wifi(Model):
    ap_model: Identifier
    ssids: list[Ssid] = Field(min_length=1)


class Baseline(Model):
    city: City
    ip_plan: IpPlan
    remote_zones: dict[Identifier, RemoteZone]
    management: Management
    services: Services
    aaa: Aaa
    password_policy: PasswordPolicy
    server_policy: ServerPolicy = ServerPolicy()
    banner: list[FreeText] = Field(min_length=1, max_length=20)
    platforms: Platforms
    models: dict[Identifier, HardwareModel]
    whitebox_twin: WhiteboxTwin
    sizing: Sizing
    vlans: list[Vlan] = Field(min_length=1)
    services_catalogue: dict[Identifier, list[ServiceSpec]]
    policy: list[PolicyRule]
    city_core_bgp: CityCoreBgp
    firewall_ha: FirewallHa
    ap_models: dict[Identifier, ApModel]
    wifi: Wifi

    def vlan(self, vlan_id: int) -> Vlan:
        return next(v for v in self.vlans if v.id == vlan_id)

    @property
    def parking_vlan(self) -> Vlan:
        """The one VLAN without a place: unused ports, shut down."""
        return next(v for v in self.vlans if v.place is None)


# A device's identity in its site: hostname, management address and uplink ports derive from it, never from
# its position in the list, so removing acc2 leaves acc3 exactly as it was.
DEVICE_NAME_BY_ROLE = {"firewall": r"fw", "core": r"core", "access": r"acc[1-9][0-9]?"}
MAX_ACCESS_SWITCHES = 48  # acc1..acc48: management hosts .11-.58 of the /26 (site.FIRST_ACCESS_HOST)


class DeviceSpec(Model):
    name: Annotated[StrictStr, Field(pattern=r"^(fw|core|acc[1-9][0-9]?)$")]
    role: Role
    model: Identifier
    members: StrictInt = Field(default=1, ge=1, le=8)
    serial: Annotated[StrictStr, Field(pattern=r"^[A-Z0-9-]{4,32}$")] | None = None

    @model_validator(mode="after")
    def _name_fits_role(self) -> DeviceSpec:
        if not re.fullmatch(DEVICE_NAME_BY_ROLE[self.role], self.name):
            expected = {"firewall": "fw", "core": "core", "access": "acc1 ... acc48"}[self.role]
            raise ValueError(f"a {self.role} is named {expected}, not '{self.name}'")
        if self.role == "access" and self.number > MAX_ACCESS_SWITCHES:
            raise ValueError(f"access switches are numbered acc1 to acc{MAX_ACCESS_SWITCHES}")
        return self

    @property
    def number(self) -> int:
        """The N of accN (1 for fw and core)."""
        digits = self.name.lstrip("abcdefghijklmnopqrstuvwxyz")
        return int(digits) if digits else 1


ServerService = Literal["dhcp_dns"]


class ServerSpec(Model):
    """A server of the site (roles/server_baseline; plus roles/ward_dhcp_dns with service dhcp_dns)."""

    name: Annotated[StrictStr, Field(pattern=r"^srv[0-9]{1,2}$")]  # hostname hcm-<code>-<name>
    services: list[ServerService] = Field(default_factory=list)


SiteType = Literal["ward", "commune", "special_zone", "center"]

# The largest site the city IP plan holds: STAFF and STAFF-WIFI grow in place up to their /23 places
# (501 pool addresses >= 2.0 headroom x 20 % of 1,250 users). tests/unit/test_plan_stable.py recomputes it.
MAX_CONCURRENT_USERS = 1250


class Site(Model):
    """One site file: only what cannot be derived."""

    code: UnitCode
    name: FreeText
    type: SiteType
    concurrent_users: StrictInt = Field(ge=1, le=MAX_CONCURRENT_USERS)
    devices: list[DeviceSpec] = Field(min_length=1)
    servers: list[ServerSpec] = Field(default_factory=list, max_length=16)
    platforms: Platforms | None = None  # a white-box site sets e.g. all three to frr

    @property
    def slug(self) -> str:
        return slugify(self.name)


@lru_cache(maxsize=4096)  # pure; design names each of a site's devices by it
def slugify(text: str) -> str:
    """Vietnamese name → ASCII slug (Bến Thành → ben-thanh); not unique on its own: pair it with the code."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
