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
import tomllib
import typing
from collections.abc import Mapping, Sequence
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    SecretStr,
    ValidationError,
)

from stele.config.models import (
    ENV_VAR,
    MASK,
    SYSTEM_CONFIG_PATHS,
    Config,
    ConfigLoadError,
)
from stele.config.render import _toml_value

# ---------------------------------------------------------------------------------------------
# Loading: read each layer, merge with provenance, validate, explain.

Origin = dict[tuple[Any, ...], str]  # key path (list items by index) -> file


def config_sources(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    system_paths: Sequence[Path] = SYSTEM_CONFIG_PATHS,
    env_var: str = ENV_VAR,
) -> list[Path]:
    """The files load_config reads, lowest priority first (an explicit file even if missing)."""
    explicit = _explicit_path(path, os.environ if env is None else env, env_var)
    found = [p for p in system_paths if _present(p) and not _same_file(p, explicit)]
    return [*found, explicit] if explicit is not None else found


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    system_paths: Sequence[Path] = SYSTEM_CONFIG_PATHS,
) -> Config:
    """Merge the layers and validate; raise ConfigLoadError listing every problem found."""
    return load_model(Config, path, env=env, system_paths=system_paths, sections=("device",))


M = typing.TypeVar("M", bound=BaseModel)


def load_model(
    model: type[M],
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    system_paths: Sequence[Path] = SYSTEM_CONFIG_PATHS,
    sections: Sequence[str] = (),
    env_var: str = ENV_VAR,
) -> M:
    """load_config for any configuration model (the bridge's has no [device]): the same
    layers and the same one-line-per-problem errors. `sections` are required tables, so
    each of their missing keys is named rather than only the table."""
    errors: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    for source in config_sources(path, env=env, system_paths=system_paths, env_var=env_var):
        data = _read_layer(source, errors)
        if data is not None:
            layers.append((str(source), data))
    if errors:  # merging around an unreadable layer would only add misleading errors
        raise ConfigLoadError(errors)
    merged: dict[str, Any] = {}
    origin: Origin = {}
    for label, data in layers:
        _merge(merged, data, label, (), origin)
    for section in sections:
        merged.setdefault(section, {})  # so each missing key is named, not just the table
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        last = layers[-1][0] if layers else "configuration"
        lines = [
            _explain(err, merged, origin, last, model) for err in exc.errors() if not _echo(err)
        ]
        raise ConfigLoadError(lines) from None


def _echo(err: Mapping[str, Any]) -> bool:
    """A list reported too short only because its bad items were dropped (reported already)."""
    given = err.get("input")
    return (
        err["type"] == "too_short"
        and isinstance(given, list)
        and (len(given) >= err["ctx"]["min_length"])
    )


def _explicit_path(path: Path | None, env: Mapping[str, str], env_var: str) -> Path | None:
    if path is not None:
        return Path(path)
    named = env.get(env_var, "").strip()
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


def _explain(
    err: Mapping[str, Any],
    data: Mapping[str, Any],
    origin: Origin,
    last: str,
    root: type[BaseModel] = Config,
) -> str:
    """One line for one validation error: file, key, value, what was expected. `root` is
    the model validated (the configuration, a theme pack: stele/config/theme.py, or the
    bridge's configuration)."""
    loc = tuple(err["loc"])
    key = _dotted(loc)
    found, value = _lookup(data, loc)
    source = last
    if found:
        source = next((origin[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origin), last)
    kind = err["type"]
    if kind == "extra_forbidden":
        if isinstance(value, dict):
            return f"{source}: [{key}] — unknown section{_suggest(loc, root, section=True)}"
        return f"{source}: {key} = {_shown(loc, value)} — unknown key{_suggest(loc, root)}"
    if kind == "missing":
        return f"{source}: {key} — required key missing; {_expectation(err, loc, None, root)}"
    shown = f"{key} = {_shown(loc, value)}" if found else key
    return f"{source}: {shown} — {_expectation(err, loc, value, root)}"


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
    if loc in _SECRETS:
        return MASK
    text = _toml_value(value)
    return text if len(text) <= 200 else text[:199] + "…"  # one line, even for a pasted blob


_SECRETS = {("mqtt", "password"), ("osca", "js_key"), ("osca", "password")}
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
    "device.tags": 'expected a list of short names, e.g. ["innenstadt", "bahnhof"]',
    "device.tags[*]": 'expected a short name: a-z, 0-9, "-" and "_", up to 32 characters,'
    ' e.g. "innenstadt"',
    "display.theme": 'expected a theme name (a-z, 0-9, "-", "_"), e.g. "neutral", or an absolute'
    " path to a theme folder",
    "osca.server_url": 'expected the Parse API base with its mount path, e.g.'
    ' "https://osca.example.de/parse"',
    "power.schedule": "expected [[power.schedule]] tables, each with days, on and off",
    "bridge.ars": 'expected a list of 12-digit municipality keys, e.g. ["051220000000"]',
    "bridge.ars[*]": 'expected 12 digits (Amtlicher Regionalschluessel), e.g. "051220000000"',
    "bridge.warncells": 'expected a list of DWD warn cell IDs, e.g. ["805122000"]',
    "bridge.warncells[*]": 'expected 9 digits (DWD warn cell ID), e.g. "805122000"',
    "power.schedule[*].days": 'expected a non-empty list of days, e.g. ["mon", "tue", "wed"]',
}


def _expectation(
    err: Mapping[str, Any], loc: tuple[Any, ...], value: Any, root: type[BaseModel] = Config
) -> str:
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    pattern = re.sub(r"\[\d+\]", "[*]", _dotted(loc))
    # Keys are dotted from their table, so the stele's, the bridge's and a theme's never meet.
    if pattern in _EXPECT:
        return _EXPECT[pattern]
    tp, meta = _resolve(loc, root)
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


def _resolve(loc: tuple[Any, ...], root: type[BaseModel] = Config) -> tuple[Any, list[Any]]:
    """The declared type at a validation location, and its constraints."""
    tp: Any = root
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


def _suggest(loc: tuple[Any, ...], root: type[BaseModel] = Config, *, section: bool = False) -> str:
    parent, _ = _resolve(loc[:-1], root)
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
