"""`stele fleet status | screenshot | record | report`: the operator's view (docs/mqtt.md)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stele.errors import PkiError


def _mqtt(args: argparse.Namespace) -> Any:
    from stele.cli import _central_config

    return _central_config(args)


def cmd_status(args: argparse.Namespace) -> int:
    from stele.central.fleet import STATUS_HEADERS, read_statuses, table

    statuses = read_statuses(_mqtt(args))
    if args.json:
        print(
            json.dumps(
                [{"id": s.id, **s.raw, "last_seen": s.last_seen} for s in statuses],
                ensure_ascii=False,
                indent=2,
            )
        )
    elif not statuses:
        print("no stele has a retained status on this broker (prefix, ACL?)")
    else:
        print(table(STATUS_HEADERS, [s.row() for s in statuses]), end="")
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    from stele.central.fleet import screenshot

    png = screenshot(_mqtt(args), args.id, timeout_s=args.timeout)
    Path(args.output).write_bytes(png)
    print(f"wrote {args.output} ({len(png)} bytes) from {args.id}")
    return 0


def _listen(args: argparse.Namespace, on_event: Callable[[Any], None]) -> None:
    from stele.central.fleet import record

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it early; what was seen stays
        record(_mqtt(args), args.listen, on_event)


def cmd_record(args: argparse.Namespace) -> int:
    count = 0
    with open(args.output, "a", encoding="utf-8") as out:

        def write(event: Any) -> None:
            nonlocal count
            out.write(event.to_json() + "\n")
            out.flush()  # a recorder killed mid-Warntag keeps what it saw
            count += 1

        _listen(args, write)
    print(f"recorded {count} message(s) to {args.output}")
    return 0


def _read_log(path: str) -> list[Any]:
    from stele.central.fleet import Event

    events = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PkiError(f"{path}: cannot read the log ({exc.strerror or exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            events.append(Event.from_json(line))
        except (ValueError, KeyError, TypeError) as exc:
            print(f"stele: {path}:{n}: skipped, not a recorded event ({exc})", file=sys.stderr)
    return events


def cmd_report(args: argparse.Namespace) -> int:
    from stele.central.acl import read_devices
    from stele.central.fleet import parse_time
    from stele.central.warntag import build_report, render_csv, render_text

    try:
        since = parse_time(args.since)
        until = parse_time(args.until) if args.until else None
    except ValueError as exc:
        raise PkiError(f"--since/--until: {exc}") from None
    devices = read_devices(Path(args.devices)) if args.devices else None
    if args.log:
        events = _read_log(args.log)
    else:
        events = []
        _listen(args, events.append)
    reports = build_report(events, since=since, until=until, devices=devices)
    print(render_text(reports), end="")
    if devices is None and any(r.scope.startswith("ars/") for r in reports):
        print("note: without --devices the steles expected in an ARS are unknown", file=sys.stderr)
    if args.csv:
        Path(args.csv).write_text(render_csv(reports), encoding="utf-8")
    if args.histogram:
        from stele.central.histogram import write_histogram

        write_histogram(reports, Path(args.histogram))
    return 0


def _broker_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="configuration file with the [mqtt] broker settings")
    p.add_argument("--host", help="broker host (overrides the configuration)")
    p.add_argument("--port", type=int, help="broker port (overrides the configuration)")


def add_parser(sub: Any) -> None:
    fleet = sub.add_parser("fleet", help="the operator's view of the steles").add_subparsers(
        dest="fleet_command", required=True
    )
    status = fleet.add_parser("status", help="every stele from its retained status")
    _broker_options(status)
    status.add_argument("--json", action="store_true", help="JSON instead of a table")
    status.set_defaults(func=cmd_status)

    shot = fleet.add_parser("screenshot", help="what one stele shows now, as PNG")
    shot.add_argument("id", help="the stele's device id")
    shot.add_argument("-o", "--output", required=True, metavar="FILE.png")
    shot.add_argument("--timeout", type=float, default=15.0, help="seconds to wait (default 15)")
    _broker_options(shot)
    shot.set_defaults(func=cmd_screenshot)

    rec = fleet.add_parser("record", help="append alerts, acks and statuses to a log (JSONL)")
    rec.add_argument("-o", "--output", required=True, metavar="FILE.jsonl")
    rec.add_argument(
        "--listen",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="how long (default 3600; Ctrl-C ends it early)",
    )
    _broker_options(rec)
    rec.set_defaults(func=cmd_record)

    rep = fleet.add_parser("report", help="after a Warntag: who showed which alert, how fast")
    rep.add_argument("--since", required=True, help="ISO 8601 time with offset")
    rep.add_argument("--until", help="ISO 8601 time with offset (default: no end)")
    rep.add_argument("--log", help="a log from `stele fleet record` (else: listen now)")
    rep.add_argument(
        "--listen",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="without --log: listen this long, then report (default 120)",
    )
    rep.add_argument(
        "--devices",
        metavar="DEVICES.txt",
        help="the fleet ('ID ARS12' per line): who is expected per scope",
    )
    rep.add_argument("--csv", metavar="FILE.csv", help="also write one row per alert and stele")
    rep.add_argument(
        "--histogram",
        metavar="FILE.png",
        help="also draw the latency histogram (needs the plot extra: matplotlib)",
    )
    _broker_options(rep)
    rep.set_defaults(func=cmd_report)
