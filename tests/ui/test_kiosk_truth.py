"""The ack says exactly how an alert is visible, and only once it is on the glass and on disk.

Real Mosquitto, real QML offscreen, the real state directory; every ack is checked against
what the scene draws at that moment (docs/mqtt.md, "Ack").
"""

from __future__ import annotations

import base64
import json
import shutil
from typing import Any

import pytest

from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from stele.ui.app import Kiosk
from tests.capgen import CapSpec, InfoSpec, cap_xml
from tests.ui.kiosk_helpers import (
    DEVICE,
    PREFIX,
    Central,
    kiosk_config,
    new_kiosk,
    red_fraction,
    visible_texts,
    wait_online,
)

pytestmark = pytest.mark.usefixtures("qapp")


def alert(identifier: str, severity: str, headline: str, **kw: Any) -> bytes:
    return cap_xml(
        CapSpec(identifier=identifier, infos=[InfoSpec(severity=severity, headline=headline)], **kw)
    )




def start(cfg: Any) -> Kiosk:
    k = new_kiosk(cfg)
    k.start()
    return k






def acks(central: Central) -> list[dict]:
    return [json.loads(p) for p in central.payloads(f"{PREFIX}/device/{DEVICE}/ack")]


class GlassAtAck:
    """What the scene draws at the instant each ack is published (not later)."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.seen: list[tuple[str, str, str, float]] = []  # identifier, form, texts, red share
        kiosk.acked.connect(self._record)
        self._kiosk = kiosk

    def _record(self, p: Any) -> None:
        image = self._kiosk.view.grabWindow()
        self.seen.append(
            (
                p.identifier,
                p.layout,
                " | ".join(visible_texts(self._kiosk.view)),
                red_fraction(image),
            )
        )


def test_exercise_below_an_actual_banner_is_acked_as_the_slide_it_is(kiosk, central, qtbot) -> None:
    glass = GlassAtAck(kiosk)
    wait_online(qtbot, central)
    central.alert("k1", alert("BANNER-1", "Moderate", "Sturmböen im Stadtgebiet"))
    qtbot.waitUntil(
        lambda: any(a["identifier"] == "BANNER-1" for a in acks(central)), timeout=10_000
    )
    central.alert("k2", alert("EXERCISE-1", "Severe", "Probealarm Sirenen", status="Exercise"))
    qtbot.waitUntil(
        lambda: any(a["identifier"] == "EXERCISE-1" for a in acks(central)), timeout=10_000
    )
    qtbot.wait(300)
    forms = {(a["identifier"], a["layout"]) for a in acks(central)}
    assert forms == {("BANNER-1", "banner"), ("EXERCISE-1", "slide")}  # never "takeover"
    seen = {ident: (form, texts, red) for ident, form, texts, red in glass.seen}
    assert "Probealarm Sirenen" in seen["EXERCISE-1"][1]  # drawn at the moment of its ack
    assert "Sturmböen im Stadtgebiet" in seen["EXERCISE-1"][1]  # and the banner still is
    assert kiosk.screen.mode.value == "banner" and kiosk.screen.takeover is None


def test_listed_alert_is_acked_again_when_it_becomes_the_takeover(kiosk, central, qtbot) -> None:
    glass = GlassAtAck(kiosk)
    wait_online(qtbot, central)
    central.alert("k1", alert("EXTREME-1", "Extreme", "Deichbruch Unterburg"))
    central.alert(
        "k2", alert("SEVERE-1", "Severe", "Starkregen Ohligs", sent="2026-11-22T13:00:00+01:00")
    )
    qtbot.waitUntil(lambda: len(acks(central)) == 2, timeout=10_000)
    assert {(a["identifier"], a["layout"]) for a in acks(central)} == {
        ("EXTREME-1", "takeover"),
        ("SEVERE-1", "listed"),
    }
    central.alert("k1", b"")  # the server ends the extreme one
    qtbot.waitUntil(lambda: len(acks(central)) == 3, timeout=10_000)
    assert (
        acks(central)[-1]["identifier"] == "SEVERE-1" and acks(central)[-1]["layout"] == "takeover"
    )
    qtbot.wait(300)
    assert len(acks(central)) == 3  # no ack for a demotion or an unchanged form
    ident, form, texts, red = glass.seen[-1]
    assert (ident, form) == ("SEVERE-1", "takeover") and "Starkregen Ohligs" in texts and red > 0.3


def test_an_alert_not_visible_at_all_is_not_acked(kiosk, central, qtbot) -> None:
    glass = GlassAtAck(kiosk)
    wait_online(qtbot, central)
    for i in range(6):
        central.alert(
            f"k{i}",
            alert(f"E-{i}", "Extreme", f"Warnung Nummer {i}", sent=f"2026-11-22T1{i}:00:00+01:00"),
        )
    qtbot.waitUntil(lambda: len(kiosk.screen.alerts) == 6, timeout=10_000)
    qtbot.waitUntil(
        lambda: {"E-2", "E-3", "E-4", "E-5"} <= {a["identifier"] for a in acks(central)},
        timeout=10_000,
    )
    qtbot.wait(500)
    # Portrait: one takeover and three listed lines; two alerts are only counted ("+ 2").
    assert "+ 2 weitere" in " | ".join(visible_texts(kiosk.view))
    # Every ack was sent while its headline was drawn (E-0 and E-1 may have been, before
    # the newer ones arrived and pushed them out of the list; never after).
    assert len(glass.seen) == len(acks(central))
    for ident, _form, texts, _red in glass.seen:
        assert f"Warnung Nummer {ident[-1]}" in texts, ident
    count = len(acks(central))
    central.alert(
        "k9", alert("E-9", "Extreme", "Warnung Nummer 9", sent="2026-11-22T09:00:00+01:00")
    )
    qtbot.waitUntil(lambda: len(kiosk.screen.alerts) == 7, timeout=10_000)
    qtbot.wait(500)
    assert len(acks(central)) == count  # the oldest of seven is nowhere on the glass: no ack


def test_ack_only_when_the_alert_is_on_disk(kiosk, central, qtbot, tmp_path) -> None:
    on_disk_at_ack: list[bool] = []

    def check(p: Any) -> None:
        # Read the entry files as a reboot would find them (read-only: a StateStore.load here
        # would also sweep the writer's temporary files from under it).
        payloads = []
        for f in (tmp_path / "state" / "alerts.d").glob("e-*.json"):
            payloads.append(base64.b64decode(json.loads(f.read_bytes())["raw"]))
        on_disk_at_ack.append(
            any(f"<identifier>{p.identifier}</identifier>".encode() in raw for raw in payloads)
        )

    kiosk.acked.connect(check)
    wait_online(qtbot, central)
    for i in range(5):
        central.alert(f"k{i}", alert(f"D-{i}", ("Extreme", "Moderate")[i % 2], f"Meldung {i}"))
    qtbot.waitUntil(lambda: len(on_disk_at_ack) >= 2, timeout=10_000)
    assert all(on_disk_at_ack)


def test_a_full_disk_acks_at_once_with_the_problem_then_recovers_by_itself(
    broker, central, tmp_path, qtbot
) -> None:
    state = tmp_path / "state"
    state.write_text("a file where the state directory should be: every save fails")
    k = start(kiosk_config(tmp_path, broker.port))
    try:
        wait_online(qtbot, central)
        central.alert("k1", alert("FULL-1", "Extreme", "Hochwasser"))
        qtbot.waitUntil(lambda: bool(acks(central)), timeout=10_000)
        problem = central.find_json("status", lambda d: d.get("problems"))
        assert problem is not None and problem["alerts"] == ["FULL-1"]
        state.unlink()  # the technician frees the card; nothing new arrives
        qtbot.waitUntil(
            lambda: (
                central.find_json("status", lambda d: d.get("mode") == "crisis") is not None
                and not central.find_json("status")["problems"]
            ),
            timeout=15_000,
        )
        book = AlertBook(place=None)
        assert StateStore(state).load(book) == 1  # retried until the book was on disk
    finally:
        k.stop()
        k.dispose()


def test_leftover_temp_files_are_removed_at_start(broker, tmp_path, qtbot) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / ".alerts-x1y2.tmp").write_bytes(b'{"half": ')  # a save killed mid-write
    k = start(kiosk_config(tmp_path, broker.port))
    try:
        assert not list(state.glob("*.tmp"))
    finally:
        k.stop()
        k.dispose()


def test_a_restored_crisis_skips_the_rehearsal(broker, central, tmp_path, qtbot) -> None:
    cfg = kiosk_config(tmp_path, broker.port)
    first = start(cfg)
    wait_online(qtbot, central)
    central.alert("k1", alert("KEEP-1", "Extreme", "Evakuierung Burg"))
    qtbot.waitUntil(lambda: bool(acks(central)), timeout=10_000)
    first.stop()
    first.dispose()
    broker.stop()

    second = new_kiosk(cfg)
    try:
        # Before the event loop ran once: the real crisis is already on the bridge, no cover.
        assert not second.bridge.warmingUp
        assert second.bridge.top.identifier == "KEEP-1"
        second.start()
        qtbot.waitUntil(
            lambda: "Evakuierung Burg" in " | ".join(visible_texts(second.view)), timeout=2_000
        )
    finally:
        second.stop()
        second.dispose()


def test_a_real_alert_preempts_the_rehearsal(broker, central, tmp_path, qtbot) -> None:
    import time

    from stele.adapters.mqtt import Incoming

    k = new_kiosk(kiosk_config(tmp_path, broker.port))
    applied: list[str] = []
    k.bridge.topChanged.connect(lambda: applied.append(str(k.bridge.top.identifier)))
    try:
        assert k.bridge.warmingUp  # rehearsing under the cover, no event loop turn yet
        # The message as paho's thread hands it over, while the rehearsal is still running.
        k.inbox.put(
            Incoming(
                "alert",
                "all",
                "",
                "k1",
                f"{PREFIX}/alerts/all/k1",
                alert("NOW-1", "Extreme", "Gasaustritt Innenstadt"),
                None,
                True,
                time.time_ns() // 1_000_000,
            )
        )
        k.start()
        qtbot.waitUntil(lambda: k.bridge.top.identifier == "NOW-1", timeout=2_000)
        assert not k.bridge.warmingUp  # pre-empted at once, not after the remaining screens
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: bool(acks(central)), timeout=10_000)
        assert acks(central)[0]["identifier"] == "NOW-1"
        qtbot.wait(300)
        after = applied[applied.index("NOW-1") :]
        assert all(
            not ident.startswith("warm-up") for ident in after
        )  # the rehearsal never came back
        assert "Gasaustritt Innenstadt" in " | ".join(visible_texts(k.view))
    finally:
        k.stop()
        k.dispose()


def test_state_dir_can_be_removed_between_runs(broker, tmp_path) -> None:
    """A technician wiping the state directory is a fresh start, not a crash."""
    shutil.rmtree(tmp_path / "state", ignore_errors=True)
    k = new_kiosk(kiosk_config(tmp_path, broker.port))
    k.stop()
    k.dispose()
