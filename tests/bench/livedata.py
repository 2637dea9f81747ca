"""Benchmark: live-data parsing and one refresh through the real local HTTP server.

Run: .venv/bin/python tests/bench/livedata.py [--runs N]

Prints the median and worst time to parse each recorded file of tests/data/live, a feed
at the 2 MB cap (the real city feed's items repeated), the 500-occurrence bound of a
calendar rule (FREQ=SECONDLY), and the wall time of a refresh as LiveStore does it:
first fetch (200) and unchanged (304) of the city feed over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

sys.path.insert(0, str(Path(__file__).parents[2]))

from stele.adapters.livedata_cache import Entry
from stele.adapters.livedata_ics import parse_events
from stele.adapters.livedata_images import ImageStore
from stele.adapters.livedata_news import parse_news
from stele.adapters.livedata_source import Context, LiveSource, Place, refresh
from stele.adapters.livedata_weather import parse_current, parse_days
from tests.httpd import HttpServer

DATA = Path(__file__).parents[1] / "data" / "live"
BERLIN = ZoneInfo("Europe/Berlin")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def big_feed() -> bytes:
    rss = (DATA / "salzkotten-news.rss").read_bytes()
    head, _, rest = rss.partition(b"<item>")
    item = b"<item>" + rest.split(b"</item>")[0] + b"</item>"
    body = head + item * (2 * 1024 * 1024 // len(item) - 1) + b"</channel></rss>"
    assert len(body) <= 2 * 1024 * 1024
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    now18 = datetime(2018, 5, 1, tzinfo=UTC)
    secondly = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//b//b//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        b"DTSTART:20260101T000000Z\r\nDTEND:20260101T000001Z\r\nRRULE:FREQ=SECONDLY\r\n"
        b"SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    feed = big_feed()
    cases: list[tuple[str, int, Callable[[], object]]] = [
        (
            "RSS, city feed (8 items)",
            8,
            lambda: parse_news((DATA / "salzkotten-news.rss").read_bytes(), "u"),
        ),
        ("Atom (5 entries)", 5, lambda: parse_news((DATA / "newsfeed.atom").read_bytes(), "u")),
        (
            f"RSS at the 2 MB cap ({len(feed) // 1024} KiB, 50 kept)",
            50,
            lambda: parse_news(feed, "u"),
        ),
        (
            "iCalendar, FabLab Cottbus (1 year expanded)",
            0,
            lambda: parse_events((DATA / "fablab-cottbus.ics").read_bytes(), "u", now18, BERLIN),
        ),
        (
            "iCalendar, FREQ=SECONDLY (500 bound)",
            500,
            lambda: parse_events(secondly, "u", datetime(2026, 1, 1, tzinfo=UTC), BERLIN),
        ),
        (
            "Bright Sky /current_weather",
            1,
            lambda: parse_current((DATA / "brightsky-current_weather.json").read_bytes(), "u"),
        ),
        (
            "Bright Sky /weather (73 hours -> days)",
            4,
            lambda: parse_days((DATA / "brightsky-weather.json").read_bytes(), "u", BERLIN),
        ),
    ]
    print(f"live-data parse times, {runs} runs each (median / worst, ms)")
    for name, _, fn in cases:
        median, worst = timed(fn, runs)
        print(f"  {name:<48} {median:8.2f} / {worst:8.2f}")

    with HttpServer() as srv, tempfile.TemporaryDirectory() as tmp:
        srv.put("/feed.rss", (DATA / "salzkotten-news.rss").read_bytes())
        source = LiveSource("news", srv.url("/feed.rss"), 5, 900)
        ctx = Context(requests.Session(), Place(BERLIN), ImageStore(Path(tmp)), 5.0)
        first = refresh(source, Entry(), ctx, datetime.now(UTC))
        full, full_worst = timed(lambda: refresh(source, Entry(), ctx, datetime.now(UTC)), runs)
        srv.reset_log()
        same, same_worst = timed(lambda: refresh(source, first, ctx, datetime.now(UTC)), runs)
        statuses = dict(srv.statuses())
        print("refresh of the city feed over HTTP on 127.0.0.1 (median / worst, ms)")
        print(f"  first fetch (200, parse)                        {full:8.2f} / {full_worst:8.2f}")
        print(f"  unchanged (304, no body, no parse)              {same:8.2f} / {same_worst:8.2f}")
        print(f"  statuses of the unchanged runs: {statuses}, body bytes {srv.body_bytes()}")


if __name__ == "__main__":
    main()
