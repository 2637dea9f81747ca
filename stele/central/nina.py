"""The federal warning API ("api31", the NINA app's API) as a bridge source.

Per Kreis: `/dashboard/{ARS}.json` (the Kreis key, last 7 digits zero) lists the current
warnings of every provider (MoWaS, KATWARN, BIWAPP, DWD, LHP, police) with an id and a
version/hash. For each listed warning `/warnings/{id}.json` is its CAP-JSON and
`/warnings/{id}.geojson` its geometry; capxml turns the pair into CAP 1.2 XML. A warning is
fetched once per (id, version): the result is kept in memory and in the state directory,
so neither a poll nor a restart fetches or converts it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from stele.central.capxml import ConversionError, cap_xml, geojson_rings
from stele.central.fetch import FeedError, Fetcher

log = logging.getLogger("stele.bridge")


def kreis_of(ars: str) -> str:
    """The dashboard key of the Kreis a municipality lies in (api31 lists per Kreis)."""
    return ars[:5] + "0000000"


@dataclass(frozen=True)
class Listed:
    """One warning of a feed listing: the source id and what changes with each version."""

    id: str
    version: str


def parse_dashboard(body: bytes, where: str) -> list[Listed]:
    """The warnings a dashboard lists; FeedError for anything that is not such a list."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"{where}: not JSON ({exc})") from None
    if not isinstance(data, list):
        raise FeedError(f"{where}: expected a JSON list of warnings, found {type(data).__name__}")
    listed: list[Listed] = []
    for n, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            raise FeedError(f"{where}: entry {n} has no warning id")
        payload = entry.get("payload")
        if not isinstance(payload, dict):
            payload = {}
        version = f"{payload.get('version', '')}:{payload.get('hash', '')}"
        if version == ":":  # neither given: the entry itself is the version
            version = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:16]
        listed.append(Listed(entry["id"], version))
    return listed


class NinaSource:
    def __init__(self, base_url: str, fetcher: Fetcher, cache_dir: Path | None) -> None:
        self._base = base_url.rstrip("/")
        self._fetcher = fetcher
        self._cache_dir = cache_dir
        self._memory: dict[Listed, bytes] = {}
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)

    def dashboard_url(self, kreis: str) -> str:
        return f"{self._base}/dashboard/{kreis}.json"

    def dashboard(self, kreis: str) -> tuple[list[Listed], bool]:
        """(the listed warnings, changed since the last poll); FeedError if the poll failed."""
        url = self.dashboard_url(kreis)
        fetched = self._fetcher.get(url)
        try:
            return parse_dashboard(fetched.body, f"dashboard {kreis}"), fetched.changed
        except FeedError:
            forget = getattr(self._fetcher, "forget", None)
            if forget is not None:
                forget(url)
            raise

    def warning(self, item: Listed) -> bytes:
        """CAP 1.2 XML of one listed warning version (FeedError: try again next poll)."""
        if item in self._memory:
            return self._memory[item]
        path = self._cache_path(item)
        if path is not None and path.is_file():
            xml = path.read_bytes()
        else:
            xml = self._build(item)
            if path is not None:
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(xml)
                tmp.replace(path)
        self._memory[item] = xml
        return xml

    def forget_except(self, keep: set[Listed]) -> None:
        """Drop cached versions no feed lists any more (memory and disk)."""
        for item in [i for i in self._memory if i not in keep]:
            del self._memory[item]
        if self._cache_dir is None:
            return
        wanted = {p.name for p in (self._cache_path(i) for i in keep) if p is not None}
        for path in self._cache_dir.glob("*.xml"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)

    def _cache_path(self, item: Listed) -> Path | None:
        if self._cache_dir is None:
            return None
        name = hashlib.sha256(f"{item.id}\x00{item.version}".encode()).hexdigest()[:32]
        return self._cache_dir / f"{name}.xml"

    def _build(self, item: Listed) -> bytes:
        wid = quote(item.id, safe="")
        cap = _json(self._fetcher.get(f"{self._base}/warnings/{wid}.json").body, item.id)
        geo = _json(self._fetcher.get(f"{self._base}/warnings/{wid}.geojson").body, item.id)
        try:
            rings = geojson_rings(geo)
            if not rings:
                log.warning("warning %s: its GeoJSON has no polygon: sent without an area", item.id)
            return cap_xml(cap, rings)
        except ConversionError as exc:
            raise FeedError(f"warning {item.id}: {exc}") from None


def _json(body: bytes, wid: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"warning {wid}: not JSON ({exc})") from None
