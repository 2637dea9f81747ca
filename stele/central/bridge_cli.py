"""`stele bridge [--config PATH] [--replay DIR --speed N] [--once]`: start and stop the bridge."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

from stele.adapters.journal import setup_logging
from stele.central.bridge import Bridge
from stele.central.bridge_config import load_bridge_config
from stele.central.replay import DWD_URL, NINA_URL, ReplayFetcher
from stele.errors import ConfigError

log = logging.getLogger("stele.bridge")


def run_bridge(args: argparse.Namespace) -> int:
    try:
        cfg = load_bridge_config(Path(args.config) if args.config else None)
    except ConfigError as exc:
        lines = list(getattr(exc, "errors", None) or [str(exc)])
        print("\n".join(f"stele bridge: {line}" for line in lines), file=sys.stderr)
        return 2
    setup_logging(cfg.log.level, f"bridge-{socket.gethostname()}")
    if args.replay:
        fetcher = ReplayFetcher(Path(args.replay), args.speed)
        bridge = Bridge(
            cfg, fetcher=fetcher, nina_url=NINA_URL, dwd_url=DWD_URL, time_scale=args.speed
        )
        log.info("replaying %s at %gx", args.replay, args.speed)
    else:
        bridge = Bridge(cfg)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return bridge.run(stop, once=args.once)
