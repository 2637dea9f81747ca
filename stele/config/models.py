"""Configuration models: every key a technician may set, with its type, default and check."""

import base64
import binascii
import os
import re
import shlex
import typing
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    Strict,
    ValidationInfo,
    field_validator,
)

from stele.domain.manifest import TAG_PATTERN
from stele.domain.model import Layout, Severity
from stele.errors import ConfigError

SYSTEM_CONFIG_PATHS: tuple[Path, ...] = (
    Path("/etc/stele/stele.toml"),
    Path("/boot/firmware/stele.toml"),
)
ENV_VAR = "STELE_CONFIG"
MASK = "********"

# TOML has real types; strict scalars stop `fullscreen = 1` or `latitude = true` passing silently.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FROZEN = ConfigDict(frozen=True, extra="forbid")
# A topic prefix every supported broker carries unchanged (docs/brokers.md).
_TOPIC_PREFIX = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")


class ConfigLoadError(ConfigError):
    """Every problem found in the configuration files, one readable line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _readable_file(path: Path) -> Path:
    if not path.is_absolute():
        raise ValueError('expected an absolute path to a file, e.g. "/etc/stele/tls/ca.pem"')
    if not path.exists():
        raise ValueError("file not found")
    if not path.is_file():
        raise ValueError("expected a file, found a directory or device")
    if not os.access(path, os.R_OK):
        raise ValueError("file exists but cannot be read (check its permissions)")
    return path


def _absolute_dir(path: Path) -> Path:
    if not path.is_absolute():
        raise ValueError('expected an absolute directory path, e.g. "/var/lib/stele"')
    return path


def _hh_mm(value: Any) -> time:
    # TOML's own local time (07:00:00) is accepted too, as long as it is whole minutes.
    if isinstance(value, time) and not value.second and not value.microsecond:
        return value.replace(tzinfo=None)
    if isinstance(value, str) and (m := re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value)):
        return time(int(m[1]), int(m[2]))
    raise ValueError('expected a time "HH:MM" from "00:00" to "23:59", e.g. "07:30"')


ReadableFile = Annotated[Path, AfterValidator(_readable_file)]
HhMm = Annotated[time, BeforeValidator(_hh_mm)]


class DeviceConfig(BaseModel):
    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    ars: str = Field(pattern=r"^[0-9]{12}$")
    latitude: Float = Field(ge=-90.0, le=90.0)
    longitude: Float = Field(ge=-180.0, le=180.0)
    warncells: tuple[Annotated[str, Field(pattern=r"^[0-9]{9}$")], ...] = ()
    languages: tuple[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")], ...] = (
        Field(default=("de", "en"), min_length=1)
    )
    name: str = ""
    timezone: str = "Europe/Berlin"
    # Content manifests target items at steles by these (docs/content.md).
    tags: tuple[Annotated[str, Field(pattern=TAG_PATTERN)], ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError, OSError):
            raise ValueError('expected an IANA time zone name, e.g. "Europe/Berlin"') from None
        return value


class TlsConfig(BaseModel):
    model_config = _FROZEN
    ca_file: ReadableFile | None = None
    cert_file: ReadableFile | None = None
    key_file: ReadableFile | None = Field(default=None, validate_default=True)
    insecure: Bool = False

    @field_validator("key_file")
    @classmethod
    def _pair(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if "cert_file" not in info.data:  # cert_file itself is broken: reported already
            return value
        if info.data["cert_file"] is not None and value is None:
            raise ValueError("required when mqtt.tls.cert_file is set (certificate and its key)")
        if info.data["cert_file"] is None and value is not None:
            raise ValueError("given without mqtt.tls.cert_file: set both or neither")
        return value


class MqttConfig(BaseModel):
    model_config = _FROZEN
    host: str = Field(default="localhost", min_length=1)
    port: Int = Field(default=1883, ge=1, le=65535)
    prefix: str = "stele/v1"
    client_id: Annotated[str, Field(min_length=1)] | None = None
    username: str | None = None
    password: SecretStr | None = None
    keepalive_s: Int = Field(default=30, ge=1, le=65535)
    session_expiry_s: Int = Field(default=604800, ge=0, le=4294967295)
    protocol: Literal["auto", "5", "3.1.1"] = "auto"
    reconnect_min_s: Float = Field(default=1.0, gt=0.0, le=3600.0)
    reconnect_max_s: Float = Field(default=60.0, gt=0.0, le=86400.0)
    max_payload_bytes: Int = Field(default=2097152, ge=1024, le=268435455)
    tls: TlsConfig | None = None

    @field_validator("prefix")
    @classmethod
    def _topic_prefix(cls, value: str) -> str:
        # Only what Mosquitto, NATS and RabbitMQ all carry unchanged: NATS and RabbitMQ map
        # "/" to "." internally, so a "." in a level becomes a level boundary there (or is
        # refused); "+", "#", "$" at the start and empty levels mean something else to a broker.
        if not _TOPIC_PREFIX.fullmatch(value):
            raise ValueError(
                'expected topic levels of letters, digits, "_" and "-" joined by "/", '
                'e.g. "stele/v1" (other characters are rewritten or refused by some brokers)'
            )
        return value

    @field_validator("protocol", mode="before")
    @classmethod
    def _bare_five(cls, value: Any) -> Any:
        return "5" if value == 5 and not isinstance(value, bool) else value  # protocol = 5

    @field_validator("reconnect_max_s")
    @classmethod
    def _max_not_below_min(cls, value: float, info: ValidationInfo) -> float:
        low = info.data.get("reconnect_min_s")
        if low is not None and value < low:
            raise ValueError(f"expected a number of seconds >= mqtt.reconnect_min_s ({low:g})")
        return value


class StorageConfig(BaseModel):
    model_config = _FROZEN
    dir: Annotated[Path, AfterValidator(_absolute_dir)] = Path("/var/lib/stele")


class LayoutBySeverity(BaseModel):
    """Layout per CAP severity; a partial table in a file keeps the defaults for the rest."""

    model_config = _FROZEN
    Extreme: Layout = Layout.TAKEOVER
    Severe: Layout = Layout.TAKEOVER
    Moderate: Layout = Layout.BANNER
    Minor: Layout = Layout.LOOP
    Unknown: Layout = Layout.LOOP

    def __getitem__(self, severity: Severity | str) -> Layout:
        return typing.cast(Layout, getattr(self, Severity(severity).value))


class AlertsConfig(BaseModel):
    model_config = _FROZEN
    all_clear_minutes: Float = Field(default=10.0, ge=0.0, le=1440.0)
    layout: LayoutBySeverity = Field(default_factory=LayoutBySeverity)
    recheck_s: Float = Field(default=5.0, ge=1.0, le=5.0)


class DisplayConfig(BaseModel):
    model_config = _FROZEN
    orientation: Literal["portrait", "landscape"] = "portrait"
    width: Annotated[Int, Field(ge=1, le=16384)] | None = None
    height: Annotated[Int, Field(ge=1, le=16384)] | None = None
    fullscreen: Bool = True
    # The theme pack (stele/config/themes.py): a name, looked up in /etc/stele/themes/ and
    # then among the built-in ones, or an absolute path to a pack's folder.
    theme: str = Field(default="neutral", pattern=r"^([a-z0-9][a-z0-9_-]{0,63}|/.+)$")
    # Not set: the theme's city and logo (and "Stadt Solingen" where the theme has none).
    city: Annotated[str, Field(min_length=1)] | None = None
    logo: ReadableFile | None = None
    rotation_s: Float = Field(default=12.0, gt=0.0, le=3600.0)
    # Visible diagonal of the panel in inches: letter sizes are set in millimetres from it.
    diagonal_inch: Float = Field(default=55.0, ge=7.0, le=200.0)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels: the orientation's full HD size unless overridden."""
        w, h = (1080, 1920) if self.orientation == "portrait" else (1920, 1080)
        return (self.width or w, self.height or h)


