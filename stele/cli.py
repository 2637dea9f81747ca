"""The one entry point: `stele run | demo | check | bridge | config check | alert … | content … |
pki … | fleet …`.

Exit codes: 0 success; 1 `check` or `config check` found problems, `content sync` left items
out or still waits for files; 2 bad input (unreadable or invalid message or manifest, bad
option, invalid configuration); 3 a runtime failure (broker or manifest server unreachable);
4 `run` found no display to draw on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stele import __version__
from stele.content_cli import ContentUsageError
from stele.errors import CapError, ConfigError, PkiError, SteleError

if TYPE_CHECKING:
    from stele.config.models import Config, MqttConfig
    from stele.config.themes import Theme
    from stele.domain.decide import Policy
    from stele.domain.model import Alert
    from stele.domain.targeting import Place

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_RUNTIME, EXIT_NO_DISPLAY = 0, 1, 2, 3, 4


class UsageError(SteleError):
    """A command-line option is wrong."""


def _fail(message: str, code: int) -> int:
    print(f"stele: {message}", file=sys.stderr)
    return code


def _error_lines(exc: ConfigError) -> list[str]:
    """One line per configuration error (ConfigLoadError carries them as `.errors`)."""
    return list(getattr(exc, "errors", None) or [str(exc)])


def _load_config(path: Path | None) -> Config:
    from stele.config import load_config

    return load_config(path)


def _load_theme(cfg: Config) -> Theme:
    from stele.config.themes import load_theme

    return load_theme(cfg.display.theme)


def _parse_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise UsageError(f"--at {text!r} needs a UTC offset, e.g. 2026-11-22T14:00:00+01:00")
    return at


def _read_payload(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise CapError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise CapError(f"{path}: larger than the {max_bytes}-byte limit")
    return data


def _parse_file(path: str, max_bytes: int) -> Alert:
    from stele.domain.cap import parse_alert

    payload = _read_payload(path, max_bytes)
    try:
        return parse_alert(payload, None, max_bytes=max_bytes)
    except CapError as exc:
        raise CapError(f"{path}: {exc}") from None


def _place(args: argparse.Namespace) -> Place | None:
    from stele.domain.targeting import Place

    if (args.lat is None) != (args.lon is None):
        raise UsageError("--lat and --lon go together")
    place = Place(
        lat=args.lat, lon=args.lon, ars=args.ars, warncells=frozenset(args.warncell or ())
    )
    return None if place.is_empty else place


def _policy(args: argparse.Namespace) -> Policy:
    from stele.domain.decide import Policy

    if args.lang:
        return Policy(languages=(args.lang,))
    # The configured preference where a configuration exists, else German.
    try:
        cfg = _load_config(Path(args.config) if args.config else None)
        return Policy(languages=tuple(cfg.device.languages))
    except ConfigError:
        if args.config:
            raise
        return Policy(languages=("de",))


def cmd_alert_inspect(args: argparse.Namespace) -> int:
    from stele.domain.report import inspect_alert

    alert = _parse_file(args.file, args.max_bytes)
    report = inspect_alert(alert, place=_place(args), at=_parse_at(args.at), policy=_policy(args))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_alert_replay(args: argparse.Namespace) -> int:
    from stele.domain.book import AlertBook
    from stele.domain.report import replay_report

    at = _parse_at(args.at)
    alerts = [_parse_file(path, args.max_bytes) for path in args.files]
    book = AlertBook(place=_place(args), policy=_policy(args))
    for alert in alerts:
        book.receive(alert, at, addressed=True)
    book.expire(at)
    print(json.dumps(replay_report(book, at), ensure_ascii=False, indent=2))
    return EXIT_OK


def _target(args: argparse.Namespace) -> tuple[str, str]:
    if args.ars:
        return "ars", args.ars
    if args.device:
        return "device", args.device
    return "all", ""


def _central_config(args: argparse.Namespace) -> MqttConfig:
    """Broker settings for the central tools. A central machine is no stele: a file with
    only an [mqtt] table is enough, and without any file the defaults (localhost) apply."""
    import tomllib

    from stele.config import MqttConfig

    try:
        mqtt = _load_config(Path(args.config) if args.config else None).mqtt
    except ConfigError:
        if not args.config:
            mqtt = MqttConfig()
        else:
            try:
                table = tomllib.loads(Path(args.config).read_text(encoding="utf-8-sig"))
                mqtt = MqttConfig.model_validate(table.get("mqtt", {}))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{args.config}: no usable [mqtt] table ({exc})") from None
    updates = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return mqtt.model_copy(update=updates) if updates else mqtt


def _signing_key(args: argparse.Namespace) -> Any:
    if not args.sign:
        return None
    from stele.central.signing import load_signing_key

    return load_signing_key(Path(args.sign))


def cmd_alert_send(args: argparse.Namespace) -> int:
    from stele.central.publish import send_alert

    mqtt = _central_config(args)
    payload = _read_payload(args.file, mqtt.max_payload_bytes)
    scope, scope_id = _target(args)
    signing_key = _signing_key(args)
    key = send_alert(
        mqtt, payload, scope=scope, scope_id=scope_id, key=args.key, signing_key=signing_key
    )
    where = "/".join(p for p in (mqtt.prefix, "alerts", scope, scope_id, key) if p)
    print(f"sent {args.file} to {where}")
    return EXIT_OK


def cmd_alert_clear(args: argparse.Namespace) -> int:
    from stele.central.publish import clear_incident

    mqtt = _central_config(args)
    scope, scope_id = _target(args)
    clear_incident(mqtt, args.keys, scope=scope, scope_id=scope_id, signing_key=_signing_key(args))
    print(f"cleared {', '.join(args.keys)}")
    return EXIT_OK


def cmd_alert_key(args: argparse.Namespace) -> int:
    from stele.central.signing import load_signing_key, public_key_b64

    print(public_key_b64(load_signing_key(Path(args.keyfile))))
    return EXIT_OK


def cmd_bridge(args: argparse.Namespace) -> int:
    from stele.central.bridge_cli import run_bridge

    return run_bridge(args)


def cmd_config_check(args: argparse.Namespace) -> int:
    from stele.config import load_config, render_config

    try:
        cfg = load_config(Path(args.config) if args.config else None)
        _load_theme(cfg)  # the theme pack is part of the configuration
    except ConfigError as exc:
        print("\n".join(_error_lines(exc)), file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(render_config(cfg), end="")
    if cfg.content.source == "osca":
        from stele.adapters.osca.check import osca_uuid_line

        # A comment: the output stays a configuration file that loads back.
        print(f"\n# osca_uuid: {osca_uuid_line(Path(cfg.storage.dir))}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Configuration, then storage, broker and layouts: one line each, exit 1 on any failure."""
    from stele.adapters.preflight import run_checks
    from stele.ui.view import layouts_dir

    try:
        cfg = _load_config(Path(args.config) if args.config else None)
    except ConfigError as exc:
        print("FAIL configuration:", file=sys.stderr)
        print("\n".join(_error_lines(exc)), file=sys.stderr)
        return EXIT_CHECK_FAILED
    print("OK   configuration: valid")
    try:
        theme = _load_theme(cfg)
    except ConfigError as exc:
        print("FAIL theme:", file=sys.stderr)
        print("\n".join(_error_lines(exc)), file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(f"OK   theme: {theme.name} ({theme.directory})")
    checks = run_checks(cfg, layouts_dir)
    for check in checks:
        print(check.line())
    return EXIT_OK if all(c.ok for c in checks) else EXIT_CHECK_FAILED


def cmd_run(args: argparse.Namespace) -> int:
    from stele.ui.before_qt import import_kiosk_modules

    import_kiosk_modules()  # first, before Qt: see there
    from stele.ui.main import display_problem, run_config_error, run_kiosk

    # Before the configuration: its error screen needs a display just as the kiosk does.
    problem = display_problem()
    if problem is not None:
        return _fail(problem, EXIT_NO_DISPLAY)
    try:
        cfg = _load_config(Path(args.config) if args.config else None)
        theme = _load_theme(cfg)
    except ConfigError as exc:
        lines = _error_lines(exc)
        print("\n".join(f"stele: {line}" for line in lines), file=sys.stderr)
        return run_config_error(lines)
    return run_kiosk(cfg, theme=theme)


def cmd_demo(args: argparse.Namespace) -> int:
    from stele.demo.runner import run_demo

    return run_demo(window=args.window, exit_after_s=args.exit_after, theme=args.theme)


def _add_place_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", help="evaluate at this ISO 8601 time (default: now)")
    p.add_argument("--lat", type=float, help="stele latitude")
    p.add_argument("--lon", type=float, help="stele longitude")
    p.add_argument("--ars", help="stele 12-digit regional key")
    p.add_argument("--warncell", action="append", help="DWD warn cell id (repeatable)")
    p.add_argument("--lang", help="preferred language (default: configured, else de)")
    p.add_argument("--config", help="configuration file (for the language preference)")
    p.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024, help=argparse.SUPPRESS)


