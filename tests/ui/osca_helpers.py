"""The kiosk on a real Parse Server (tests/parse_server.py): its config, seeding, waiting."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from stele.adapters.osca.store import load_or_make_uuid
from stele.ui.app import Kiosk
from tests.parse_server import ParseServer, geo, pointer
from tests.ui.content_helpers import picture
from tests.ui.kiosk_helpers import kiosk_config, new_kiosk


def osca_config(server: ParseServer, poll_s: int | None = None) -> str:
    """The `[content]` and `[osca]` tables of a stele following `server`."""
    extra = f"""
[content]
source = "osca"

[osca]
server_url = "{server.url}"
app_id = "{server.app_id}"
js_key = "{server.js_key}"
username = "{server.user.username}"
password = "{server.user.password}"
"""
    return extra + (f"poll_s = {poll_s}\n" if poll_s is not None else "")


def osca_kiosk(tmp: Path, broker_port: int, server: ParseServer) -> Kiosk:
    extra = osca_config(server)
    k = new_kiosk(kiosk_config(tmp, broker_port, extra=extra))
    k.start()
    return k


def stele_uuid(tmp: Path) -> str:
    """The uuid the kiosk will use (made before it starts, as its first start would)."""
    return load_or_make_uuid(tmp / "state" / "osca")


def png_bytes(tmp: Path, name: str, colour: str, size: tuple[int, int] = (270, 480)) -> bytes:
    return picture(tmp / name, *size, colour).read_bytes()


def image_object(tmp: Path, name: str, colour: str) -> dict[str, Any]:
    return {
        "name": name,
        "data": png_bytes(tmp, name, colour),
        "content_type": "image/png",
        "file_type": "image",
        "duration": 10,
    }


def activate(
    server: ParseServer,
    uuid: str,
    layout_config: str,
    layout: str = "Diashow",
    location: tuple[float, float] = (51.17, 7.08),
) -> float:
    """What an administrator does in the configurator; returns when the PUT was answered."""
    screen = server.find("SteleScreen", where={"uuid": uuid})[0]["objectId"]
    server.update(
        "SteleScreen",
        screen,
        layoutType=pointer("SteleLayoutType", server.named("SteleLayoutType", layout)),
        state=pointer("SteleState", server.named("SteleState", "Aktiv")),
        layoutConfig=pointer("SteleLayoutConfig", layout_config),
        location=geo(*location),
    )
    return time.monotonic()


def screen_id(server: ParseServer, uuid: str) -> str | None:
    rows = server.find("SteleScreen", where={"uuid": uuid})
    return str(rows[0]["objectId"]) if rows else None