class ScheduleWindow(BaseModel):
    """The screen is on from `on` to `off` on `days`; off < on runs past midnight."""

    model_config = _FROZEN
    days: tuple[Weekday, ...] = Field(default=_ALL_DAYS, min_length=1)
    on: HhMm
    off: HhMm

    @field_validator("off")
    @classmethod
    def _not_empty(cls, value: time, info: ValidationInfo) -> time:
        if info.data.get("on") == value:
            raise ValueError("expected a time different from `on` (the window would be empty)")
        return value


class PowerConfig(BaseModel):
    model_config = _FROZEN
    backend: Literal["none", "cec", "ddc", "command", "blank"] = "none"
    on_command: str | None = Field(default=None, validate_default=True)
    off_command: str | None = Field(default=None, validate_default=True)
    cec_device: Path = Path("/dev/cec0")
    ddc_display: Int = Field(default=1, ge=1, le=255)
    # Percent outside a takeover or banner (those always get 100); only DDC/CI can set it.
    normal_brightness: Int = Field(default=100, ge=1, le=100)
    schedule: tuple[ScheduleWindow, ...] = ()

    @field_validator("on_command", "off_command")
    @classmethod
    def _command(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            if info.data.get("backend") == "command":
                raise ValueError('required when power.backend = "command"')
            return None if value is None else value
        try:
            shlex.split(value)
        except ValueError:
            raise ValueError("expected a command line with balanced quotes") from None
        return value


def _http_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value):
        raise ValueError(
            'expected an http:// or https:// URL, e.g. "https://stadt.example/stele/manifest.json"'
        )
    return value


