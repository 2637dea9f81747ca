"""`stele bridge` end to end: the real HTTP server replays recorded api31 / DWD data, a real
Mosquitto carries the result, and the stele's own domain code decides what a stele at a
given place would show (tests/central/bridge_feeds.py says which messages are recorded and
which derived)."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from stele.adapters.sdnotify import Notifier
from stele.central.bridge import Bridge, CycleReport
from stele.central.bridge_config import BridgeConfig
from stele.central.nina import kreis_of
from stele.domain.book import AlertBook
from stele.domain.cap import parse_alert
from stele.domain.decide import decide_layout
from stele.domain.model import Layout
from stele.domain.targeting import Place
from tests.brokers import TestBroker
from tests.central.bridge_feeds import (
    HALBERSTADT,
    HALBERSTADT_CENTRE,
    IN_SIERSBURG_POLYGON,
    IN_WERNIGERODE_POLYGON,
    SIERSBURG,
    SIERSBURG_OUTSIDE_POLYGON,
    WERNIGERODE,
    Api31,
    bridge_config,
    dwd_predecessor,
    dwd_update,
    dwd_zip,
    geojson,
    mowas_alert,
    mowas_cancel,
)
from tests.httpd import HttpServer
from tests.mosquitto import TopicRecorder

PREFIX = "stele/v1"
NOW = datetime.fromisoformat("2026-09-20T18:00:00+02:00")  # the recordings' own time
SAARLOUIS, HARZ = kreis_of(SIERSBURG), kreis_of(WERNIGERODE)


class Harness:
    """One bridge with a clock and a monotonic time the test moves (polls are real)."""

    def __init__(self, cfg: BridgeConfig, now: datetime = NOW) -> None:
        self.mono = 0.0
        self.now = now
        self.bridge = Bridge(
            cfg,
            clock=lambda: self.now,
            monotonic=lambda: self.mono,
            rng=random.Random(7),
            notifier=Notifier({}),
        )

    def poll(self) -> CycleReport:
        """One cycle at the moment every feed is due (interval, jitter, backoff passed)."""
        due = max(f.next_due for f in self.bridge.feeds.values())
        self.mono = max(self.mono + 100.0, due + 0.001)
        return self.bridge.cycle()

    def close(self) -> None:
        self.bridge.link.close()


@pytest.fixture
def api() -> Iterator[Api31]:
    with HttpServer() as server:
        yield Api31(server)


def _inside(payload: bytes) -> bytes:
    """A signed index's JSON (a signing bridge wraps it; checked where that is tested)."""
    from stele.adapters.signed import decode, is_envelope

    return decode(payload).payload if is_envelope(payload) else payload


def retained(broker: TestBroker) -> dict[str, bytes]:
    """What a stele connecting now would receive: every retained alert and index. By the
    exact topics the indexes list too, for a broker that delivers no retained message to
    a wildcard (RabbitMQ, docs/brokers.md)."""
    scopes = (SIERSBURG, WERNIGERODE, HALBERSTADT)
    indexes = [f"{PREFIX}/index/ars/{a}" for a in scopes]
    rec = TopicRecorder(broker, f"{PREFIX}/alerts/#", *indexes)
    time.sleep(0.3)
    rec.close()
    got = {t: p for t, p, r, _ in rec.messages if r and p}
    listed = [
        f"{PREFIX}/alerts/ars/{a}/{k}"
        for a in scopes
        for k in (
            json.loads(_inside(got[f"{PREFIX}/index/ars/{a}"]))["keys"]
            if f"{PREFIX}/index/ars/{a}" in got
            else []
        )
    ]
    if listed and not all(t in got for t in listed):
        exact = TopicRecorder(broker, *listed)
        time.sleep(0.3)
        exact.close()
        got.update({t: p for t, p, r, _ in exact.messages if r and p})
    return got


def alerts_of(state: dict[str, bytes], ars: str) -> dict[str, bytes]:
    head = f"{PREFIX}/alerts/ars/{ars}/"
    return {t[len(head) :]: p for t, p in state.items() if t.startswith(head)}