def _add_broker_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="configuration file with the [mqtt] broker settings")
    p.add_argument("--host", help="broker host (overrides the configuration)")
    p.add_argument("--port", type=int, help="broker port (overrides the configuration)")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--all", action="store_true", help="every stele (default)")
    target.add_argument("--ars", help="the steles of one municipality (12-digit ARS)")
    target.add_argument("--device", help="one stele by device id")
    p.add_argument(
        "--sign",
        metavar="KEYFILE",
        help="sign with this Ed25519 private key (PEM PKCS#8, openssl genpkey -algorithm ed25519)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stele", description="Kiosk OS for city steles.")
    parser.add_argument("--version", action="version", version=f"stele {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the full-screen kiosk")
    run.add_argument("--config", help="configuration file (also: STELE_CONFIG)")
    run.set_defaults(func=cmd_run)

    check_all = sub.add_parser(
        "check", help="technician's check: configuration, storage, broker login, layouts"
    )
    check_all.add_argument("--config", help="configuration file (also: STELE_CONFIG)")
    check_all.set_defaults(func=cmd_check)

    demo = sub.add_parser("demo", help="local broker + kiosk + example alerts")
    demo.add_argument(
        "--window",
        choices=("auto", "offscreen", "window"),
        default="auto",
        help="show a window, or render offscreen (auto: window if a display exists)",
    )
    demo.add_argument(
        "--theme",
        default="solingen",
        help="theme pack to show (a built-in name such as neutral or solingen, or a folder)",
    )
    demo.add_argument("--exit-after", type=float, help=argparse.SUPPRESS)  # for tests
    demo.set_defaults(func=cmd_demo)

    bridge = sub.add_parser(
        "bridge", help="follow the public warning feeds and publish to the steles (central)"
    )
    bridge.add_argument("--config", help="bridge configuration (also: STELE_BRIDGE_CONFIG)")
    bridge.add_argument("--replay", metavar="DIR", help="replay recorded feeds from DIR")
    bridge.add_argument("--speed", type=float, default=1.0, help="replay speed factor")
    bridge.add_argument("--once", action="store_true", help="one poll cycle, then exit")
    bridge.set_defaults(func=cmd_bridge)

    config = sub.add_parser("config", help="configuration tools").add_subparsers(
        dest="config_command", required=True
    )
    check = config.add_parser("check", help="validate and print the effective configuration")
    check.add_argument("--config", help="configuration file (also: STELE_CONFIG)")
    check.set_defaults(func=cmd_config_check)

    alert = sub.add_parser("alert", help="CAP alert tools").add_subparsers(
        dest="alert_command", required=True
    )
    inspect = alert.add_parser("inspect", help="what would a stele here do with this message?")
    inspect.add_argument("file")
    _add_place_options(inspect)
    inspect.set_defaults(func=cmd_alert_inspect)

    replay = alert.add_parser("replay", help="feed messages in order into one alert book")
    replay.add_argument("files", nargs="+", metavar="FILE")
    _add_place_options(replay)
    replay.set_defaults(func=cmd_alert_replay)

    send = alert.add_parser("send", help="publish a CAP file to the steles (central side)")
    send.add_argument("file")
    send.add_argument("--key", help="incident key (default: derived from the message)")
    _add_broker_options(send)
    send.set_defaults(func=cmd_alert_send)

    clear = alert.add_parser("clear", help="end incidents (central side)")
    clear.add_argument("keys", nargs="+", metavar="KEY")
    _add_broker_options(clear)
    clear.set_defaults(func=cmd_alert_clear)

    from stele.content_cli import add_parser as add_content

    add_content(sub, _parse_at)

    key = alert.add_parser("key", help="print the public key to list in [security] trusted_keys")
    key.add_argument("keyfile", metavar="KEYFILE", help="the Ed25519 private key (PEM)")
    key.set_defaults(func=cmd_alert_key)

    from stele.central import fleet_cli, pki_cli

    pki_cli.add_parser(sub)
    fleet_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print("\n".join(f"stele: {line}" for line in _error_lines(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (CapError, UsageError, ContentUsageError) as exc:
        return _fail(" ".join(str(exc).split()), EXIT_BAD_INPUT)
    except PkiError as exc:
        print("\n".join(f"stele: {line}" for line in str(exc).splitlines()), file=sys.stderr)
        return EXIT_BAD_INPUT
    except SteleError as exc:
        return _fail(str(exc), EXIT_RUNTIME)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
