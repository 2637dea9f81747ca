"""`stele check` for the OSCA source: login, this stele's row, its state and its layout,
one line each (the lines `stele check` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stele.adapters.osca.rest import OscaError, ParseRest
from stele.adapters.osca.snapshot import find_screen
from stele.adapters.osca.source import osca_dir
from stele.adapters.osca.store import read_uuid
from stele.adapters.preflight import Check
from stele.domain.osca import ACTIVE

if TYPE_CHECKING:
    from stele.config.models import OscaConfig


def osca_uuid_line(state_dir: Path) -> str:
    uuid = read_uuid(osca_dir(state_dir))
    return uuid or "not made yet (the kiosk makes it on its first start)"


def check_osca(cfg: OscaConfig, state_dir: Path) -> list[Check]:
    uuid = read_uuid(osca_dir(state_dir))
    checks = [Check("osca uuid", True, osca_uuid_line(state_dir))]
    rest = ParseRest(cfg.server_url, cfg.app_id, cfg.js_key.get_secret_value(), timeout_s=5)
    try:
        try:
            rest.login(cfg.username, cfg.password.get_secret_value())
        except OscaError as exc:
            return [*checks, Check("osca login", False, str(exc))]
        checks.append(Check("osca login", True, f"{cfg.server_url} accepted {cfg.username}"))
        if uuid is None:
            return [*checks, Check("osca screen", False, "no uuid yet: start the kiosk once")]
        try:
            screen = find_screen(rest, uuid)
        except OscaError as exc:
            return [*checks, Check("osca screen", False, str(exc))]
    finally:
        rest.close()
    if screen is None:
        return [*checks, Check("osca screen", False, f"no SteleScreen row with uuid {uuid}")]
    checks.append(
        Check(
            "osca screen",
            True,
            f"row {screen['objectId']} named {screen.get('name') or '(no name)'!r}",
        )
    )
    state = (screen.get("state") or {}).get("name")
    checks.append(
        Check(
            "osca state",
            state == ACTIVE,
            f"{state or 'not set'}"
            + ("" if state == ACTIVE else ": activate it in the Stele Configurator"),
        )
    )
    layout = (screen.get("layoutType") or {}).get("name")
    has_config = isinstance(screen.get("layoutConfig"), dict)
    checks.append(
        Check(
            "osca layout",
            bool(layout) and has_config,
            f"{layout or 'no layout type'}, "
            + ("layout config set" if has_config else "no layout config"),
        )
    )
    return checks