def index_of(state: dict[str, bytes], ars: str) -> list[str]:
    raw = state.get(f"{PREFIX}/index/ars/{ars}")
    return json.loads(raw)["keys"] if raw else []


def shown_at(payload: bytes, ars: str, lat: float, lon: float, now: datetime = NOW) -> Layout:
    """What the stele's own decision puts on a stele there (addressed on its ARS topic)."""
    return decide_layout(parse_alert(payload), Place(lat=lat, lon=lon, ars=ars), now)


def test_new_mowas_warning_reaches_the_steles_in_its_polygon_only(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert = mowas_alert()
    api.warning(alert, geojson("warning_mowas_cancel.geojson", alert["identifier"]))
    api.dashboard(SAARLOUIS, alert)
    api.dashboard(HARZ)
    h = Harness(bridge_config(broker, api, tmp_path))
    report = h.poll()
    assert report.broker_ok and report.published == 1
    state = retained(broker)
    ((key, payload),) = alerts_of(state, SIERSBURG).items()
    assert index_of(state, SIERSBURG) == [key]
    assert alerts_of(state, WERNIGERODE) == {}  # another Kreis: not published there
    cap = parse_alert(payload)
    assert cap.identifier == alert["identifier"] and cap.content_type == "application/cap+xml"
    (polygon,) = {p for info in cap.infos for area in info.areas for p in area.polygons}
    assert all(49 < lat < 50 and 6 < lon < 7 for lat, lon in polygon.points)  # lat,lon order
    assert b"<geocode>" not in payload  # nothing that widens the area to the Kreis
    assert shown_at(payload, SIERSBURG, *IN_SIERSBURG_POLYGON) is not Layout.NONE
    assert shown_at(payload, SIERSBURG, *SIERSBURG_OUTSIDE_POLYGON) is Layout.NONE
    h.close()


def test_recorded_dwd_warning_in_api31_targets_by_polygon(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    warning = dwd_update()
    api.warning(warning, geojson("warning_dwd.geojson"))
    api.dashboard(HARZ, warning)
    api.dashboard(SAARLOUIS)
    h = Harness(bridge_config(broker, api, tmp_path))
    assert h.poll().published == 2  # Wernigerode and Halberstadt: both in the Kreis Harz
    state = retained(broker)
    (w,) = alerts_of(state, WERNIGERODE).values()
    (hb,) = alerts_of(state, HALBERSTADT).values()
    assert shown_at(w, WERNIGERODE, *IN_WERNIGERODE_POLYGON) is Layout.BANNER  # Moderate
    assert shown_at(hb, HALBERSTADT, *HALBERSTADT_CENTRE) is Layout.NONE
    h.close()


@pytest.mark.all_brokers
def test_update_replaces_its_alert_on_the_same_incident(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    first, update = dwd_predecessor(), dwd_update()
    api.warning(first, geojson("warning_dwd.geojson"))
    api.warning(update, geojson("warning_dwd.geojson"))
    api.dashboard(SAARLOUIS)
    api.dashboard(HARZ, first)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(WERNIGERODE,)))
    h.poll()
    (key,) = alerts_of(retained(broker), WERNIGERODE)
    api.dashboard(HARZ, update)  # the feed now lists only the Update, as api31 does
    assert h.poll().published == 1
    state = retained(broker)
    assert list(alerts_of(state, WERNIGERODE)) == [key] and index_of(state, WERNIGERODE) == [key]
    assert parse_alert(alerts_of(state, WERNIGERODE)[key]).identifier == update["identifier"]
    for _ in range(4):  # the Alert's id is gone from the feed, the incident is not
        assert h.poll().published == 0
    assert list(alerts_of(retained(broker), WERNIGERODE)) == [key]
    h.close()


def test_cancel_gives_the_all_clear_then_ends(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert, cancel = mowas_alert(), mowas_cancel()
    geo = geojson("warning_mowas_cancel.geojson")
    api.warning(alert, geo)
    api.warning(cancel, geo)
    api.dashboard(HARZ)
    api.dashboard(SAARLOUIS, alert)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG,), clear_after_polls=2))
    h.poll()
    (key, first) = next(iter(alerts_of(retained(broker), SIERSBURG).items()))
    api.dashboard(SAARLOUIS, cancel)
    assert h.poll().published == 1
    (key2, second) = next(iter(alerts_of(retained(broker), SIERSBURG).items()))
    assert key2 == key
    book = AlertBook(place=Place(lat=IN_SIERSBURG_POLYGON[0], lon=IN_SIERSBURG_POLYGON[1]))
    book.receive(parse_alert(first), NOW)
    assert [e.alert.identifier for e, _ in book.shown(NOW)] == [alert["identifier"]]
    book.receive(parse_alert(second), NOW)
    assert book.shown(NOW) == []
    all_clear = book.current_all_clear(NOW)
    assert all_clear is not None and all_clear.cancel.identifier == cancel["identifier"]
    api.dashboard(SAARLOUIS)  # the Cancel leaves the feed: cleared after 2 polls
    h.poll()
    assert alerts_of(retained(broker), SIERSBURG)
    h.poll()
    state = retained(broker)
    assert alerts_of(state, SIERSBURG) == {} and index_of(state, SIERSBURG) == []
    h.close()


