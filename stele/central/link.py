"""The bridge's MQTT side: bring the broker's retained state in line with the wanted one.

One long-lived CentralSession (stele.central.session). On every (re)connect the retained
index and alerts of each scope are read back, and from then on only the difference is
published: a restart or a broker outage republishes nothing that is already retained
unchanged. Per scope and cycle: the index first (a stele drops what the index does not
list, so it must never see an alert the index lacks), then the changed alerts, then the
zero-length publishes of removed incidents. Any failure drops the session: the next cycle
reconnects and compares again, so nothing stale is ever queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from stele.adapters.topics import alert_topic, index_topic
from stele.central.incidents import IncidentIndex
from stele.central.publish import message_expiry_s, sniff_content_type
from stele.central.session import CentralSession, PublishError
from stele.config.models import MqttConfig
from stele.domain.cap import JSON_CONTENT_TYPE, parse_alert

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger("stele.bridge")



@dataclass
class _View:
    index: IncidentIndex
    payloads: dict[str, bytes]


class BrokerLink:
    def __init__(
        self,
        cfg: MqttConfig,
        *,
        status_topic: str,
        signing_key: Ed25519PrivateKey | None = None,
        session_factory: Callable[[], CentralSession] | None = None,
    ) -> None:
        self._cfg = cfg
        self._status_topic = status_topic
        # Signed publishes carry their signing time, so they differ every time: the retained
        # copies are compared unwrapped (CentralSession.retained_payloads) with the plain ones.
        self._signing = signing_key is not None
        offline = b'{"state":"offline"}'
        self._factory = session_factory or (
            lambda: CentralSession(
                cfg, name="stele-bridge", will=(status_topic, offline), signing_key=signing_key
            )
        )
        self._session: CentralSession | None = None
        self._views: dict[str, _View] = {}
        self.alert_publishes = 0
        self.connects = 0

    @property
    def connected(self) -> bool:
        return self._session is not None and not self._session.lost

    def sync(
        self,
        wanted: dict[str, dict[str, bytes]],
        removed: dict[str, set[str]],
        now: datetime | None = None,
        on_removed: Callable[[str, set[str]], None] | None = None,
    ) -> int:
        """Publish the difference; returns the number of alert publishes. PublishError if
        the broker is unreachable or fails us (the session is then dropped)."""
        at = now or datetime.now(UTC)
        try:
            session = self._ensure(set(wanted) | set(removed))
            count = 0
            for scope in sorted(set(wanted) | set(removed)):
                gone = self._sync_scope(
                    session, scope, wanted.get(scope, {}), removed.get(scope, set()), at
                )
                count += gone[0]
                if on_removed is not None and gone[1]:
                    on_removed(scope, gone[1])
            return count
        except PublishError:
            self.close()
            raise

    def publish_status(self, payload: bytes) -> None:
        if self._session is None or self._session.lost:
            raise PublishError("not connected to the broker")
        try:
            self._session.publish(self._status_topic, payload, content_type=JSON_CONTENT_TYPE)
        except PublishError:
            self.close()
            raise

    def close(self, final_status: bytes | None = None) -> None:
        session, self._session = self._session, None
        self._views.clear()
        if session is None:
            return
        if final_status is not None and not session.lost:
            try:
                session.publish(self._status_topic, final_status, content_type=JSON_CONTENT_TYPE)
            except PublishError as exc:
                log.info("could not publish the final status: %s", exc)
        session.__exit__()

    # -- internals -------------------------------------------------------------------------
    def _ensure(self, scopes: Iterable[str]) -> CentralSession:
        if self._session is not None and self._session.lost:
            log.warning("broker %s:%s closed the connection", self._cfg.host, self._cfg.port)
            self.close()
        if self._session is None:
            session = self._factory()
            session.__enter__()
            self._session = session
            self.connects += 1
            log.info("connected to broker %s:%s", self._cfg.host, self._cfg.port)
        unread = sorted(s for s in scopes if s not in self._views)
        if unread:
            read = self._session.snapshot_many([("ars", s) for s in unread])
            for scope in unread:
                index, _ = read[("ars", scope)]
                self._views[scope] = _View(index, self._session.retained_payloads("ars", scope))
        return self._session

    def _sync_scope(
        self,
        session: CentralSession,
        scope: str,
        wanted: dict[str, bytes],
        removed: set[str],
        at: datetime,
    ) -> tuple[int, set[str]]:
        view = self._views[scope]
        changed = sorted(k for k, p in wanted.items() if view.payloads.get(k) != p)
        gone = {k for k in removed if k not in wanted}
        present = {k for k in gone if k in view.payloads or k in view.index.incidents}
        if not changed and not present:
            return 0, gone
        index = IncidentIndex({k: list(v) for k, v in view.index.incidents.items()})
        alerts = {k: parse_alert(wanted[k]) for k in changed}
        for key, alert in alerts.items():
            index.add(key, [alert.identifier, *alert.references])
        for key in present:
            index.incidents.pop(key, None)
        prefix = self._cfg.prefix
        if index.incidents != view.index.incidents:
            topic = index_topic(prefix, "ars", scope)
            session.publish(topic, index.to_payload(at), content_type=JSON_CONTENT_TYPE)
            view.index = index
        for key in changed:
            payload = wanted[key]
            session.publish(
                alert_topic(prefix, "ars", scope, key),
                payload,
                content_type=alerts[key].content_type or sniff_content_type(payload),
                expiry_s=message_expiry_s(alerts[key], at),
            )
            view.payloads[key] = payload
            alert = alerts[key]
            log.info("published %s %s as %s/%s", alert.msg_type, alert.identifier, scope, key)
        for key in sorted(present):
            topic = alert_topic(prefix, "ars", scope, key)
            if self._signing:  # a signed end first: steles that require signatures need it
                session.publish(topic, b"", retain=False)
            session.publish(topic, b"", sign=False)
            view.payloads.pop(key, None)
            log.info("cleared incident %s/%s", scope, key)
        self.alert_publishes += len(changed)
        return len(changed), gone
