"""The bridge's parts without a broker: CAP-JSON + GeoJSON → CAP XML, the dashboard check,
the configuration's error lines, the replay timeline; and `stele bridge --replay` as a real
process against Mosquitto."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from stele.central.bridge_config import load_bridge_config
from stele.central.capxml import ConversionError, cap_xml, geojson_rings
from stele.central.fetch import FeedError
from stele.central.nina import parse_dashboard
from stele.central.replay import ReplayFetcher
from stele.config import ConfigLoadError
from stele.domain.cap import parse_alert
from tests.brokers import TestBroker
from tests.central.bridge_feeds import (
    NINA,
    SIERSBURG,
    dashboard_entry,
    geojson,
    load,
    mowas_alert,
)
from tests.mosquitto import TopicRecorder

ROOT = Path(__file__).resolve().parents[2]


def test_recorded_api31_warning_becomes_cap_xml_with_lat_lon_polygons() -> None:
    cap, geo = load("warning_dwd.json"), load("warning_dwd.geojson")
    xml = cap_xml(cap, geojson_rings(geo))
    alert = parse_alert(xml)
    assert alert.identifier == cap["identifier"] and alert.msg_type.value == "Update"
    assert [i.language for i in alert.infos] == ["de-DE", "en", "fr"]
    first = geo["features"][0]["geometry"]["coordinates"][0][0]  # GeoJSON: [lon, lat]
    for info in alert.infos:
        (area,) = info.areas
        (polygon,) = area.polygons
        assert polygon.points[0] == (first[1], first[0])
        assert polygon.points[0] == polygon.points[-1]
    assert alert.all_ars() == () and alert.all_warncells() == ()
    # The same input gives the same bytes: what restarts compare against the broker.
    assert cap_xml(cap, geojson_rings(geo)) == xml
    # The text survives: HTML in it stays text for the stele's own cleaning.
    assert "Gerüste" in alert.infos[0].instruction


def test_recorded_cancel_keeps_references_and_expires() -> None:
    cap = load("warning_mowas_cancel.json")
    alert = parse_alert(cap_xml(cap, geojson_rings(load("warning_mowas_cancel.geojson"))))
    assert alert.msg_type.value == "Cancel"
    assert "mow.DE-SL-SB-SE035-20260920-35-000" in alert.references
    assert all(i.expires is not None for i in alert.infos)


@pytest.mark.parametrize(
    ("geo", "reason"),
    [
        ({"type": "Feature"}, "not a FeatureCollection"),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {"geometry": {"type": "Polygon", "coordinates": [[[6.6, 49.3], [6.7, 49.3]]]}}
                ],
            },
            "at least 4",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [{"geometry": {"type": "Polygon", "coordinates": [[["x", 49.3]] * 4]}}],
            },
            "other than [lon, lat]",
        ),
    ],
)
def test_bad_geometry_is_refused_with_a_reason(geo: dict[str, object], reason: str) -> None:
    with pytest.raises(ConversionError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        geojson_rings(geo)


def test_multipolygon_gives_one_cap_polygon_per_part() -> None:
    ring = geojson("warning_mowas_cancel.geojson")["features"][0]["geometry"]["coordinates"]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [ring, ring]}}
        ],
    }
    assert len(geojson_rings(geo)) == 2


def test_recorded_dashboard_is_read_and_garbage_is_refused() -> None:
    listed = parse_dashboard((NINA / "dashboard_dwd.json").read_bytes(), "dashboard")
    (item,) = listed
    assert item.id.startswith("dwd.2.49.0.0.276.0.DWD.PVW.1789837260000")
    assert item.version.startswith("20:d954949d")
    for body, reason in [
        (b"", "not JSON"),
        (b'[{"id": "a"}', "not JSON"),
        (b'{"id": "a"}', "expected a JSON list"),
        (b'[{"payload": {}}]', "entry 0 has no warning id"),
    ]:
        with pytest.raises(FeedError, match=reason):
            parse_dashboard(body, "dashboard")


def test_bridge_config_errors_are_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(
        '[bridge]\nars = ["0512200000"]\npoll_s = 0\nstate_dir = "var"\nclear_after = 2\n'
        '[mqtt]\nport = "1883"\n[device]\nid = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigLoadError) as err:
        load_bridge_config(path, system_paths=())
    assert sorted(err.value.errors) == sorted(
        [
            f"{path}: [device] — unknown section",
            f'{path}: bridge.ars[0] = "0512200000" — expected 12 digits (Amtlicher '
            'Regionalschluessel), e.g. "051220000000"',
            f"{path}: bridge.poll_s = 0 — expected a number from 1 to 3600",
            f'{path}: bridge.state_dir = "var" — expected an absolute directory path, e.g. '
            '"/var/lib/stele-bridge"',
            f"{path}: bridge.clear_after = 2 — unknown key (did you mean bridge.clear_after_polls?)",
            f'{path}: mqtt.port = "1883" — expected a whole number from 1 to 65535 (without quotes)',
        ]
    )


def test_bridge_config_needs_somewhere_to_publish(tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text('[bridge]\nwarncells = ["805122000"]\n', encoding="utf-8")
    with pytest.raises(ConfigLoadError, match=r"bridge\.warncells .* needs bridge\.ars"):
        load_bridge_config(path, system_paths=())
    path.write_text(f'[bridge]\nars = ["{SIERSBURG}"]\n', encoding="utf-8")
    cfg = load_bridge_config(path, system_paths=())
    assert cfg.bridge.nina_url == "https://warnung.bund.de/api31" and cfg.bridge.poll_s == 30


def make_replay(root: Path) -> Path:
    """Two steps of recorded-shape feeds: a warning at t=0, gone at t=10 s."""
    alert = mowas_alert()
    wid = quote(alert["identifier"], safe="")
    for step, listed in (("t0", [alert]), ("t1", [])):
        base = root / step / "nina"
        (base / "dashboard").mkdir(parents=True)
        (base / "warnings").mkdir()
        (base / "dashboard" / "100440000000.json").write_text(
            json.dumps([dashboard_entry(c) for c in listed])
        )
        (base / "warnings" / f"{wid}.json").write_text(json.dumps(alert))
        (base / "warnings" / f"{wid}.geojson").write_text(
            json.dumps(geojson("warning_mowas_cancel.geojson"))
        )
    (root / "timeline.json").write_text(
        json.dumps([{"at_s": 0, "dir": "t0"}, {"at_s": 10, "dir": "t1"}])
    )
    return root


def test_replay_fetcher_follows_the_timeline_at_its_speed(tmp_path: Path) -> None:
    now = [100.0]
    fetcher = ReplayFetcher(make_replay(tmp_path), speed=5.0, monotonic=lambda: now[0])
    url = "replay://nina/dashboard/100440000000.json"
    assert json.loads(fetcher.get(url).body) != []
    assert fetcher.get(url).changed is False  # the same body: a 304's worth
    now[0] += 2.0  # 10 s of recorded time at 5x
    assert json.loads(fetcher.get(url).body) == []
    with pytest.raises(FeedError, match="404"):
        fetcher.get("replay://nina/dashboard/050000000000.json")


def test_stele_bridge_replays_recorded_feeds_as_a_process(
    broker: TestBroker, tmp_path: Path
) -> None:
    replay = make_replay(tmp_path / "replay")
    config = tmp_path / "bridge.toml"
    auth = "".join(f'{k} = "{v}"\n' for k, v in broker.auth.items())
    config.write_text(
        f'[bridge]\nars = ["{SIERSBURG}"]\npoll_s = 5\nclear_after_polls = 2\n'
        f'state_dir = "{tmp_path / "state"}"\n'
        f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n{auth}',
        encoding="utf-8",
    )
    rec = TopicRecorder(broker, f"stele/v1/alerts/ars/{SIERSBURG}/+", "stele/v1/bridge/status")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NOTIFY_SOCKET", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stele.cli",
            "bridge",
            "--config",
            str(config),
            "--replay",
            str(replay),
            "--speed",
            "10",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        alerts = f"stele/v1/alerts/ars/{SIERSBURG}/"
        assert rec.wait_for(lambda m: any(t.startswith(alerts) and p for t, p, *_ in m), 10)
        # At 10x: t1 (no warning) after 1 s, then two polls 0.5 s apart clear it.
        assert rec.wait_for(lambda m: any(t.startswith(alerts) and not p for t, p, *_ in m), 10)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    time.sleep(0.2)
    rec.close()
    status = [json.loads(p) for t, p, *_ in rec.messages if t.endswith("bridge/status") and p]
    assert status[-1]["state"] == "offline" and status[0]["state"] == "online"
    assert "replaying" in err and "clearing incident" in err


def test_reconciler_clears_an_expired_incident_and_remembers_across_restarts(
    tmp_path: Path,
) -> None:
    from datetime import datetime, timedelta

    from stele.central.reconcile import Poll, Reconciler

    cancel = load("warning_mowas_cancel.json")  # expires 2026-09-20T23:50:56+02:00
    xml = cap_xml(cancel, geojson_rings(load("warning_mowas_cancel.geojson")))
    feeds = {"nina:100440000000": (SIERSBURG,)}
    state = tmp_path / "state.json"
    rec = Reconciler(feeds, clear_after_polls=5, state_path=state)
    before = datetime.fromisoformat("2026-09-20T18:00:00+02:00")
    rec.apply_poll(Poll("nina:100440000000", {cancel["identifier"]: xml}), before)
    (key,) = rec.wanted()[SIERSBURG]
    rec.save()
    again = Reconciler(feeds, clear_after_polls=5, state_path=state)
    again.load()
    assert list(again.incidents[SIERSBURG]) == [key]
    assert again.wanted() == {SIERSBURG: {}}  # the message itself comes with the next poll
    after = datetime.fromisoformat("2026-09-20T23:51:00+02:00")
    assert after - before > timedelta(hours=5)
    again.apply_poll(Poll("nina:100440000000", {cancel["identifier"]: xml}), after)
    assert again.incidents[SIERSBURG] == {} and again.removals() == {SIERSBURG: {key}}
    again.removal_done(SIERSBURG, {key})
    assert again.removals() == {}
    # Still listed by the feed after it expired: it does not come back.
    later = after + timedelta(minutes=1)
    again.apply_poll(Poll("nina:100440000000", {cancel["identifier"]: xml}), later)
    assert again.incidents[SIERSBURG] == {} and again.wanted() == {SIERSBURG: {}}