def one_mowas_warning(api: Api31) -> tuple[dict[str, Any], str]:
    """A MoWaS warning listed on the Saarlouis dashboard (Harz empty); the dashboard's path."""
    alert = mowas_alert()
    api.warning(alert, geojson("warning_mowas_cancel.geojson"))
    api.dashboard(HARZ)
    return alert, api.dashboard(SAARLOUIS, alert)


def test_vanishing_for_one_poll_keeps_it_for_n_polls_clears_it(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert, _ = one_mowas_warning(api)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG,), clear_after_polls=3))
    h.poll()
    api.dashboard(SAARLOUIS)  # gone for one poll ...
    h.poll()
    api.dashboard(SAARLOUIS, alert)  # ... and back: the count starts again
    assert h.poll().published == 0
    assert len(alerts_of(retained(broker), SIERSBURG)) == 1
    api.dashboard(SAARLOUIS)
    h.poll()
    h.poll()
    assert len(alerts_of(retained(broker), SIERSBURG)) == 1  # 2 of 3
    h.poll()
    state = retained(broker)
    assert alerts_of(state, SIERSBURG) == {} and index_of(state, SIERSBURG) == []
    h.close()


def test_not_modified_is_a_successful_poll_that_still_lists_it(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    _, path = one_mowas_warning(api)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG,), clear_after_polls=1))
    h.poll()
    for _ in range(3):
        h.poll()
    assert [r.status for r in api.server.requests if r.path == path] == [200, 304, 304, 304]
    assert len(alerts_of(retained(broker), SIERSBURG)) == 1
    assert h.bridge.feeds[f"nina:{SAARLOUIS}"].last_ok == NOW
    h.close()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"delay_s": 3.0}, "no answer within 2 s"),
        ({"body": b"<html>Wartungsarbeiten</html>"}, "not JSON"),
        ({"body": b'{"error": "busy"}'}, "expected a JSON list of warnings"),
        ({"cut_at": 40}, "cut short"),
    ],
)
def test_failed_polls_clear_nothing_and_say_why(
    broker: TestBroker,
    api: Api31,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
    reason: str,
) -> None:
    _, path = one_mowas_warning(api)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG,), clear_after_polls=1))
    h.poll()
    res = api.server.resource(path)
    if "body" in fault:
        api.server.put(path, fault["body"], "application/json")
    else:
        for k, v in fault.items():
            setattr(res, k, v)
        res.etag = '"changed"'  # so that no 304 hides the fault
    caplog.set_level(logging.WARNING, "stele.bridge")
    for _ in range(3):
        report = h.poll()
        assert report.failed == [f"nina:{SAARLOUIS}"]
    assert len(alerts_of(retained(broker), SIERSBURG)) == 1
    lines = [r.getMessage() for r in caplog.records if "poll failed" in r.getMessage()]
    assert len(lines) == 3 and all(reason in ln and "nothing cleared" in ln for ln in lines), lines
    status = json.loads(retained_status(broker))
    assert status["sources"][f"nina:{SAARLOUIS}"]["failing"] == 3
    h.close()