def _ed25519_key(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(
            "expected the base64 of a 32-byte Ed25519 public key (`stele alert key PEMFILE` "
            "prints it)"
        )
    return value


class ContentConfig(BaseModel):
    """City content (docs/content.md): the city's manifest, or the OSCA backend (docs/osca.md)."""

    model_config = _FROZEN
    source: Literal["manifest", "osca"] = "manifest"
    # Absent: this stele syncs no content (it shows its fallback screen between alerts).
    manifest_url: Annotated[str, AfterValidator(_http_url)] | None = None
    poll_s: Int = Field(default=300, ge=10, le=86400)
    cache_mb: Int = Field(default=2048, ge=1, le=1048576)
    report_s: Int = Field(default=900, ge=10, le=86400)


class SecurityConfig(BaseModel):
    """Signed alerts (docs/mqtt.md, "Signed messages"); off by default."""

    model_config = _FROZEN
    trusted_keys: tuple[Annotated[str, AfterValidator(_ed25519_key)], ...] = ()
    require_signature: Bool = False

    @field_validator("require_signature")
    @classmethod
    def _keys_needed(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not info.data.get("trusted_keys") and "trusted_keys" in info.data:
            raise ValueError("true needs at least one key in security.trusted_keys")
        return value


class LogConfig(BaseModel):
    model_config = _FROZEN
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class OscaConfig(BaseModel):
    """The Open SmartCity App backend (a Parse Server) that the Stele Configurator writes."""

    model_config = _FROZEN
    # The Parse API base including its mount path, e.g. "https://osca.example.de/parse".
    server_url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    app_id: str = Field(min_length=1)
    js_key: SecretStr
    username: str = Field(min_length=1)
    password: SecretStr
    poll_s: Float = Field(default=300.0, ge=10.0, le=86400.0)
    departures_s: Float = Field(default=30.0, ge=10.0, le=3600.0)
    screenshot_s: Float = Field(default=600.0, ge=60.0, le=86400.0)

    @field_validator("server_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class Config(BaseModel):
    model_config = _FROZEN
    device: DeviceConfig
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    power: PowerConfig = Field(default_factory=PowerConfig)
    content: ContentConfig = Field(default_factory=ContentConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    osca: OscaConfig | None = Field(default=None, validate_default=True)

    @field_validator("osca")
    @classmethod
    def _osca_when_chosen(cls, value: OscaConfig | None, info: ValidationInfo) -> Any:
        content = info.data.get("content")
        if value is None and content is not None and content.source == "osca":
            raise ValueError(
                'required when content.source = "osca": server_url, app_id, js_key, '
                "username and password"
            )
        return value

    @property
    def mqtt_client_id(self) -> str:
        return self.mqtt.client_id or f"stele-{self.device.id}"
