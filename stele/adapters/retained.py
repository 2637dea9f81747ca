"""The retained index as the source of truth for which incidents a stele must hold.

On connect a broker hands over the retained alerts of the wildcard subscriptions
`alerts/<scope>/+` and the retained indexes. RabbitMQ 3.x never delivers retained
messages to a wildcard subscription (a documented limitation of its MQTT plugin), so
there a new or replaced stele gets the indexes (exact topics) and none of the alerts
they list. `RetainedWatch` tracks, per connection, which alert topics the indexes list
and which of them arrived; for each one missing it asks for a subscription to its exact
topic (every broker delivers the retained message to an exact subscription), drops that
subscription once the alert is here (on Mosquitto overlapping subscriptions would deliver
every later message twice), and reports what still has not arrived after `patience_s`.

When to ask: an index delivered as retained (on subscribe) comes after the retained
alerts of the same subscription on brokers that do deliver them, so what it lists and
has not arrived is fetched at once. A live index is published just before its alert
(`stele alert send`), so a missing alert gets `grace_s` to arrive by the wildcard first.

Pure: time is passed in; the MQTT client executes the returned `Actions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Actions:
    subscribe: tuple[str, ...] = ()  # exact alert topics to subscribe to (QoS 1)
    unsubscribe: tuple[str, ...] = ()  # exact subscriptions no longer needed
    missing: tuple[str, ...] = ()  # asked for patience_s ago and still not here: warn

    def __bool__(self) -> bool:
        return bool(self.subscribe or self.unsubscribe or self.missing)

    def __add__(self, other: Actions) -> Actions:
        return Actions(
            self.subscribe + other.subscribe,
            self.unsubscribe + other.unsubscribe,
            self.missing + other.missing,
        )


@dataclass
class _Wanted:
    due: float  # pending: when to subscribe; fetching: when to report it missing
    fetching: bool = False
    reported: bool = False


class RetainedWatch:
    def __init__(self, *, grace_s: float = 2.0, patience_s: float = 10.0) -> None:
        self.grace_s = grace_s
        self.patience_s = patience_s
        self._listed: dict[str, frozenset[str]] = {}  # scope -> alert topics its index lists
        self._seen: set[str] = set()  # alert topics delivered on this connection
        self._wanted: dict[str, _Wanted] = {}

    def connected(self) -> tuple[str, ...]:
        """A new connection re-delivers everything: start over. Returns the exact
        subscriptions of the last connection that a kept session may still hold."""
        leftover = tuple(sorted(t for t, w in self._wanted.items() if w.fetching))
        self._listed.clear()
        self._seen.clear()
        self._wanted.clear()
        return leftover

    def index(self, scope: str, topics: Iterable[str], now: float, *, retained: bool) -> Actions:
        """The index of `scope` now lists exactly these alert topics."""
        listed = frozenset(topics)
        dropped = self._listed.get(scope, frozenset()) - listed
        self._listed[scope] = listed
        unsubscribe = []
        for topic in sorted(dropped):
            gone = self._wanted.pop(topic, None)
            if gone is not None and gone.fetching:
                unsubscribe.append(topic)
        due = now if retained else now + self.grace_s
        for topic in listed - self._seen - self._wanted.keys():
            self._wanted[topic] = _Wanted(due)
        return Actions(unsubscribe=tuple(unsubscribe)) + self.step(now)

    def arrived(self, topic: str) -> Actions:
        """An alert (or its removal) arrived on `topic`."""
        self._seen.add(topic)
        done = self._wanted.pop(topic, None)
        return Actions(unsubscribe=(topic,)) if done is not None and done.fetching else Actions()

    def step(self, now: float) -> Actions:
        """What is due at `now`."""
        subscribe, missing = [], []
        for topic in sorted(self._wanted):
            wanted = self._wanted[topic]
            if wanted.reported or wanted.due > now:
                continue
            if not wanted.fetching:
                wanted.fetching, wanted.due = True, now + self.patience_s
                subscribe.append(topic)
            else:
                wanted.reported = True
                missing.append(topic)
        return Actions(subscribe=tuple(subscribe), missing=tuple(missing))

    def next_due(self) -> float | None:
        """When `step` next has something to do (None: nothing pending)."""
        dues = [w.due for w in self._wanted.values() if not w.reported]
        return min(dues) if dues else None