def retained_status(broker: TestBroker) -> bytes:
    rec = TopicRecorder(broker, f"{PREFIX}/bridge/status")
    assert rec.wait_for(lambda m: m, 3)
    rec.close()
    return rec.messages[-1][1]


@pytest.mark.all_brokers
def test_broker_outage_is_made_good_after_reconnect(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert, other = mowas_alert(), dwd_update()
    api.warning(alert, geojson("warning_mowas_cancel.geojson"))
    api.warning(other, geojson("warning_dwd.geojson"))
    api.dashboard(SAARLOUIS, alert)
    api.dashboard(HARZ)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG, WERNIGERODE)))
    h.poll()
    broker.stop()
    # Ten minutes of polls without a broker: the Siersburg warning ends, a Harz one starts.
    api.dashboard(SAARLOUIS)
    api.dashboard(HARZ, other)
    for _ in range(20):
        report = h.poll()
        assert report.broker_ok is False and report.polled
    broker.start()
    report = h.poll()
    assert report.broker_ok is True
    state = retained(broker)
    assert alerts_of(state, SIERSBURG) == {} and index_of(state, SIERSBURG) == []
    (payload,) = alerts_of(state, WERNIGERODE).values()
    assert parse_alert(payload).identifier == other["identifier"]
    assert h.poll().published == 0  # in step: nothing more to do
    h.close()


