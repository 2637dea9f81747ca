"""The technician's configuration: one TOML format in layers, one readable line per error.

Layers, later wins, tables merged key by key: built-in defaults < /etc/stele/stele.toml <
/boot/firmware/stele.toml (edited on the SD card, maybe by Notepad: BOM and CRLF tolerated) <
`--config PATH` or $STELE_CONFIG. Each merged key remembers the file it came from, so a bad
value is reported against the file a technician has to open.
"""

import copy
import difflib
import enum
import inspect
import os
import re
import shlex
import tomllib
import typing
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
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
    ValidationError,
    ValidationInfo,
    field_validator,
)

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
        if not value or "+" in value or "#" in value or "\x00" in value:
            raise ValueError('expected a topic prefix without "+" or "#", e.g. "stele/v1"')
        if value.startswith("/") or value.endswith("/") or "//" in value:
            raise ValueError('expected no leading, trailing or double "/", e.g. "stele/v1"')
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
    city: str = "Stadt Solingen"
    rotation_s: Float = Field(default=12.0, gt=0.0, le=3600.0)

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


class LogConfig(BaseModel):
    model_config = _FROZEN
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Config(BaseModel):
    model_config = _FROZEN
    device: DeviceConfig
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    power: PowerConfig = Field(default_factory=PowerConfig)
    log: LogConfig = Field(default_factory=LogConfig)

    @property
    def mqtt_client_id(self) -> str:
        return self.mqtt.client_id or f"stele-{self.device.id}"


# ---------------------------------------------------------------------------------------------
# Loading: read each layer, merge with provenance, validate, explain.

Origin = dict[tuple[Any, ...], str]  # key path (list items by index) -> file


def config_sources(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    system_paths: Sequence[Path] = SYSTEM_CONFIG_PATHS,
) -> list[Path]:
    """The files load_config reads, lowest priority first (an explicit file even if missing)."""
    explicit = _explicit_path(path, os.environ if env is None else env)
    found = [p for p in system_paths if _present(p) and not _same_file(p, explicit)]
    return [*found, explicit] if explicit is not None else found


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    system_paths: Sequence[Path] = SYSTEM_CONFIG_PATHS,
) -> Config:
    """Merge the layers and validate; raise ConfigLoadError listing every problem found."""
    errors: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    for source in config_sources(path, env=env, system_paths=system_paths):
        data = _read_layer(source, errors)
        if data is not None:
            layers.append((str(source), data))
    if errors:  # merging around an unreadable layer would only add misleading errors
        raise ConfigLoadError(errors)
    merged: dict[str, Any] = {}
    origin: Origin = {}
    for label, data in layers:
        _merge(merged, data, label, (), origin)
    merged.setdefault("device", {})  # so each missing device key is named, not just [device]
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        last = layers[-1][0] if layers else "configuration"
        lines = [_explain(err, merged, origin, last) for err in exc.errors() if not _echo(err)]
        raise ConfigLoadError(lines) from None


def _echo(err: Mapping[str, Any]) -> bool:
    """A list reported too short only because its bad items were dropped (reported already)."""
    given = err.get("input")
    return (
        err["type"] == "too_short"
        and isinstance(given, list)
        and (len(given) >= err["ctx"]["min_length"])
    )


def _explicit_path(path: Path | None, env: Mapping[str, str]) -> Path | None:
    if path is not None:
        return Path(path)
    named = env.get(ENV_VAR, "").strip()
    return Path(named) if named else None


def _present(path: Path) -> bool:
    # A system file that cannot even be looked at is still reported, not skipped.
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _same_file(a: Path, b: Path | None) -> bool:
    try:
        return b is not None and a.resolve() == b.resolve()
    except OSError:
        return False


def _read_layer(path: Path, errors: list[str]) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(f"{path}: file not found")
        return None
    except IsADirectoryError:
        errors.append(f"{path}: is a directory, expected a TOML file")
        return None
    except OSError as exc:
        errors.append(f"{path}: cannot read the file: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8-sig")  # editors on the FAT partition may add a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        errors.append(f"{path}: line {line}: not UTF-8 text: save the file with UTF-8 encoding")
        return None
    try:
        return tomllib.loads(text)  # CRLF is valid TOML: tomllib reads it as is
    except tomllib.TOMLDecodeError as exc:
        errors.append(_toml_error(path, str(exc)))
        return None


def _toml_error(path: Path, message: str) -> str:
    if m := re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.S):
        return f"{path}: line {m[2]}: invalid TOML: {m[1]} (column {m[3]})"
    if m := re.fullmatch(r"(.*) \(at end of document\)", message, re.S):
        return f"{path}: end of file: invalid TOML: {m[1]}"
    return f"{path}: invalid TOML: {message}"


