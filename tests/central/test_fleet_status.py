"""`stele fleet status` reads the fields the stele's status really carries (docs/mqtt.md)."""

from __future__ import annotations

import json

from stele.central.fleet import parse_status


def test_the_content_column_is_the_live_manifest_version() -> None:
    payload = {
        "state": "online",
        "mode": "normal",
        "version": "1.0",
        "alerts": [],
        "content": "2026-12-01.3",
        "slide": "markt",
        "problems": [],
    }
    status = parse_status("stele-01", json.dumps(payload).encode())
    assert status.content_version == "2026-12-01.3"
    assert parse_status("stele-02", b'{"state": "online"}').content_version == "-"


def test_an_unreadable_status_is_a_problem_not_a_crash() -> None:
    status = parse_status("stele-03", b"\xff not json")
    assert status.state == "?" and status.problems[0].startswith("status unreadable")
