"""The bridge under a fake systemd: a real unix datagram NOTIFY_SOCKET, the real HTTP server
and Mosquitto. WATCHDOG=1 flows while polls succeed or fail and back off; it stops while a
poll hangs and after a crashed cycle."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stele.adapters.sdnotify import Notifier
from stele.central.bridge import Bridge
from stele.central.nina import kreis_of
from tests.brokers import TestBroker
from tests.central.bridge_feeds import SIERSBURG, Api31, bridge_config, geojson, mowas_alert
from tests.httpd import HttpServer

WATCHDOG_USEC = 400_000  # pings every 0.2 s


class FakeSystemd:
    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.env = {"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": str(WATCHDOG_USEC)}
        self.got: list[tuple[float, str]] = []

    def collect(self, seconds: float) -> list[tuple[float, str]]:
        end = time.monotonic() + seconds
        start = len(self.got)
        while time.monotonic() < end:
            with contextlib.suppress(TimeoutError):
                self.got.append((time.monotonic(), self.sock.recv(4096).decode()))
        return self.got[start:]


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[FakeSystemd]:
    fake = FakeSystemd(tmp_path / "notify")
    yield fake
    fake.sock.close()


def pings(messages: list[tuple[float, str]]) -> list[float]:
    return [t for t, m in messages if m == "WATCHDOG=1"]


def test_watchdog_follows_the_poll_schedule(
    broker: TestBroker, systemd: FakeSystemd, tmp_path: Path
) -> None:
    with HttpServer() as server:
        api = Api31(server)
        alert = mowas_alert()
        api.warning(alert, geojson("warning_mowas_cancel.geojson"))
        path = api.dashboard(kreis_of(SIERSBURG), alert)
        cfg = bridge_config(
            broker, api, tmp_path / "state", ars=(SIERSBURG,), poll_s=1.0, timeout_s=1.5
        )
        bridge = Bridge(cfg, notifier=Notifier(systemd.env))
        stop = threading.Event()
        runner = threading.Thread(target=bridge.run, args=(stop,))
        runner.start()
        try:
            ok = systemd.collect(1.5)
            assert ok and ok[0][1] == "READY=1"
            assert len(pings(ok)) >= 5  # every 0.2 s while polls succeed

            server.resource(path).status = 500  # failing polls back off as planned: pings go on
            failing = systemd.collect(1.5)
            assert bridge.feeds[f"nina:{kreis_of(SIERSBURG)}"].failures >= 1
            assert len(pings(failing)) >= 5

            res = server.resource(path)
            res.status, res.delay_s = 200, 1.4  # a poll that hangs for most of its timeout
            start = time.monotonic()
            bridge.feeds[f"nina:{kreis_of(SIERSBURG)}"].next_due = start  # due now
            times = [start, *pings(systemd.collect(2.5))]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert gaps and max(gaps) >= 1.2  # no ping while the poll hung
            res.delay_s = 0.0

            def crash(*a: object, **k: object) -> None:
                raise RuntimeError("a bug in a cycle")

            bridge.reconciler.apply_poll = crash  # type: ignore[method-assign]
            server.put(path, b"[]", "application/json")  # a change, so the cycle reaches it
            systemd.collect(1.5)  # the crash happens within the first poll in there
            after = systemd.collect(1.0)
            assert pings(after) == []
        finally:
            stop.set()
            runner.join(10)
        assert not runner.is_alive()
        assert systemd.collect(0.3) or any(m == "STOPPING=1" for _, m in systemd.got)


class FakeBlackholeFetcher:
    """A network that drops every request: each GET fails after its full timeout (on the
    test's clock). A fake because a real blackhole would make the test take hours."""

    def __init__(self, clock: list[float], timeout_s: float) -> None:
        self.clock, self.timeout_s = clock, timeout_s

    def get(self, url: str) -> object:
        from stele.central.fetch import FeedError

        self.clock[0] += self.timeout_s
        time.sleep(0.002)  # real time enough for the reader to keep up with the pings
        raise FeedError(f"{url}: no answer within {self.timeout_s:g} s")


def test_a_long_cycle_of_timeouts_keeps_the_watchdog_fed(
    broker: TestBroker, systemd: FakeSystemd, tmp_path: Path
) -> None:
    """400 Kreise, every request timing out after 10 s: a cycle lasts over an hour, yet each
    poll returns in time, so the pings go on (a restart would not help anyone)."""
    clock = [0.0]
    ars = tuple(f"{land:02d}{k:03d}0010001" for land in range(1, 17) for k in range(25))
    cfg = bridge_config(broker, None, tmp_path / "state", ars=ars, timeout_s=10.0)
    env = dict(systemd.env, WATCHDOG_USEC="60000000")  # WatchdogSec=60s: a ping every 30 s
    bridge = Bridge(
        cfg,
        fetcher=FakeBlackholeFetcher(clock, 10.0),  # type: ignore[arg-type]
        monotonic=lambda: clock[0],
        notifier=Notifier(env),
    )
    bridge._ready = True  # as after READY=1 (run() sends it after the first cycle)
    reports = []
    # Read while it runs: a unix datagram queue holds only ~10 messages.
    worker = threading.Thread(target=lambda: reports.append(bridge.cycle()))
    worker.start()
    got = []
    while worker.is_alive():
        got += systemd.collect(0.2)
    got += systemd.collect(0.3)
    (report,) = reports
    assert len(report.failed) == 400 and clock[0] == 4000.0
    assert len(pings(got)) >= 4000 // 30 - 1  # one per 30 s of the cycle's own time
    bridge.link.close()