def _merge(
    into: dict[str, Any],
    layer: Mapping[str, Any],
    label: str,
    prefix: tuple[str, ...],
    origin: Origin,
) -> None:
    for key, value in layer.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            origin[path] = label
            _merge(into[key], value, label, path, origin)
            continue
        # A replaced value takes its whole subtree with it, provenance included.
        for stale in [p for p in origin if p[: len(path)] == path]:
            del origin[stale]
        into[key] = copy.deepcopy(value)
        _mark(path, value, label, origin)


def _mark(path: tuple[Any, ...], value: Any, label: str, origin: Origin) -> None:
    origin[path] = label
    items = (
        value.items()
        if isinstance(value, dict)
        else (enumerate(value) if isinstance(value, list) else ())
    )
    for key, item in items:
        _mark((*path, key), item, label, origin)


def _explain(err: Mapping[str, Any], data: Mapping[str, Any], origin: Origin, last: str) -> str:
    loc = tuple(err["loc"])
    key = _dotted(loc)
    found, value = _lookup(data, loc)
    source = last
    if found:
        source = next((origin[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origin), last)
    kind = err["type"]
    if kind == "extra_forbidden":
        if isinstance(value, dict):
            return f"{source}: [{key}] — unknown section{_suggest(loc, section=True)}"
        return f"{source}: {key} = {_shown(loc, value)} — unknown key{_suggest(loc)}"
    if kind == "missing":
        return f"{source}: {key} — required key missing; {_expectation(err, loc, None)}"
    shown = f"{key} = {_shown(loc, value)}" if found else key
    return f"{source}: {shown} — {_expectation(err, loc, value)}"


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _lookup(data: Any, loc: tuple[Any, ...]) -> tuple[bool, Any]:
    for part in loc:
        if isinstance(data, dict):
            ok = isinstance(part, str) and part in data
        else:
            ok = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not ok:
            return False, None
        data = data[part]
    return True, data


def _shown(loc: tuple[Any, ...], value: Any) -> str:
    if loc == ("mqtt", "password"):
        return MASK
    text = _toml_value(value)
    return text if len(text) <= 200 else text[:199] + "…"  # one line, even for a pasted blob


_TIME = 'expected a time "HH:MM" from "00:00" to "23:59", e.g. "07:30"'
# Where a type-derived phrase would not tell a technician enough.
_EXPECT = {
    "device.id": 'expected 1 to 64 characters from a-z, 0-9 and "-" (lower case; it is part of'
    ' MQTT topics), e.g. "solingen-hbf-1"',
    "device.ars": 'expected 12 digits (Amtlicher Regionalschluessel), e.g. "051220000000"',
    "device.warncells": 'expected a list of DWD warn cell IDs, e.g. ["805122000"]',
    "device.warncells[*]": 'expected 9 digits (DWD warn cell ID), e.g. "805122000"',
    "device.languages": 'expected a non-empty list of language tags, e.g. ["de", "en"]',
    "device.languages[*]": 'expected a language tag such as "de", "en", "tr", "ar" or "de-DE"',
    "power.schedule": "expected [[power.schedule]] tables, each with days, on and off",
    "power.schedule[*].days": 'expected a non-empty list of days, e.g. ["mon", "tue", "wed"]',
}


def _expectation(err: Mapping[str, Any], loc: tuple[Any, ...], value: Any) -> str:
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    pattern = re.sub(r"\[\d+\]", "[*]", _dotted(loc))
    if pattern in _EXPECT:
        return _EXPECT[pattern]
    tp, meta = _resolve(loc)
    choices: tuple[Any, ...] = ()
    if typing.get_origin(tp) is Literal:
        choices = typing.get_args(tp)
    elif inspect.isclass(tp) and issubclass(tp, enum.Enum):
        choices = tuple(member.value for member in tp)
    if choices:
        return "expected one of " + ", ".join(_toml_value(c) for c in choices)
    unquote = " (without quotes)" if isinstance(value, str) else ""
    if tp is bool:
        return f"expected true or false{unquote}"
    if tp in (int, float):
        return _number_phrase(tp, meta) + unquote
    if tp is time:
        return _TIME
    if tp is Path:
        return 'expected a path in quotes, e.g. "/var/lib/stele"'
    if tp in (str, SecretStr):
        return (
            "expected non-empty text in quotes"
            if err["type"] == "string_too_short"
            else ("expected text in quotes")
        )
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        return f"expected a table ([{_dotted(loc)}] section)"
    if typing.get_origin(tp) is tuple:
        return "expected a list in square brackets, e.g. [1, 2]"
    return f"expected: {err['msg']}"


def _number_phrase(tp: type, meta: list[Any]) -> str:
    kind = "a whole number" if tp is int else "a number"
    bounds = {
        type(m).__name__: getattr(m, type(m).__name__.lower())
        for m in meta
        if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")
    }
    low = (
        f"from {_num(bounds['Ge'])}"
        if "Ge" in bounds
        else (f"greater than {_num(bounds['Gt'])}" if "Gt" in bounds else "")
    )
    high = f"{_num(bounds['Le'])}" if "Le" in bounds else ""
    if low.startswith("from") and high:
        return f"expected {kind} {low} to {high}"
    parts = [p for p in (low, f"at most {high}" if high else "") if p]
    return " ".join(["expected", kind, " and ".join(parts)]).rstrip()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip Optional and Annotated layers, collecting constraint metadata on the way."""
    meta: list[Any] = []
    while True:
        args = typing.get_args(tp)
        if typing.get_origin(tp) is Annotated:
            for extra in tp.__metadata__:
                meta.extend(getattr(extra, "metadata", [extra]))
            tp = args[0]
        elif typing.get_origin(tp) in (typing.Union, type(int | None)) and type(None) in args:
            tp = next(a for a in args if a is not type(None))
        else:
            return tp, meta


def _resolve(loc: tuple[Any, ...]) -> tuple[Any, list[Any]]:
    """The declared type at a validation location, and its constraints."""
    tp: Any = Config
    meta: list[Any] = []
    for part in loc:
        tp, _ = _unwrap(tp)
        if isinstance(part, str):
            if not (inspect.isclass(tp) and issubclass(tp, BaseModel)):
                return None, []
            if part not in tp.model_fields:
                return None, []
            info = tp.model_fields[part]
            tp, meta = info.annotation, list(info.metadata)
        else:
            args = typing.get_args(tp)
            if typing.get_origin(tp) is not tuple or not args:
                return None, []
            tp, meta = args[0], []
    base, more = _unwrap(tp)
    return base, meta + more


def _suggest(loc: tuple[Any, ...], *, section: bool = False) -> str:
    parent, _ = _resolve(loc[:-1])
    if not (inspect.isclass(parent) and issubclass(parent, BaseModel)):
        return ""
    names = list(parent.model_fields)
    lowered = {n.lower(): n for n in names}
    wrong = str(loc[-1])
    best = lowered.get(wrong.lower()) or next(
        iter(difflib.get_close_matches(wrong, names, n=1, cutoff=0.6)), None
    )
    if not best:
        return ""
    name = _dotted((*loc[:-1], best))
    return f" (did you mean [{name}]?)" if section else f" (did you mean {name}?)"


# ---------------------------------------------------------------------------------------------
# Rendering: the effective configuration as TOML (tomllib only reads, so a tiny emitter here).

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def render_config(cfg: Config, *, reveal_secrets: bool = False) -> str:
    """TOML text that load_config reads back to `cfg`; the password is masked unless revealed."""
    out = ["# stele: effective configuration" + ("" if reveal_secrets else " (secrets masked)")]
    _emit_table(out, (), _plain(cfg, reveal_secrets))
    return "\n".join(out) + "\n"


def _plain(value: Any, reveal: bool) -> Any:
    """Models to dicts of TOML-ready values; None means "not set" and is left out."""
    if isinstance(value, BaseModel):
        fields = ((name, getattr(value, name)) for name in type(value).model_fields)
        return {name: _plain(v, reveal) for name, v in fields if v is not None}
    if isinstance(value, SecretStr):
        return value.get_secret_value() if reveal else MASK
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v, reveal) for v in value]
    return value


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit_table(out: list[str], path: tuple[str, ...], table: Mapping[str, Any]) -> None:
    for key, value in table.items():
        if not isinstance(value, dict) and not _is_table_array(value):
            out.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        header = ".".join(_toml_key(k) for k in (*path, key))
        if isinstance(value, dict):
            out.extend(("", f"[{header}]"))
            _emit_table(out, (*path, key), value)
        elif _is_table_array(value):
            for item in value:
                out.extend(("", f"[[{header}]]"))
                _emit_table(out, (*path, key), item)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        body = "".join(
            _ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
            for c in value
        )
        return f'"{body}"'
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, Path | enum.Enum):
        return _toml_value(str(value.value if isinstance(value, enum.Enum) else value))
    raise TypeError(f"no TOML form for {type(value).__name__}")