@pytest.mark.all_brokers
def test_restart_publishes_nothing_already_retained(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert, other = mowas_alert(), dwd_update()
    api.warning(alert, geojson("warning_mowas_cancel.geojson"))
    api.warning(other, geojson("warning_dwd.geojson"))
    api.dashboard(SAARLOUIS, alert)
    api.dashboard(HARZ, other)
    cfg = bridge_config(broker, api, tmp_path)
    first = Harness(cfg)
    assert first.poll().published == 3
    first.close()
    live = TopicRecorder(broker, f"{PREFIX}/alerts/#", f"{PREFIX}/index/#")
    time.sleep(0.3)
    before = len(live.messages)
    warning_requests = sum(1 for r in api.server.requests if "/warnings/" in r.path)
    second = Harness(cfg)
    assert second.poll().published == 0
    time.sleep(0.3)
    live.close()
    assert live.messages[before:] == []  # not one publish, not even the index
    # The warning details came from the state directory, not the feed.
    assert sum(1 for r in api.server.requests if "/warnings/" in r.path) == warning_requests
    second.close()


def test_a_burst_of_fifty_warnings_is_exactly_fifty_publishes(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    base = dwd_update()
    burst = []
    for n in range(50):
        cap = json.loads(json.dumps(base))
        cap["identifier"] = f"{base['identifier']}.burst{n:02d}"
        del cap["references"]  # fifty distinct warnings, as on Warntag 2020
        api.warning(cap, geojson("warning_dwd.geojson", cap["identifier"]))
        burst.append(cap)
    api.dashboard(HARZ, *burst)
    api.dashboard(SAARLOUIS)
    live = TopicRecorder(broker, f"{PREFIX}/alerts/#")
    h = Harness(bridge_config(broker, api, tmp_path, ars=(WERNIGERODE,)))
    assert h.poll().published == 50
    assert h.poll().published == 0
    assert live.wait_for(lambda m: len(m) >= 50)
    time.sleep(0.3)
    live.close()
    assert len(live.messages) == 50
    assert len({t for t, *_ in live.messages}) == 50
    h.close()


def test_exercise_and_test_pass_through_with_their_status(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    exercise, test = mowas_alert(), mowas_alert()
    exercise["status"], exercise["identifier"] = "Exercise", exercise["identifier"] + "-ex"
    test["status"], test["identifier"] = "Test", test["identifier"] + "-test"
    geo = geojson("warning_mowas_cancel.geojson")
    api.warning(exercise, geo)
    api.warning(test, geo)
    api.dashboard(SAARLOUIS, exercise, test)
    api.dashboard(HARZ)
    h = Harness(bridge_config(broker, api, tmp_path, ars=(SIERSBURG,)))
    assert h.poll().published == 2
    statuses = {
        parse_alert(p).status.value for p in alerts_of(retained(broker), SIERSBURG).values()
    }
    assert statuses == {"Exercise", "Test"}
    h.close()


def test_dwd_zip_by_warn_cell(broker: TestBroker, tmp_path: Path) -> None:
    with HttpServer() as server:
        server.put("/dwd/latest.zip", dwd_zip("07", "09"), "application/zip")
        xml07 = next((Path(__file__).parents[1] / "data" / "cap").glob("07_*")).read_bytes()
        cell = sorted(parse_alert(xml07).all_warncells())[0]
        cfg = bridge_config(
            broker,
            None,
            tmp_path,
            ars=(WERNIGERODE,),
            warncells=(cell,),
            dwd_url=server.url("/dwd/latest.zip"),
            nina_url=server.url("/nina"),
            clear_after_polls=2,
        )
        server.put(f"/nina/dashboard/{HARZ}.json", b"[]", "application/json")
        at = parse_alert(xml07).infos[0].effective or parse_alert(xml07).sent
        h = Harness(cfg, now=at)
        h.poll()
        (payload,) = alerts_of(retained(broker), WERNIGERODE).values()
        assert payload == xml07  # DWD's XML goes out unchanged
        server.put("/dwd/latest.zip", b"PK\x03\x04 not really", "application/zip")
        assert h.poll().failed == ["dwd"]
        assert len(alerts_of(retained(broker), WERNIGERODE)) == 1
        server.put("/dwd/latest.zip", dwd_zip("09"), "application/zip")
        h.poll()
        h.poll()
        assert alerts_of(retained(broker), WERNIGERODE) == {}
        h.close()


def test_warning_cache_keeps_only_what_the_feeds_list(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    alert, other = mowas_alert(), dwd_update()
    api.warning(alert, geojson("warning_mowas_cancel.geojson"))
    api.warning(other, geojson("warning_dwd.geojson"))
    api.dashboard(SAARLOUIS, alert)
    api.dashboard(HARZ, other)
    h = Harness(bridge_config(broker, api, tmp_path))
    h.poll()
    cache = tmp_path / "warnings"
    assert len(list(cache.glob("*.xml"))) == 2
    api.dashboard(HARZ)
    h.poll()
    assert len(list(cache.glob("*.xml"))) == 1
    h.close()


def test_a_signing_bridge_publishes_what_a_signature_requiring_stele_accepts(
    broker: TestBroker, api: Api31, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from stele.adapters.signed import Gate, is_envelope

    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "central.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    alert = mowas_alert()
    api.warning(alert, geojson("warning_mowas_cancel.geojson", alert["identifier"]))
    api.dashboard(SAARLOUIS, alert)
    cfg = bridge_config(broker, api, tmp_path / "state", signing_key=pem)
    first = Harness(cfg)
    assert first.poll().published == 1
    first.close()
    state = retained(broker)
    gate = Gate([public], require=True)
    signed_topics = [t for t in state if "/alerts/" in t or "/index/" in t]
    assert signed_topics
    for topic in signed_topics:
        assert is_envelope(state[topic]), topic
        verdict = gate.check(topic, state[topic], None)
        assert not verdict.error, (topic, verdict.error)
    inner = {t: gate.check(t, p, None).payload for t, p in state.items()}
    ((_, payload),) = alerts_of(inner, SIERSBURG).items()
    assert shown_at(payload, SIERSBURG, *IN_SIERSBURG_POLYGON) is not Layout.NONE
    # Signatures differ every time (they carry their time): a restart still compares the
    # payloads inside them and publishes nothing.
    second = Harness(cfg)
    assert second.poll().published == 0
    second.close()
