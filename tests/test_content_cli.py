"""The `stele content inspect | sync` contract (docs/content.md §6), run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.contentgen import blob, manifest, publish
from tests.httpd import HttpServer, Resource

ROOT = Path(__file__).resolve().parents[1]
SYNC_KEYS = ["version", "live", "requests", "downloaded_bytes", "files", "left_out"]


def stele(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("STELE_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "stele.cli", *map(str, args)],
        capture_output=True, text=True, timeout=60, env=env,
    )


def write_manifest(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "manifest.json"
    path.write_bytes(manifest("2026-12-01.3", items))
    return path


def config(tmp_path: Path, url: str | None, tags: str = '["innenstadt"]') -> Path:
    path = tmp_path / "stele.toml"
    path.write_text(
        f'[device]\nid = "t-1"\nars = "051220000000"\nlatitude = 51.1\nlongitude = 7.0\n'
        f'tags = {tags}\ntimezone = "Europe/Berlin"\n'
        f'[storage]\ndir = "{tmp_path / "state"}"\n'
        + (f'[content]\nmanifest_url = "{url}"\n' if url else "")
    )
    return path


ITEMS = [
    {"id": "markt", "type": "text", "title": "Markt", "duration_s": 12,
     "schedule": {"times": [{"from": "10:00", "until": "22:00"}]}, "targets": {"ars": ["05122"]}},
    {"id": "bahnhof", "type": "text", "title": "Bahnhof", "targets": {"tags": ["bahnhof"]}},
    {"id": "film", "type": "video", "media": {"url": "f.mp4", "sha256": "a" * 64, "size": 1}},
    {"id": "event", "type": "text", "title": "Fest", "priority": 1,
     "schedule": {"from": "2026-12-24T00:00:00+01:00"}},
]


def test_inspect_prints_exactly_the_contract(tmp_path: Path) -> None:
    proc = stele("content", "inspect", write_manifest(tmp_path, ITEMS), "--at",
                 "2026-12-04T12:00:00+01:00", "--ars", "051220000000", "--tz", "Europe/Berlin")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["version", "playlist", "skipped", "next_change"]
    assert out["version"] == "2026-12-01.3"
    assert out["playlist"] == [
        {"id": "markt", "type": "text", "duration_s": 12},
        {"id": "film", "type": "video", "duration_s": None},  # the video's own length
    ]
    assert out["skipped"] == [{"id": "bahnhof", "reason": "targets"}, {"id": "event", "reason": "schedule"}]
    assert out["next_change"] == "2026-12-04T22:00:00+01:00"


def test_inspect_options_replace_the_configured_values(tmp_path: Path) -> None:
    cfg = config(tmp_path, None, tags='["bahnhof"]')
    path = write_manifest(tmp_path, ITEMS)
    at = ("--at", "2026-12-04T23:00:00+01:00")
    configured = json.loads(stele("content", "inspect", path, *at, "--config", cfg).stdout)
    assert [p["id"] for p in configured["playlist"]] == ["bahnhof", "film"]
    replaced = json.loads(stele("content", "inspect", path, *at, "--config", cfg, "--tag", "x", "--ars", "09").stdout)
    assert [p["id"] for p in replaced["playlist"]] == ["film"]
    assert {s["id"]: s["reason"] for s in replaced["skipped"]} == {
        "markt": "targets", "bahnhof": "targets", "event": "schedule"}
    night = ("--at", "2026-12-04T03:00:00+01:00")
    berlin = json.loads(stele("content", "inspect", path, *night, "--config", cfg).stdout)
    assert [p["id"] for p in berlin["playlist"]] == ["bahnhof", "film"]
    tokyo = json.loads(stele("content", "inspect", path, *night, "--config", cfg, "--tz", "Asia/Tokyo").stdout)
    assert [p["id"] for p in tokyo["playlist"]] == ["markt", "bahnhof", "film"]  # 11:00 there


def test_inspect_priority_and_default_now(tmp_path: Path) -> None:
    proc = stele("content", "inspect", write_manifest(tmp_path, ITEMS), "--at", "2027-01-01T12:00:00+01:00")
    out = json.loads(proc.stdout)
    assert [p["id"] for p in out["playlist"]] == ["event"]
    assert {"id": "film", "reason": "priority"} in out["skipped"]
    assert stele("content", "inspect", write_manifest(tmp_path, ITEMS)).returncode == 0


def test_inspect_invalid_manifest_exit_2_one_line_per_problem(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, [{"id": "a", "type": "text"}, {"id": "b", "type": "image", "fit": "fill"}])
    proc = stele("content", "inspect", path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f'{path}: items[0]: "title" is required for type "text"',
        f"{path}: items[1].fit: expected one of 'contain' or 'cover', got \"fill\"",
    ]
    assert stele("content", "inspect", tmp_path / "missing.json").returncode == 2
    assert stele("content", "inspect", path, "--at", "yesterday").returncode == 2


def sync(cfg: Path) -> tuple[int, dict[str, Any], str]:
    proc = stele("content", "sync", "--config", cfg)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout else {}), proc.stderr


def test_sync_first_then_unchanged_then_left_out(tmp_path: Path) -> None:
    files = {f"f{i}.png": blob(i) for i in range(3)}
    with HttpServer() as srv:
        publish(srv, "v1", files)
        cfg = config(tmp_path, srv.url("/content/manifest.json"))
        code, out, err = sync(cfg)
        assert code == 0, err
        assert list(out) == SYNC_KEYS
        assert out == {"version": "v1", "live": "v1", "requests": 4, "downloaded_bytes": 6000,
                       "files": {"cached": 0, "fetched": 3, "failed": 0}, "left_out": []}
        code, out, _ = sync(cfg)
        assert code == 0 and out["requests"] == 1 and out["downloaded_bytes"] == 0
        assert out["files"] == {"cached": 3, "fetched": 0, "failed": 0}
        publish(srv, "v2", {**files, "gone.png": blob(9)})
        srv.put("/content/media/gone.png", Resource(b"", status=404))
        code, out, _ = sync(cfg)
        assert code == 1 and out["live"] == "v2"
        assert [x["id"] for x in out["left_out"]] == ["gone"] and "HTTP 404" in out["left_out"][0]["reason"]
        publish(srv, "v3", {**files, "slow.png": blob(10)})
        srv.put("/content/media/slow.png", Resource(b"", status=503))
        code, out, _ = sync(cfg)
        assert code == 1 and (out["version"], out["live"]) == ("v3", "v2")  # still pending
        srv.put("/content/manifest.json", b'{"version": "v4", "items": [{"id": "x"}]}')
        code, out, err = sync(cfg)
        assert code == 2 and out["live"] == "v2"
        assert err.splitlines() == [f'stele: {srv.url("/content/manifest.json")}: items[0].type: required key missing']
    code, out, err = sync(cfg)  # the server is gone
    assert code == 3 and out["live"] == "v2" and "connection failed" in err


def test_sync_without_manifest_url_is_a_configuration_error(tmp_path: Path) -> None:
    code, out, err = sync(config(tmp_path, None))
    assert code == 2 and out == {} and "content.manifest_url is not set" in err


@pytest.mark.parametrize("bad", ['"ftp://x/m.json"', "42"])
def test_sync_with_a_bad_manifest_url_names_the_key(tmp_path: Path, bad: str) -> None:
    cfg = config(tmp_path, None)
    cfg.write_text(cfg.read_text() + f"[content]\nmanifest_url = {bad}\n")
    code, _, err = sync(cfg)
    assert code == 2 and "content.manifest_url" in err
