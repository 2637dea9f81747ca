"""Runs a `RetainedWatch` on the stele's paho client (docs/mqtt.md, "The index as the
source of truth"): the SUBSCRIBE/UNSUBSCRIBE of exact alert topics, the warning for a
listed alert that never comes, and a timer for what falls due.

Called from paho's network thread (connect, messages, SUBACKs); the timer runs on its own
thread. paho's subscribe/unsubscribe are thread-safe and are called outside our lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho

from stele.adapters.payloads import PayloadError, decode_index
from stele.adapters.retained import Actions, RetainedWatch
from stele.adapters.topics import alert_topic
from stele.errors import ConfigError

log = logging.getLogger("stele.mqtt")

QOS = 1


class IndexFetch:
    def __init__(
        self,
        prefix: str,
        *,
        grace_s: float,
        patience_s: float,
        live_client: Callable[[], paho.Client | None],
    ) -> None:
        self._prefix = prefix
        self._watch = RetainedWatch(grace_s=grace_s, patience_s=patience_s)
        self._live_client = live_client  # the connected client, else None (for the timer)
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._timer_due = 0.0  # when self._timer fires (time.monotonic)
        self._mids: dict[int, tuple[str, ...]] = {}  # our SUBSCRIBEs -> their topics
        self._stopped = False

    def connected(self, client: paho.Client, *, session_present: bool) -> None:
        """A new connection re-delivers everything: start over, and drop exact
        subscriptions of a fetch the drop cut short if the broker kept them."""
        with self._lock:
            leftover = self._watch.connected()
        if leftover and session_present:
            client.unsubscribe(list(leftover))

    def disconnected(self) -> None:
        with self._lock:
            self._cancel_timer()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._cancel_timer()

    def alert(self, client: paho.Client, topic: str) -> None:
        """An alert (or its removal) arrived on `topic`."""
        with self._lock:
            actions = self._watch.arrived(topic)
        self._run(client, actions)

    def index(
        self,
        client: paho.Client,
        scope: str,
        scope_id: str,
        topic: str,
        payload: bytes,
        *,
        retained: bool,
    ) -> None:
        """An index arrived: what it lists must arrive too."""
        try:
            keys = decode_index(payload)
        except PayloadError:
            return  # the app logs and drops it
        topics = []
        for key in keys:
            try:
                topics.append(alert_topic(self._prefix, scope, scope_id, key))
            except ConfigError as exc:
                log.warning("index %s: %s", topic, exc)
        with self._lock:
            actions = self._watch.index(scope, topics, time.monotonic(), retained=retained)
        self._run(client, actions)

    def suback(self, mid: int, codes: list[Any]) -> bool:
        """True if the SUBACK `mid` answered one of our SUBSCRIBEs (a refusal is logged)."""
        topics = self._mids.pop(mid, None)
        if topics is None:
            return False
        for topic, code in zip(topics, codes, strict=False):
            if code.is_failure:
                log.error("broker refused subscription %s: %s (check the ACLs)", topic, code)
        return True

    def _run(self, client: paho.Client, actions: Actions) -> None:
        if actions.subscribe:
            log.info(
                "asking the broker for %d listed alert(s) by their exact topics",
                len(actions.subscribe),
            )
            _, mid = client.subscribe([(topic, QOS) for topic in actions.subscribe])
            if mid is not None:
                self._mids[mid] = actions.subscribe
        if actions.unsubscribe:
            client.unsubscribe(list(actions.unsubscribe))
        for topic in actions.missing:
            log.warning(
                "an index lists %s, but no alert arrived there within %g s of asking the broker:"
                " this stele may be missing a warning (expired or lost on the broker, or the"
                " ACLs do not let this stele read it)",
                topic,
                self._watch.patience_s,
            )
        with self._lock:
            self._arm()

    def _arm(self) -> None:
        """(Re)start the timer for the next due step (lock held)."""
        due = self._watch.next_due()
        if due is None or self._stopped:
            self._cancel_timer()
            return
        if self._timer is not None and self._timer_due == due:
            return  # the common case on the hot path: nothing changed
        self._cancel_timer()
        self._timer_due = due
        self._timer = threading.Timer(max(0.0, due - time.monotonic()), self._tick)
        self._timer.daemon = True
        self._timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self) -> None:
        client = self._live_client()
        with self._lock:
            self._timer = None
            if client is None or self._stopped:
                return  # offline: the next connection starts over anyway
            actions = self._watch.step(time.monotonic())
        self._run(client, actions)
