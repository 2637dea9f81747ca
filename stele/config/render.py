"""The effective configuration as TOML (tomllib only reads, so a tiny emitter here)."""

import enum
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    SecretStr,
)

from stele.config.models import MASK, Config

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
