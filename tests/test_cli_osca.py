"""`stele config check` and `stele check` with `[content] source = "osca"`, against a real
Parse Server."""

from __future__ import annotations

from pathlib import Path

import pytest

from stele.adapters.osca.store import load_or_make_uuid
from tests.parse_server import ParseServer
from tests.test_cli import stele

pytestmark = pytest.mark.slow


def write_config(tmp_path: Path, server: ParseServer, password: str) -> Path:
    cfg = tmp_path / "stele.toml"
    cfg.write_text(
        '[device]\nid = "sg-osca-01"\nars = "051220000000"\nlatitude = 51.16\nlongitude = 7.07\n'
        f'[storage]\ndir = "{tmp_path / "state"}"\n'
        '[content]\nsource = "osca"\n'
        f'[osca]\nserver_url = "{server.url}"\napp_id = "{server.app_id}"\n'
        f'js_key = "{server.js_key}"\nusername = "{server.user.username}"\n'
        f'password = "{password}"\n'
    )
    return cfg


def osca_lines(out: str) -> dict[str, str]:
    return {line[5:].split(":", 1)[0]: line for line in out.splitlines() if " osca " in line}


def test_config_check_masks_secrets_and_shows_the_uuid(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, parse_server, parse_server.user.password)
    proc = stele("config", "check", "--config", cfg)
    assert proc.returncode == 0, proc.stderr
    assert parse_server.user.password not in proc.stdout
    assert parse_server.js_key not in proc.stdout
    assert 'js_key = "********"' in proc.stdout
    assert "# osca_uuid: not made yet" in proc.stdout
    uuid = load_or_make_uuid(tmp_path / "state" / "osca")
    assert f"# osca_uuid: {uuid}" in stele("config", "check", "--config", cfg).stdout


def test_check_reports_login_row_state_and_layout(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    bad = stele("check", "--config", write_config(tmp_path, parse_server, "wrong"))
    assert bad.returncode == 1
    assert osca_lines(bad.stdout)["osca login"].startswith("FAIL")
    cfg = write_config(tmp_path, parse_server, parse_server.user.password)
    uuid = load_or_make_uuid(tmp_path / "state" / "osca")
    lines = osca_lines(stele("check", "--config", cfg).stdout)
    assert lines["osca uuid"] == f"OK   osca uuid: {uuid}"
    assert lines["osca login"].startswith("OK")
    assert lines["osca screen"] == f"FAIL osca screen: no SteleScreen row with uuid {uuid}"
    parse_server.seed_screen(uuid, name="Rosa", state="Inaktiv", layout="Touchscreen")
    lines = osca_lines(stele("check", "--config", cfg).stdout)
    assert lines["osca screen"].startswith("OK") and "'Rosa'" in lines["osca screen"]
    assert lines["osca state"] == (
        "FAIL osca state: Inaktiv: activate it in the Stele Configurator"
    )
    assert lines["osca layout"] == "FAIL osca layout: Touchscreen, no layout config"
