"""The city's content manifest (docs/content.md): strict models, one readable line per problem.

Strict on purpose: an unknown key (a typo such as "shedule") is an error, never a silently
dropped schedule, and "12" is not a number. A manifest is validated as a whole; any problem
rejects it and the previous live manifest keeps playing.

`python -m stele.content_schema` (or `./dev schema`) writes the JSON Schema generated from
these models to docs/content-manifest.schema.json; a test keeps the committed file current.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from stele.errors import SteleError

ITEM_TYPES: tuple[str, ...] = ("image", "video", "pdf", "text", "news", "events", "weather")
MEDIA_TYPES = frozenset({"image", "video", "pdf"})
LIVE_TYPES = frozenset({"news", "events", "weather"})
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DURATION_S = 10
# A short name a technician can type: shared with `[device] tags`.
TAG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"

ItemType = Literal["image", "video", "pdf", "text", "news", "events", "weather"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)


def _http_or_relative(value: str) -> str:
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", value)
    if scheme and scheme[1].lower() not in ("http", "https"):
        raise ValueError("expected an http(s) URL or a path relative to the manifest's URL")
    return value


class ManifestError(SteleError):
    """A manifest that is not valid JSON or breaks the contract; `.problems` one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Media(BaseModel):
    """A file the stele downloads, verifies and keeps by its hash."""

    model_config = _STRICT
    url: str = Field(min_length=1, max_length=2048)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)

    _url = field_validator("url")(_http_or_relative)


class Source(BaseModel):
    """A live-data source fetched by the stele itself."""

    model_config = _STRICT
    url: str = Field(min_length=1, max_length=2048)
    max_items: int = Field(default=5, ge=1, le=50)
    refresh_s: int = Field(default=900, ge=60, le=86400)

    _url = field_validator("url")(_http_or_relative)


def _minutes(text: str) -> int:
    hh, mm = text.split(":")
    return int(hh) * 60 + int(mm)


