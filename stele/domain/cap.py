"""CAP 1.2 parser: one payload (XML or the federal warning API's CAP-JSON) to one `Alert`.

Lenient in reading (unknown elements ignored, single values where lists are expected,
malformed `references`, lon/lat polygons), strict in what decides (required elements,
enum values of status/msgType/scope, every time carrying an offset). Any problem is reported
as one `CapError` with one human-readable line; no other exception type escapes.

Both encodings go through one builder: a small reader object gives it `fields(node)` (a
mapping from CAP element name to the list of child nodes) and `text(node)`, so the XML tree
is walked exactly once and the JSON is never copied into another shape.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as _fast_fromstring

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from stele.domain.cap_values import parse_circle, parse_polygon, parse_references, parse_time, show
from stele.domain.model import (
    Alert,
    Area,
    Certainty,
    Info,
    MsgType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from stele.domain.text import link_url, plain_text
from stele.errors import CapError

CAP12_NS = "urn:oasis:names:tc:emergency:cap:1.2"
XML_CONTENT_TYPE = "application/cap+xml"
JSON_CONTENT_TYPE = "application/json"
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_LANGUAGE = "en-US"  # CAP 1.2: the value when <language> is absent

E = TypeVar("E", Status, MsgType, Scope, Severity, Urgency, Certainty)


def parse_alert(
    payload: bytes, content_type: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Alert:
    """Parse one CAP 1.2 alert; `content_type` (MQTT 5 property) picks the encoding, else the
    first non-blank byte does. Raises `CapError` (one line) for anything unusable."""
    try:
        with _gc_paused():
            return _parse(payload, content_type, max_bytes)
    except CapError as exc:
        raise CapError(_one_line(str(exc))) from None
    except Exception as exc:  # hostile input must never crash the caller (RecursionError, ...)
        raise CapError(_one_line(f"unreadable CAP payload: {type(exc).__name__}: {exc}")) from exc


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Keep the cyclic GC out of one parse. Sample 08 allocates ~20,000 tracked objects (tree
    elements, then the model), which triggers dozens of collections that find nothing: the
    tree is freed by reference counting. That is ~25 % of the parse time, and more in a full
    process whose older generations are large. Only re-enabled if it was enabled before."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(payload: Any, content_type: str | None, max_bytes: int) -> Alert:
    if isinstance(payload, memoryview):
        size = payload.nbytes
    elif isinstance(payload, bytes | bytearray):
        size = len(payload)
    else:
        raise CapError(f"payload must be bytes, got {type(payload).__name__}")
    if size > max_bytes:  # before any decoding: the limit is what keeps hostile input cheap
        raise CapError(f"payload is {size} bytes, limit is {max_bytes}")
    raw = bytes(payload)
    if not raw:
        raise CapError("empty payload")
    encoding = _detect_encoding(raw, content_type)
    if encoding == XML_CONTENT_TYPE:
        reader: _Reader = _XML_READER
        root: Any = _xml_root(_without_leading_blanks(raw))
    else:
        reader = _JSON_READER
        root = _json_root(raw)
    return _build_alert(reader, reader.fields(root, "alert"), raw, encoding)


def _detect_encoding(raw: bytes, content_type: str | None) -> str:
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    first = body.lstrip(b" \t\r\n\f\v")[:1]
    if not first:
        raise CapError("payload is blank (whitespace only)")
    if content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if "xml" in media:
            return XML_CONTENT_TYPE
        if "json" in media:
            return JSON_CONTENT_TYPE
    if first == b"<":
        return XML_CONTENT_TYPE
    if first == b"{":
        return JSON_CONTENT_TYPE
    raise CapError(
        f"not CAP: payload starts with byte 0x{first[0]:02x}, expected '<' (XML) or '{{' (JSON)"
    )


# --- XML ---------------------------------------------------------------------------------


def _without_leading_blanks(raw: bytes) -> bytes:
    """XML allows nothing before `<?xml`; publishers still prepend a newline. Strip it (and
    a UTF-8 BOM in front of it, which only said "UTF-8", expat's default anyway)."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if body[:1] in (b" ", b"\t", b"\r", b"\n"):
        return body.lstrip(b" \t\r\n")
    return raw


class _RootReached(Exception):
    """Raised by the prolog check at the first start tag: no DTD can follow any more."""


class _StopAtRoot:
    """Tree-builder target for the prolog check; it never builds anything."""

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


def _check_prolog(raw: bytes) -> None:
    """Reject DTDs (and so entity declarations and external entities) with defusedxml.

    defusedxml hardens the pure-Python expat driver, which costs ~1 us per element. A DTD can
    only stand before the root element, so defusedxml reads just the prolog here: the target
    stops the parse at the first start tag. The document itself is then parsed by the C
    parser (`_xml_root`), which can no longer meet a DTD, an entity declaration or an external
    entity: with no DTD, any entity reference other than the five predefined ones is an error.
    """
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
    try:
        parser.feed(raw)
        parser.close()
    except _RootReached:
        return
    except DTDForbidden:
        raise CapError("XML forbidden: document type declaration (DTD)") from None
    except EntitiesForbidden:
        raise CapError("XML forbidden: entity declaration") from None
    except ExternalReferenceForbidden:
        raise CapError("XML forbidden: external entity reference") from None
    except ParseError as exc:
        raise CapError(f"malformed XML: {exc}") from None
    raise CapError("malformed XML: no root element")


# Whitespace between two tags. CAP has no mixed content, so outside CDATA this is layout
# only; inside CDATA it can only touch whitespace next to markup-like text, which plain_text
# collapses anyway. Dropping it before the tree is built saves a string per element (DWD's
# indented 407 KB message: 87 KB and ~25 % of the parse).
_BETWEEN_TAGS = re.compile(rb">[ \t\r\n]+<")


def _xml_root(raw: bytes) -> Element:
    _check_prolog(raw)
    try:
        root = _fast_fromstring(_BETWEEN_TAGS.sub(b"><", raw))
    except ParseError:
        try:  # parse the original again so the message names the sender's line and column
            _fast_fromstring(raw)
        except ParseError as exc:
            raise CapError(f"malformed XML: {exc}") from None
        raise CapError("malformed XML") from None
    ns, _, local = root.tag[1:].rpartition("}") if root.tag[:1] == "{" else ("", "", root.tag)
    if local != "alert" or ns not in ("", CAP12_NS):
        where = f" in namespace {ns!r}" if ns else ""
        raise CapError(f"not CAP 1.2: root element is <{local[:40]}>{where}")
    return root


class _XmlReader:
    """Children by CAP local name; elements of other namespaces (extensions) are ignored."""

    def __init__(self) -> None:
        prefix = "{" + CAP12_NS + "}"
        self._local: dict[str, str | None] = {}  # tag -> CAP local name, cached across calls
        self._prefix = prefix

    def _local_name(self, tag: Any) -> str | None:
        if not isinstance(tag, str):
            return None  # comments/processing instructions
        if tag.startswith(self._prefix):
            name: str | None = tag[len(self._prefix) :]
        elif tag[:1] == "{":
            name = None
        else:
            name = tag
        if len(self._local) < 4096:  # bounded: hostile payloads invent tag names
            self._local[tag] = name
        return name

    def fields(self, node: Any, name: str) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        local_of = self._local
        for child in node:
            tag = child.tag
            local = local_of[tag] if tag in local_of else self._local_name(tag)
            if local is None:
                continue
            bucket = out.get(local)
            if bucket is None:
                out[local] = [child]
            else:
                bucket.append(child)
        return out

    def many(self, fields: dict[str, list[Any]], key: str) -> list[Any]:
        return fields.get(key, [])

    def text(self, node: Any, name: str) -> str:
        if len(node):  # mixed content is not CAP, but its text is still the best reading
            return "".join(node.itertext())
        return node.text or ""

    def area_key(self, node: Any) -> Hashable:
        """What an <area> says: its children's tags and every text below it in document
        order (C-level `itertext`, ~2x cheaper than walking every element). DWD repeats each
        area in all 8 language blocks; equal keys are built once (sample 08: 1,352 -> 169).
        Only a message crafted to swap valueName/value inside a geocode could make two of
        its own areas share a key; it could state any area directly anyway."""
        return (tuple([child.tag for child in node]), tuple(node.itertext()))


# --- JSON --------------------------------------------------------------------------------


def _json_root(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CapError(f"JSON is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise CapError("malformed JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4,300 digits
        raise CapError(f"malformed JSON: {exc}") from None


_JSON_KINDS = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def _kind(value: Any) -> str:
    return _JSON_KINDS.get(type(value), "number")


class _JsonReader:
    """CAP-JSON as warnung.bund.de serves it: keys are CAP element names; any value that may
    repeat may also come as a single value."""

    def fields(self, node: Any, name: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise CapError(f"{name!r} must be an object, got {_kind(node)}")
        return node

    def many(self, fields: dict[str, Any], key: str) -> list[Any]:
        value = fields.get(key)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def text(self, node: Any, name: str) -> str:
        if isinstance(node, str):
            return node
        if node is None:
            return ""
        if isinstance(node, int | float) and not isinstance(node, bool):
            return str(node)  # e.g. a warn-cell id sent as a number
        raise CapError(f"{name!r} must be text, got {_kind(node)}")

    def area_key(self, node: Any) -> Hashable:
        return None  # JSON feeds do not repeat areas across info blocks: nothing to share


_Reader = _XmlReader | _JsonReader
_XML_READER = _XmlReader()
_JSON_READER = _JsonReader()


# --- building the model --------------------------------------------------------------------


def _first(r: _Reader, f: dict[str, Any], key: str) -> str | None:
    items = r.many(f, key)
    return r.text(items[0], key) if items else None


def _required(r: _Reader, f: dict[str, Any], key: str) -> str:
    value = _first(r, f, key)
    if value is None:
        raise CapError(f"missing required element {key!r}")
    value = value.strip()
    if not value:
        raise CapError(f"empty required element {key!r}")
    return value


def _optional(r: _Reader, f: dict[str, Any], key: str) -> str:
    return (_first(r, f, key) or "").strip()


def _lookup(enum: type[E]) -> dict[str, E]:
    return {member.value.lower(): member for member in enum}


_STATUS = _lookup(Status)
_MSG_TYPE = _lookup(MsgType)
_SCOPE = _lookup(Scope)
_SEVERITY = _lookup(Severity)
_URGENCY = _lookup(Urgency)
_CERTAINTY = _lookup(Certainty)


def _strict_enum(table: dict[str, E], value: str, key: str) -> E:
    member = table.get(value.lower())
    if member is None:
        raise CapError(f"invalid {key!r} value {show(value)}")
    return member


def _build_alert(r: _Reader, f: dict[str, Any], raw: bytes, content_type: str) -> Alert:
    identifier = _required(r, f, "identifier")
    sender = _required(r, f, "sender")
    sent = parse_time(_required(r, f, "sent"), "sent")
    status = _strict_enum(_STATUS, _required(r, f, "status"), "status")
    msg_type = _strict_enum(_MSG_TYPE, _required(r, f, "msgType"), "msgType")
    scope = _strict_enum(_SCOPE, _required(r, f, "scope"), "scope")
    references = parse_references(
        " ".join(r.text(v, "references") for v in r.many(f, "references"))
    )
    areas: dict[Hashable, Area] = {}
    infos = tuple(_build_info(r, r.fields(node, "info"), areas) for node in r.many(f, "info"))
    if any(_is_dwd_test(info) for info in infos):
        status = Status.TEST  # docs/alerts.md quirk 8: DWD tests come as status Actual
    return Alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=status,
        msg_type=msg_type,
        scope=scope,
        references=references,
        note=plain_text(_optional(r, f, "note")),
        infos=infos,
        raw=raw,
        content_type=content_type,
    )


def _is_dwd_test(info: Info) -> bool:
    return any(name.upper() == "II" and value in ("98", "99") for name, value in info.event_codes)


def _optional_time(r: _Reader, f: dict[str, Any], key: str) -> datetime | None:
    value = _optional(r, f, key)
    return parse_time(value, key) if value else None


def _build_info(r: _Reader, f: dict[str, Any], areas: dict[Hashable, Area]) -> Info:
    return Info(
        language=_optional(r, f, "language") or DEFAULT_LANGUAGE,
        categories=tuple(
            t for t in (r.text(v, "category").strip() for v in r.many(f, "category")) if t
        ),
        event=plain_text(_optional(r, f, "event")),
        urgency=_URGENCY.get(_optional(r, f, "urgency").lower(), Urgency.UNKNOWN),
        severity=_SEVERITY.get(_optional(r, f, "severity").lower(), Severity.UNKNOWN),
        certainty=_CERTAINTY.get(_optional(r, f, "certainty").lower(), Certainty.UNKNOWN),
        effective=_optional_time(r, f, "effective"),
        onset=_optional_time(r, f, "onset"),
        expires=_optional_time(r, f, "expires"),
        sender_name=plain_text(_optional(r, f, "senderName")),
        headline=plain_text(_optional(r, f, "headline")),
        description=plain_text(_optional(r, f, "description")),
        instruction=plain_text(_optional(r, f, "instruction")),
        web=link_url(_optional(r, f, "web")),
        contact=plain_text(_optional(r, f, "contact")),
        event_codes=_pairs(r, f, "eventCode"),
        parameters=_pairs(r, f, "parameter"),
        areas=tuple(_area(r, node, areas) for node in r.many(f, "area")),
    )


def _pairs(r: _Reader, f: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    """valueName/value pairs (eventCode, parameter), values kept verbatim apart from strip."""
    out = []
    for node in r.many(f, key):
        g = r.fields(node, key)
        name = _optional(r, g, "valueName")
        if name:
            out.append((name, _optional(r, g, "value")))
    return tuple(out)


def _area(r: _Reader, node: Any, built: dict[Hashable, Area]) -> Area:
    key = r.area_key(node)
    if key is None:
        return _build_area(r, r.fields(node, "area"))
    area = built.get(key)
    if area is None:
        area = built[key] = _build_area(r, r.fields(node, "area"))
    return area


# Geocode names under which a digit value is an ARS/AGS even when shorter than 12 digits.
_ARS_NAMES = frozenset({"ARS", "AGS", "SHN"})


def _build_area(r: _Reader, f: dict[str, Any]) -> Area:
    """Geocodes (docs/alerts.md quirk 9): `WARNCELLID` (any case) is a DWD warn cell; a value
    of exactly 12 ASCII digits is an ARS whatever the label (BBK puts a place name in
    valueName); under the names ARS/AGS/SHN any all-digit value is taken as sent, without
    padding. Everything else (EXCLUDE_POLYGON, NUTS, ...) is ignored. Duplicates are dropped,
    first order kept."""
    ars: dict[str, None] = {}
    warncells: dict[str, None] = {}
    for node in r.many(f, "geocode"):
        g = r.fields(node, "geocode")
        value = _optional(r, g, "value")
        if not value:
            continue
        name = _optional(r, g, "valueName").upper()
        if name == "WARNCELLID":
            warncells[value] = None
        elif value.isdigit() and value.isascii() and (len(value) == 12 or name in _ARS_NAMES):
            ars[value] = None
    polygons = (parse_polygon(r.text(node, "polygon")) for node in r.many(f, "polygon"))
    circles = (parse_circle(r.text(node, "circle")) for node in r.many(f, "circle"))
    return Area(
        description=plain_text(_optional(r, f, "areaDesc")),
        polygons=tuple(p for p in polygons if p is not None),
        circles=tuple(c for c in circles if c is not None),
        ars=tuple(ars),
        warncells=tuple(warncells),
    )


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= 300 else line[:300] + "…"
