"""`stele bridge`: follow the public warning feeds and keep the steles' topics in step.

Wires the parts, each with one job: the sources (nina.py, dwd.py) poll with conditional
requests; the reconciler (reconcile.py) turns poll results into incidents; the link
(link.py) makes the broker's retained state match; bridge_status.py says how it goes.
The loop polls each feed when due (interval with jitter; exponential backoff while it
fails), syncs the broker after polls or when a broker retry is due, and feeds the systemd
watchdog only while that schedule holds (no feed overdue, no cycle crashed).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from stele.adapters.sdnotify import Notifier
from stele.central.bridge_config import BridgeConfig
from stele.central.bridge_status import FeedState, status_payload, status_topic
from stele.central.dwd import DwdSource
from stele.central.fetch import FeedError, Fetcher, HttpFetcher
from stele.central.link import BrokerLink
from stele.central.nina import Listed, NinaSource, kreis_of
from stele.central.reconcile import Poll, Reconciler
from stele.central.session import PublishError
from stele.central.signing import load_signing_key
from stele.domain.backoff import backoff_delay

log = logging.getLogger("stele.bridge")
DWD_FEED = "dwd"


def nina_feed(kreis: str) -> str:
    return f"nina:{kreis}"


@dataclass
class CycleReport:
    polled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    published: int = 0
    broker_ok: bool | None = None  # None: the broker was not needed this cycle


class Bridge:
    def __init__(
        self,
        cfg: BridgeConfig,
        *,
        fetcher: Fetcher | None = None,
        link: BrokerLink | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        notifier: Notifier | None = None,
        rng: random.Random | None = None,
        nina_url: str | None = None,
        dwd_url: str | None = None,
        time_scale: float = 1.0,
    ) -> None:
        b = cfg.bridge
        self.cfg = cfg
        self._clock = clock
        self._mono = monotonic
        self._rng = rng or random.Random()
        self._notifier = notifier or Notifier()
        self._scale = time_scale  # replay: intervals divided by the replay speed
        self.fetcher = fetcher or HttpFetcher(b.timeout_s)
        state_dir = Path(b.state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.nina = NinaSource(nina_url or b.nina_url, self.fetcher, state_dir / "warnings")
        self.dwd = (
            DwdSource(dwd_url or b.dwd_url, b.warncells, self.fetcher) if b.warncells else None
        )
        scopes: dict[str, tuple[str, ...]] = {}
        for ars in b.ars:
            feed = nina_feed(kreis_of(ars))
            scopes[feed] = (*scopes.get(feed, ()), ars)
        if self.dwd is not None:
            scopes[DWD_FEED] = tuple(b.ars)
        self.feeds = {
            name: FeedState(name, (b.dwd_poll_s if name == DWD_FEED else b.poll_s) / time_scale)
            for name in scopes
        }
        self.reconciler = Reconciler(scopes, b.clear_after_polls, state_dir / "state.json")
        self.reconciler.load()
        key = load_signing_key(b.signing_key) if b.signing_key is not None else None
        self.link = link or BrokerLink(
            cfg.mqtt, status_topic=status_topic(cfg.mqtt.prefix), signing_key=key
        )
        self.since = clock()
        self.broker_errors = 0
        self._broker_failures = 0
        self._broker_due = 0.0
        self._broker_dirty = True  # read back and compare at start
        self._crashed = False
        self._listed: dict[str, set[Listed]] = {}  # per api31 feed, its last good listing
        self._ping_every = self._notifier.watchdog_interval_s()
        self._last_ping = float("-inf")
        self._ready = False  # no WATCHDOG=1 before READY=1
        self._last_progress = float("-inf")  # when the last poll returned

    # -- one cycle ------------------------------------------------------------------------
    def cycle(self) -> CycleReport:
        report = CycleReport()
        now_m = self._mono()
        for feed in sorted(self.feeds.values(), key=lambda f: f.next_due):
            if feed.next_due <= now_m:
                self._poll(feed, report)
                self._last_progress = self._mono()
                self.keepalive()  # a cycle over hundreds of Kreise takes a while
        if report.polled or report.failed:
            self._broker_dirty = True  # at least the status has news
        if self._broker_dirty and self._mono() >= self._broker_due:
            self._sync(report)
        self.reconciler.save()
        return report

    def _poll(self, feed: FeedState, report: CycleReport) -> None:
        b = self.cfg.bridge
        feed.polls += 1
        try:
            items = self._read(feed.name)
        except FeedError as exc:
            feed.failures += 1
            feed.errors += 1
            feed.last_error = str(exc)
            wait = min(b.backoff_max_s / self._scale, feed.interval_s * 2 ** min(feed.failures, 16))
            wait = self._jittered(wait)
            feed.next_due = self._mono() + wait
            report.failed.append(feed.name)
            log.warning(
                "%s: poll failed: %s; nothing cleared, retry in %.0f s", feed.name, exc, wait
            )
            return
        if feed.failures:
            log.info("%s: polls succeed again after %d failure(s)", feed.name, feed.failures)
        feed.failures = 0
        feed.last_ok = self._clock()
        feed.last_error = None
        feed.next_due = self._mono() + self._jittered(feed.interval_s)
        self.reconciler.apply_poll(Poll(feed.name, items), self._clock())
        report.polled.append(feed.name)

    def _read(self, name: str) -> dict[str, bytes | None]:
        if name == DWD_FEED:
            assert self.dwd is not None
            found, _ = self.dwd.poll()
            return {item.id: xml for item, xml in found.items()}
        listed, _ = self.nina.dashboard(name.split(":", 1)[1])
        items: dict[str, bytes | None] = {}
        for item in listed:
            items[item.id] = self._warning(name, item)
        self._listed[name] = set(listed)
        nina_feeds = [f for f in self.feeds if f != DWD_FEED]
        if all(f in self._listed for f in nina_feeds):
            # Every Kreis has answered since the start: what none lists now is not needed.
            self.nina.forget_except(set().union(*self._listed.values()))
        return items

    def _warning(self, feed: str, item: Listed) -> bytes | None:
        try:
            return self.nina.warning(item)
        except FeedError as exc:
            # Listed but not readable now: it stays (nothing is cleared) and is tried again.
            log.warning("%s: %s; trying again next poll", feed, exc)
            self.feeds[feed].errors += 1
            return None

    def _sync(self, report: CycleReport) -> None:
        try:
            report.published = self.link.sync(
                self.reconciler.wanted(),
                self.reconciler.removals(),
                self._clock(),
                on_removed=self.reconciler.removal_done,
            )
            self.link.publish_status(self.status())
        except PublishError as exc:
            self.broker_errors += 1
            self._broker_failures += 1
            wait = backoff_delay(
                self._broker_failures - 1,
                self.cfg.mqtt.reconnect_min_s,
                self.cfg.mqtt.reconnect_max_s,
                self._rng,
            )
            self._broker_due = self._mono() + wait
            report.broker_ok = False
            log.warning("broker: %s; the retained state is compared again in %.1f s", exc, wait)
            return
        if self._broker_failures:
            log.info("broker: in step again after %d failed attempt(s)", self._broker_failures)
        self._broker_failures = 0
        self._broker_dirty = False
        report.broker_ok = True

    def _jittered(self, seconds: float) -> float:
        j = self.cfg.bridge.jitter
        return seconds * self._rng.uniform(1.0 - j, 1.0 + j)

    # -- status and the loop ----------------------------------------------------------------
    def status(self, state: str = "online") -> bytes:
        return status_payload(
            list(self.feeds.values()),
            since=self.since,
            incidents=sum(len(i) for i in self.reconciler.incidents.values()),
            published=self.link.alert_publishes,
            broker_errors=self.broker_errors,
            state=state,
        )

    def healthy(self) -> bool:
        """The schedule holds: no cycle crashed, and either no feed is overdue by more than
        two timeouts or polls are still completing one after another (a long cycle over
        hundreds of Kreise while the network drops every request after its timeout)."""
        if self._crashed:
            return False
        slack = 2 * self.cfg.bridge.timeout_s + 1.0
        now = self._mono()
        if now - self._last_progress <= slack:
            return True
        return all(f.next_due >= now - slack for f in self.feeds.values())

    def keepalive(self, *, force: bool = False) -> None:
        """WATCHDOG=1 when due and only while the schedule holds (see `healthy`)."""
        if self._ping_every is None or not self._ready or not self.healthy():
            return
        now = self._mono()
        if force or now - self._last_ping >= self._ping_every:
            self._notifier.watchdog()
            self._last_ping = now

    def next_wakeup(self) -> float:
        due = [f.next_due for f in self.feeds.values()]
        if self._broker_dirty:
            due.append(self._broker_due)
        return min(due) if due else self._mono() + 60.0

    def run(self, stop: threading.Event, *, once: bool = False) -> int:
        notify = self._notifier
        ping = self._ping_every
        log.info(
            "bridge: %d feed(s) for %d municipality(ies); notify %s",
            len(self.feeds),
            len(self.cfg.bridge.ars),
            notify.backend,
        )
        first = True
        try:
            while not stop.is_set():
                try:
                    self.cycle()
                except Exception:
                    # A bug, not a feed or broker failure (those are handled): stop the
                    # pings for good, so systemd restarts the bridge with a clean slate.
                    log.exception("bridge cycle failed: no more watchdog pings")
                    self._crashed = True
                if first:
                    notify.ready()
                    self._ready, first = True, False
                if once:
                    break
                if self.healthy():
                    self.keepalive(force=True)
                    notify.status(self._summary())
                wait = max(0.05, self.next_wakeup() - self._mono())
                stop.wait(min(wait, ping) if ping else wait)
        finally:
            notify.stopping()
            self.reconciler.save()
            self.link.close(final_status=self.status("offline"))
            close = getattr(self.fetcher, "close", None)
            if close is not None:
                close()
        return 0

    def _summary(self) -> str:
        failing = [f.name for f in self.feeds.values() if f.failures]
        incidents = sum(len(i) for i in self.reconciler.incidents.values())
        broker = "broker ok" if self._broker_failures == 0 else "broker unreachable"
        return f"{incidents} incident(s), {len(failing)} feed(s) failing, {broker}"
