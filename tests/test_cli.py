"""The CLI contract of `stele alert inspect` / `replay`, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "cap"
INSPECT_KEYS = [
    "identifier", "sender", "sent", "status", "msg_type", "scope", "references", "language",
    "severity", "urgency", "certainty", "event", "headline", "description", "instruction",
    "effective", "onset", "expires", "ars", "warncells", "applies", "active", "layout",
]


def stele(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stele.cli", *map(str, args)],
        capture_output=True, text=True, timeout=60, env=env,
    )


def sample(prefix: str) -> Path:
    return next(DATA.glob(prefix + "*"))


def inspect(*args: str | Path) -> dict:
    proc = stele("alert", "inspect", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_inspect_prints_exactly_the_contract_keys() -> None:
    out = inspect(sample("01_"), "--at", "2022-02-17T06:00:00+01:00")
    assert list(out) == INSPECT_KEYS
    assert out["identifier"] == "DE-HH-HH-W240-20220217-003"
    assert out["msg_type"] == "Alert" and out["expires"] is None
    assert out["applies"] is None  # no place given
    assert out["active"] is True


def test_inspect_place_options_and_layout() -> None:
    args = (sample("05_"), "--at", "2022-02-17T18:00:00+01:00")
    out_here = inspect(*args, "--ars", out_ars := inspect(*args)["ars"][0])
    assert out_ars and out_here["applies"] is True
    assert out_here["layout"] == ("takeover" if out_here["active"] else "none")
    out_far = inspect(*args, "--lat", "48.137", "--lon", "11.575")
    assert out_far["applies"] is False and out_far["layout"] == "none"


def test_inspect_language_choice_and_warncells() -> None:
    out = inspect(sample("07_"), "--lang", "tr", "--warncell", "999999999")
    assert out["language"] == "tr"
    assert out["applies"] is False
    assert out["references"] and all("," not in r for r in out["references"])
    assert len(out["warncells"]) == len(set(out["warncells"])) > 0


def test_inspect_extreme_cancel_has_no_layout() -> None:
    out = inspect(sample("04_"), "--at", "2022-02-18T22:00:00+01:00", "--ars", "059740000000")
    assert out["severity"] == "Extreme" and out["msg_type"] == "Cancel"
    assert out["applies"] is True and out["layout"] == "none"


def test_replay_update_chain_then_cancel() -> None:
    proc = stele("alert", "replay", sample("03a_"), sample("03b_"), "--at", "2022-02-17T20:00:00+01:00")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [a["identifier"] for a in out["active"]] == ["DE-ST-MSH-W058-20220217-002"]
    assert set(out["active"][0]) == {"identifier", "headline", "severity", "status", "layout"}
    assert out["layout"] == out["active"][0]["layout"]
    assert out["all_clear"] is None

    proc = stele("alert", "replay", sample("01_"), sample("02_"), "--at", "2022-02-17T16:10:00+01:00")
    out = json.loads(proc.stdout)
    assert out["active"] == [] and out["layout"] == "none"
    assert out["all_clear"]["identifier"] == "DE-HH-HH-W240-20220217-011"
    assert out["all_clear"]["headline"]


def test_replay_orders_concurrent_alerts(tmp_path: Path) -> None:
    from tests.capgen import CapSpec, InfoSpec, cap_xml

    files = []
    for ident, sev in (("minor", "Minor"), ("extreme", "Extreme"), ("moderate", "Moderate")):
        f = tmp_path / f"{ident}.xml"
        f.write_bytes(cap_xml(CapSpec(identifier=ident, infos=[InfoSpec(severity=sev)])))
        files.append(f)
    out = json.loads(stele("alert", "replay", *files, "--at", "2026-11-22T15:00:00+01:00").stdout)
    assert [a["identifier"] for a in out["active"]] == ["extreme", "moderate", "minor"]
    assert [a["layout"] for a in out["active"]] == ["takeover", "banner", "loop"]
    assert out["layout"] == "takeover"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "cannot read"),
        (b"\x00\xff\xfe garbage \x89PNG", ""),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><alert>&x;</alert>', ""),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier></alert>", ""),
        (b'{"identifier": 5, "info": "nope"}', ""),
        (b"<" * (2 * 1024 * 1024 + 10), "limit"),
    ],
    ids=["missing", "binary", "entity", "incomplete", "wrong-types", "oversize"],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: bytes | None, needle: str) -> None:
    f = tmp_path / "msg"
    if content is not None:
        f.write_bytes(content)
    for cmd in (["inspect", f], ["replay", sample("01_"), f]):
        proc = stele("alert", *cmd)
        assert proc.returncode == 2
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr
        assert needle in lines[0]


def test_bad_at_is_a_usage_error() -> None:
    proc = stele("alert", "inspect", sample("01_"), "--at", "yesterday")
    assert proc.returncode == 2 and "--at" in proc.stderr


def test_config_check_prints_effective_config_or_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[device]\nid = "sg-hbf-01"\nars = "051220000000"\nlatitude = 51.16\nlongitude = 7.07\n'
                    '[mqtt]\nusername = "sg-hbf-01"\npassword = "hunter2"\n')
    proc = stele("config", "check", "--config", good, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert 'id = "sg-hbf-01"' in proc.stdout and "hunter2" not in proc.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[device]\nid = "sg-hbf-01"\nars = "05122"\nlatitude = 51.16\nlongitude = 7.07\n[mqtt]\nprot = 1\n')
    proc = stele("config", "check", "--config", bad, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in proc.stderr
    assert any("device.ars" in line and str(bad) in line for line in lines)
    assert any("mqtt.prot" in line for line in lines)


def test_alert_send_and_clear_on_a_real_broker(broker, tmp_path: Path) -> None:
    from tests.mosquitto import TopicRecorder

    cfg = tmp_path / "central.toml"
    cfg.write_text(f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n')
    rec = TopicRecorder(broker, "stele/v1/#")
    try:
        sent = stele("alert", "send", "--config", cfg, "--ars", "051220000000", sample("03a_"))
        assert sent.returncode == 0, sent.stderr
        key = sent.stdout.strip().rsplit("/", 1)[-1]
        upd = stele("alert", "send", "--config", cfg, "--ars", "051220000000", sample("03b_"))
        assert upd.stdout.strip().rsplit("/", 1)[-1] == key  # the Update lands on its Alert's topic
        cleared = stele("alert", "clear", "--config", cfg, "--ars", "051220000000", key)
        assert cleared.returncode == 0, cleared.stderr
        bad = stele("alert", "send", "--config", cfg, tmp_path / "nope.xml")
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    finally:
        rec.close()
    topic = f"stele/v1/alerts/ars/051220000000/{key}"
    payloads = [p for t, p, *_ in rec.messages if t == topic]
    assert len(payloads) == 3 and payloads[-1] == b""
    assert any(t == "stele/v1/index/ars/051220000000" for t, *_ in rec.messages)


def test_alert_send_to_an_unreachable_broker_is_one_line_exit_3(tmp_path: Path) -> None:
    from tests.mosquitto import free_port

    proc = stele("alert", "send", "--host", "127.0.0.1", "--port", str(free_port()), sample("01_"))
    assert proc.returncode == 3
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# `stele run` with KMS_DIR pointed at an empty directory: the same on any machine, with or
# without a GPU (what the module-level constant is for; nothing else patches it).
_RUN_WITHOUT_KMS = (
    "import sys; from pathlib import Path; import stele.ui.main as m; "
    "m.KMS_DIR = Path(sys.argv[1]); from stele.cli import main; "
    "sys.exit(main(['run', '--config', sys.argv[2]]))"
)


def _headless_env(**extra: str) -> dict[str, str]:
    import os

    gone = ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    return {k: v for k, v in os.environ.items() if k not in gone} | extra


def test_run_without_any_display_says_what_to_do_and_exits_4(tmp_path: Path) -> None:
    (tmp_path / "dri").mkdir()
    config = tmp_path / "stele.toml"
    config.write_text('[device]\nid = "x-1"\nars = "051220000000"\nlatitude = 51.1\n'
                      f'longitude = 7.0\n[storage]\ndir = "{tmp_path}/state"\n')
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_WITHOUT_KMS, str(tmp_path / "dri"), str(config)],
        capture_output=True, text=True, timeout=60, env=_headless_env(),
    )
    assert proc.returncode == 4, proc.stderr  # not 134 (Qt's abort)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("stele: no display") and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "qt.qpa" not in proc.stderr


def test_display_problem_trusts_an_explicit_platform_a_session_or_a_kms_device(
    tmp_path: Path,
) -> None:
    from stele.ui.main import display_problem

    empty = tmp_path / "empty"
    empty.mkdir()
    kms = tmp_path / "kms"
    kms.mkdir()
    (kms / "card0").touch()
    assert display_problem({}, empty) is not None
    assert display_problem({"QT_QPA_PLATFORM": ""}, empty) is not None
    # The stele: eglfs set by the service, no DISPLAY, /dev/dri/card0 (checked or not).
    assert display_problem({"QT_QPA_PLATFORM": "eglfs"}, kms) is None
    assert display_problem({"QT_QPA_PLATFORM": "eglfs"}, empty) is None
    assert display_problem({}, kms) is None  # a Qt whose default platform is eglfs
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, empty) is None
    assert display_problem({"DISPLAY": ":0"}, empty) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, empty) is None
    assert display_problem({"XDG_SESSION_TYPE": "wayland"}, empty) is None
