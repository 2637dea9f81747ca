"""`stele content inspect | sync` (docs/content.md, "The command line"); cli.py dispatches."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from stele.errors import ConfigError, StateError, SteleError

if TYPE_CHECKING:
    from stele.config.models import Config
    from stele.domain.playlist import Place

AtParser = Callable[[str | None], datetime]  # cli._parse_at: one reading of --at for all
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
EXIT_OK, EXIT_BAD_INPUT = 0, 2


class ContentUsageError(SteleError):
    """A `stele content` option is wrong."""


def _config(path: str | None, required: bool) -> Config | None:
    from stele.config import load_config

    try:
        return load_config(Path(path) if path else None)
    except ConfigError:
        if required or path:
            raise
        return None  # inspect works without a stele's configuration


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise ContentUsageError(
            f'--tz {name!r} is not an IANA time zone, e.g. "Europe/Berlin"'
        ) from None


def _place(args: argparse.Namespace, cfg: Config | None) -> Place:
    from stele.domain.playlist import Place

    ars = args.ars if args.ars is not None else (cfg.device.ars if cfg else "")
    if args.ars is not None and not re.fullmatch(r"[0-9]{1,12}", args.ars):
        raise ContentUsageError(f"--ars {args.ars!r}: expected up to 12 digits, e.g. 051220000000")
    tags = tuple(args.tag) if args.tag else (tuple(cfg.device.tags) if cfg else ())
    zone = _zone(args.tz or (cfg.device.timezone if cfg else "Europe/Berlin"))
    return Place(ars=ars, tags=tags, zone=zone)


def cmd_inspect(args: argparse.Namespace, at_of: AtParser) -> int:
    from stele.domain.manifest import ManifestError, parse_manifest
    from stele.domain.playlist import plan

    place = _place(args, _config(args.config, required=False))
    at = at_of(args.at)
    try:
        with open(args.manifest, "rb") as fh:
            data = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        print(f"stele: {args.manifest}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if len(data) > MAX_MANIFEST_BYTES:
        print(f"stele: {args.manifest}: larger than {MAX_MANIFEST_BYTES} bytes", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        manifest = parse_manifest(data)
    except ManifestError as exc:
        print("\n".join(f"{args.manifest}: {line}" for line in exc.problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    result = plan(manifest, at, place)
    out = {
        "version": manifest.version,
        "playlist": [
            {"id": item.id, "type": item.type, "duration_s": item.duration}
            for item in result.playlist
        ],
        "skipped": [{"id": s.id, "reason": s.reason} for s in result.skipped],
        "next_change": result.next_change.isoformat() if result.next_change else None,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from stele.adapters.content_cache import ContentCache
    from stele.adapters.content_sync import ContentSync
    from stele.domain.playlist import Place

    cfg = _config(args.config, required=True)
    assert cfg is not None
    if cfg.content.manifest_url is None:
        raise ConfigError("content.manifest_url is not set: there is nothing to sync")
    try:
        cache = ContentCache(cfg.storage.dir / "content", cfg.content.cache_mb * 1024 * 1024)
    except OSError as exc:
        raise StateError(f"{cfg.storage.dir}/content: cannot use the cache: {exc}") from None
    place = Place(cfg.device.ars, tuple(cfg.device.tags), ZoneInfo(cfg.device.timezone))
    sync = ContentSync(cache, cfg.content.manifest_url, place)
    result = sync.sync_once(force=True)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    if result.error is not None:
        print(f"stele: {cfg.content.manifest_url}: {result.error}", file=sys.stderr)
    for line in result.problems:
        print(f"stele: {cfg.content.manifest_url}: {line}", file=sys.stderr)
    if result.disk_error is not None:
        print(f"stele: {cache.root}: {result.disk_error}", file=sys.stderr)
    return result.exit_code


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], at_of: AtParser) -> None:
    content = sub.add_parser("content", help="content manifest tools").add_subparsers(
        dest="content_command", required=True
    )
    inspect = content.add_parser("inspect", help="what would a stele play from this manifest?")
    inspect.add_argument("manifest", metavar="MANIFEST")
    inspect.add_argument("--at", help="evaluate at this ISO 8601 time (default: now)")
    inspect.add_argument("--ars", help="the stele's ARS (default: the configuration's)")
    inspect.add_argument(
        "--tag", action="append", help="a tag of the stele (repeatable; replaces the configured)"
    )
    inspect.add_argument("--tz", help="time zone (default: the configuration's)")
    inspect.add_argument("--config", help="configuration file (for the defaults)")
    inspect.set_defaults(func=lambda a: cmd_inspect(a, at_of))

    sync = content.add_parser("sync", help="one sync into the configured cache, now")
    sync.add_argument("--config", help="configuration file (also: STELE_CONFIG)")
    sync.set_defaults(func=cmd_sync)
