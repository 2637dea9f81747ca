"""Bytes a stele on the OSCA backend costs in a day with an unchanged backend, beside what the
current client (Open-SmartCity-Screen) fetches.

Run: .venv/bin/python tests/bench/osca_traffic.py [media_kb]
A real Parse Server (tests/parse_server.py) holds a Touchscreen stele: press releases,
weather stations, the departures tile and a diashow of an image, a PDF and an MP4
(synthetic bytes; `media_kb`, default 2500, in all). Each kind of request is made against
it and its bytes counted (HTTP bodies, request line and headers both ways; TCP/TLS
overhead not included):

- start: login, the SteleScreen row, the first snapshot, every Parse file;
- refresh: one whole snapshot re-read (stele: once an hour as a safety net while LiveQuery
  is up; nothing is downloaded again: the files are cached by name);
- departures: one `mobility` call (both clients: every 30 s);
- LiveQuery idle: the server pings every 10 s (2-byte frame), the client answers with a
  masked pong (6 bytes): computed from the protocol, not measured.

Then it runs the real OSCA source for `RUN_S` seconds with LiveQuery off, polling and
departures scaled down (10 s), and checks that its measured bytes match the per-request figures, before
extrapolating to 24 hours.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from stele.adapters.osca.rest import ParseRest
from stele.adapters.osca.snapshot import fetch_departures, fetch_snapshot
from stele.adapters.osca.source import LIVE_RECHECK_S
from stele.adapters.osca.store import FileCache
from tests.adapters.osca_helpers import make_source
from tests.parse_server import ParseServer, date, geo

DAY = 86400
POLL_S, DEPARTURES_S = int(LIVE_RECHECK_S), 30
RUN_S = 60.0
LQ_IDLE_PER_DAY = (DAY // 10) * (2 + 6)


def seed(server: ParseServer, media_kb: int) -> tuple[str, int]:
    now = datetime.now(UTC)
    for n in range(15):
        server.create(
            "PressRelease",
            title=f"Pressemitteilung Nummer {n}",
            summary="Die Stadt informiert über Baustellen und Termine. " * 4,
            date=date(now - timedelta(hours=n)),
            url=f"https://stadt.example/{n}",
            imageUrl=f"https://stadt.example/{n}.jpg",
        )
    for n in range(8):
        server.create(
            "WeatherObserved",
            name=f"Station {n}",
            location=geo(51 + n / 10, 7.0),
            dateObserved=date(now),
            values={
                k: {"name": k, "unit": u, "value": 1.5}
                for k, u in (("temperature", "°C"), ("humidity", "%"), ("windSpeed", "km/h"))
            },
        )
    sizes = {"bild.jpg": media_kb * 1024 // 5, "flyer.pdf": media_kb * 1024 // 10}
    sizes["clip.mp4"] = media_kb * 1024 - sum(sizes.values())
    kinds = {
        "bild.jpg": ("image/jpeg", "image"),
        "flyer.pdf": ("application/pdf", "pdf"),
        "clip.mp4": ("video/mp4", "video"),
    }
    diashow = server.seed_diashow(
        [
            {
                "name": n,
                "data": os.urandom(size),
                "content_type": kinds[n][0],
                "file_type": kinds[n][1],
                "duration": 15,
            }
            for n, size in sizes.items()
        ]
    )
    grid = server.seed_grid(
        [
            (1, "Pressemitteilungen", {}),
            (2, "Wetter", {}),
            (3, "Busabfahrten", {}),
            (4, "Diashow", {}),
        ]
    )
    return server.seed_layout(grid=grid, diashow=diashow), sum(sizes.values())


def measure(server: ParseServer, uuid: str, work: Path) -> dict[str, int]:
    rest = ParseRest(server.url, server.app_id, server.js_key)
    cache = FileCache(work / "measure")
    rest.login(server.user.username, server.user.password)
    snap = fetch_snapshot(rest, uuid, datetime.now(UTC))
    for obj in snap["diashow"]:
        cache.fetch(rest, obj["file"]["name"], obj["file"]["url"])
    start = rest.traffic.bytes_in + rest.traffic.bytes_out
    before = rest.traffic.bytes_in + rest.traffic.bytes_out
    fetch_snapshot(rest, uuid, datetime.now(UTC))
    for obj in snap["diashow"]:  # cached: no request at all
        cache.fetch(rest, obj["file"]["name"], obj["file"]["url"])
    refresh = rest.traffic.bytes_in + rest.traffic.bytes_out - before
    before = rest.traffic.bytes_in + rest.traffic.bytes_out
    fetch_departures(rest, (51.17, 7.08))
    departures = rest.traffic.bytes_in + rest.traffic.bytes_out - before
    rest.close()
    return {"start": start, "refresh": refresh, "departures": departures}


def main(media_kb: int = 2500) -> None:
    with tempfile.TemporaryDirectory(prefix="osca-traffic-") as tmp:
        work = Path(tmp)
        server = ParseServer(work).start()
        try:
            server.seed_schema()
            server.seed_user()
            layout, media = seed(server, media_kb)
            source, views = make_source(
                server, work / "state", start=False, poll_s=10, departures_s=10, livequery=False
            )
            server.seed_screen(
                source.uuid, layout="Touchscreen", layout_config=layout, location=(51.17, 7.08)
            )
            cost = measure(server, source.uuid, work)
            # The real source, scaled-down intervals: does it cost what the figures say?
            source.start()
            views.wait_for(lambda v: len(v["manifest"]["items"]) >= 5, 30)
            t = source.rest.traffic
            base, fetches0 = t.bytes_in + t.bytes_out, source.fetches
            time.sleep(RUN_S)
            ran = t.bytes_in + t.bytes_out - base
            fetches = source.fetches - fetches0
            source.stop()
        finally:
            server.close()
    calls = RUN_S / 10
    expected = fetches * cost["refresh"] + calls * cost["departures"]
    per_day_refresh = DAY // POLL_S * cost["refresh"]
    per_day_dep = DAY // DEPARTURES_S * cost["departures"]
    stele_day = cost["start"] + per_day_refresh + per_day_dep + LQ_IDLE_PER_DAY
    current_day = cost["start"] + per_day_dep + LQ_IDLE_PER_DAY
    kb = 1024
    print(f"media in the diashow: {media / kb:.0f} KB; measured per request kind:")
    print(f"  start (login, row, snapshot, files): {cost['start'] / kb:.1f} KB")
    print(f"  one snapshot re-read (files cached): {cost['refresh'] / kb:.1f} KB")
    print(f"  one mobility call:                   {cost['departures'] / kb:.2f} KB")
    print(
        f"check: source ran {RUN_S:.0f} s at 10 s intervals: {ran / kb:.1f} KB measured, "
        f"{expected / kb:.1f} KB from the figures ({fetches} re-reads, ~{calls:.0f} calls)"
    )
    print(
        f"stele, one day, unchanged backend: {stele_day / kb / kb:.2f} MB "
        f"(start {cost['start'] / kb / kb:.2f} MB once, departures "
        f"{per_day_dep / kb / kb:.2f} MB, re-reads every {POLL_S} s "
        f"{per_day_refresh / kb / kb:.2f} MB, LiveQuery pings {LQ_IDLE_PER_DAY / kb:.0f} KB); "
        f"each restart: {(cost['start'] - media) / kb:.1f} KB (media stay cached)"
    )
    print(
        f"current client, one day (one start): {current_day / kb / kb:.2f} MB; "
        f"each further start re-downloads {media / kb / kb:.2f} MB of media"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2500)