class TimeWindow(BaseModel):
    """Local time of day, `from` inclusive, `until` exclusive; until < from runs past midnight."""

    model_config = _STRICT
    from_: str = Field(alias="from", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    until: str = Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")

    @field_validator("from_", mode="before")
    @classmethod
    def _no_24(cls, value: Any) -> Any:
        if value == "24:00":
            raise ValueError('"24:00" is only allowed as "until"')
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> TimeWindow:
        if self.from_ == self.until:
            raise ValueError('"from" equals "until" (the window would be empty)')
        return self

    @property
    def start_min(self) -> int:
        """Minutes after local midnight of the start day."""
        return _minutes(self.from_)

    @property
    def end_min(self) -> int:
        """Minutes after local midnight of the start day (past 1440 when past midnight)."""
        end = _minutes(self.until)
        return end if end > self.start_min else end + 1440


class Schedule(BaseModel):
    """When an item may play; every key optional (absent = no restriction)."""

    model_config = _STRICT
    from_: AwareDatetime | None = Field(default=None, alias="from")
    until: AwareDatetime | None = None
    weekdays: tuple[Weekday, ...] | None = Field(default=None, min_length=1)
    times: tuple[TimeWindow, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError('"until" must be after "from"')
        return self

    @property
    def periodic(self) -> bool:
        """Whether weekdays or times restrict it (else only the from/until range does)."""
        return self.weekdays is not None or self.times is not None


class Targets(BaseModel):
    """Which steles play an item: ARS prefixes and/or tags (each absent = every stele)."""

    model_config = _STRICT
    ars: tuple[Annotated[str, Field(pattern=r"^[0-9]{1,12}$")], ...] | None = Field(
        default=None, min_length=1
    )
    tags: tuple[Annotated[str, Field(pattern=TAG_PATTERN)], ...] | None = Field(
        default=None, min_length=1
    )


class Item(BaseModel):
    """One slide of the rotation."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z0-9._-]{1,64}$")
    type: ItemType
    duration_s: int | None = Field(default=None, ge=3, le=600)
    media: Media | None = None
    fit: Literal["contain", "cover"] | None = None
    page: int | None = Field(default=None, ge=1)
    title: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=20000)
    qr: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=2048)
    source: Source | None = None
    priority: int = Field(default=0, ge=-1000000, le=1000000)
    schedule: Schedule | None = None
    targets: Targets | None = None

    @model_validator(mode="after")
    def _fields_fit_the_type(self) -> Item:
        problems: list[str] = []
        needs_media = self.type in MEDIA_TYPES
        if needs_media and self.media is None:
            problems.append(f'"media" is required for type "{self.type}"')
        if not needs_media and self.media is not None:
            problems.append('"media" is only for image, video and pdf')
        if self.fit is not None and self.type not in ("image", "video", "pdf"):
            problems.append('"fit" is only for image, video and pdf')
        if self.page is not None and self.type != "pdf":
            problems.append('"page" is only for pdf')
        if self.type == "text" and not (self.title or "").strip():
            problems.append('"title" is required for type "text"')
        if self.type in LIVE_TYPES and self.source is None:
            problems.append(f'"source" is required for type "{self.type}"')
        if self.type not in LIVE_TYPES and self.source is not None:
            problems.append('"source" is only for news, events and weather')
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def duration(self) -> int | None:
        """Seconds on screen: the given value, else 10; None for a video (its own length)."""
        if self.duration_s is not None:
            return self.duration_s
        return None if self.type == "video" else DEFAULT_DURATION_S

    @property
    def page_number(self) -> int:
        return self.page or 1

    @property
    def fit_mode(self) -> str:
        return self.fit or "contain"


class Manifest(BaseModel):
    """A city's whole content for its steles."""

    model_config = _STRICT
    version: str = Field(min_length=1, max_length=200)
    items: tuple[Item, ...] = Field(max_length=10000)

    @property
    def live_items(self) -> tuple[Item, ...]:
        """The news, events and weather items: each has its `source` (checked by Item)."""
        return tuple(item for item in self.items if item.source is not None)

    @model_validator(mode="after")
    def _unique_ids(self) -> Manifest:
        seen: dict[str, int] = {}
        problems = []
        for i, item in enumerate(self.items):
            if item.id in seen:
                problems.append(f'items[{i}].id: "{item.id}" repeats items[{seen[item.id]}].id')
            seen.setdefault(item.id, i)
        if problems:
            raise ManifestError(problems)
        return self


# --- parsing and problem lines -------------------------------------------------------------

_EXPECT = {
    "id": 'expected 1-64 characters from a-z, 0-9, "-", "_" and "."',
    "sha256": "expected 64 lower-case hex digits (the SHA-256 of the file's exact bytes)",
    "qr": 'expected an "https://" URL without spaces',
    "ars": "expected 1-12 digits (a prefix of the Amtlicher Regionalschluessel)",
    "tags": 'expected a short name: a-z, 0-9, "-" and "_", up to 32 characters',
    "from": 'expected a time "HH:MM" from "00:00" to "23:59"',
    "until": 'expected a time "HH:MM" from "00:00" to "24:00"',
}


def _where(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "manifest"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that holds the key at `loc` (for "did you mean" on unknown keys)."""
    model: type[BaseModel] = Manifest
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        nested = _nested_model(field.annotation)
        if nested is None:
            return None
        model = nested
    return model


def _nested_model(tp: Any) -> type[BaseModel] | None:
    import typing

    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        if (found := _nested_model(arg)) is not None:
            return found
    return None


def _echo(err: Mapping[str, Any]) -> bool:
    """A list reported too short only because its bad items were dropped (reported already)."""
    given = err.get("input")
    return (
        err["type"] == "too_short"
        and isinstance(given, list)
        and len(given) >= err["ctx"]["min_length"]
    )


def _problem(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    where = _where(loc)
    kind = err["type"]
    given = err.get("input")
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = [f.alias or n for n, f in model.model_fields.items()] if model else []
        best = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f' (did you mean "{best[0]}"?)' if best else ""
        return f"{where}: unknown key{hint}"
    if kind == "missing":
        return f"{where}: required key missing"
    if kind == "value_error":
        return f"{where}: {err['ctx']['error']}"
    if kind == "literal_error":
        return f"{where}: expected one of {err['ctx']['expected']}, got {_shown(given)}"
    if kind == "string_pattern_mismatch":
        return f"{where}: {_EXPECT.get(name, 'has the wrong form')}, got {_shown(given)}"
    if kind == "timezone_aware" or kind.startswith(("datetime_", "date_")):
        return (
            f"{where}: expected a date and time with its UTC offset, "
            f'e.g. "2026-11-20T00:00:00+01:00", got {_shown(given)}'
        )
    if kind == "too_short" and isinstance(given, list) and not given:
        return f"{where}: an empty list is not allowed (leave the key out instead)"
    if kind == "string_too_short":
        return f"{where}: expected non-empty text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        unquote = " (without quotes)" if isinstance(given, str) else ""
        return f"{where}: expected a whole number{unquote}, got {_shown(given)}"
    if kind in ("string_type",):
        return f"{where}: expected text in quotes, got {_shown(given)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where}: expected an object {{...}}, got {_shown(given)}"
    return f"{where}: {err['msg'][:1].lower()}{err['msg'][1:]}, got {_shown(given)}"


def parse_manifest(data: bytes | str) -> Manifest:
    """Validate a manifest; raise ManifestError with one line per problem."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")  # a hand-written file may carry a BOM
        except UnicodeDecodeError:
            raise ManifestError(["manifest: not UTF-8 text"]) from None
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            [f"manifest: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    try:
        return Manifest.model_validate_json(data)
    except ManifestError:
        raise
    except ValidationError as exc:
        problems: list[str] = []
        for err in exc.errors():
            nested = err.get("ctx", {}).get("error")
            if isinstance(nested, ManifestError):
                problems.extend(nested.problems)
            elif not _echo(err):
                problems.append(_problem(err))
        raise ManifestError(problems) from None


def json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "stele content manifest"
    schema["description"] = (
        "A city's content for its steles; see docs/content.md for the rules the schema "
        "cannot express (required keys per type, schedule order, unique ids)."
    )
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


__all__ = [
    "ITEM_TYPES",
    "Item",
    "Manifest",
    "ManifestError",
    "Media",
    "Schedule",
    "Source",
    "Targets",
    "TimeWindow",
    "parse_manifest",
]
