"""`stele demo`: a local Mosquitto, a local content server, a demo configuration for
Solingen and the kiosk.

The content server (stele/demo/server.py) serves the demo manifest with a slide of every
type, its media and live data; the configuration points `[content] manifest_url` at it.
Everything else lives in a fresh temporary folder; nothing outside it is touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from stele.adapters.local_broker import MosquittoBroker, MosquittoMissing
from stele.demo.server import DemoContentServer

EXAMPLE_ORDER = (
    "05_storm_moderate.xml",
    "06_info_minor.xml",
    "01_flood_alert.xml",
    "02_flood_update.xml",
    "03_flood_cancel.xml",
    "04_exercise.xml",
)

DEMO_CONFIG = """\
# Written by `stele demo`: a stele in front of Solingen Hauptbahnhof.
[device]
id = "demo-solingen-01"
ars = "051220000000"
latitude = 51.1607
longitude = 7.0037
warncells = ["805122000"]
languages = ["de", "en", "tr"]
name = "Solingen Hbf (Demo)"

[mqtt]
host = "127.0.0.1"
port = {port}

[storage]
dir = "{state}"

[display]
orientation = "{orientation}"
fullscreen = false
theme = "{theme}"
{size}
[content]
manifest_url = "{manifest_url}"
poll_s = 30
"""


def examples_dir() -> Path:
    return Path(str(resources.files("stele.demo").joinpath("examples")))


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def write_demo_config(
    folder: Path,
    port: int,
    orientation: str = "portrait",
    *,
    window: bool = False,
    manifest_url: str = "http://127.0.0.1:8000/manifest.json",
    theme: str = "solingen",
) -> Path:
    """A window on a laptop screen gets half the stele's size (the theme scales with it)."""
    state = folder / "state"
    state.mkdir(parents=True, exist_ok=True)
    size = "width = 540\nheight = 960\n" if window else ""
    path = folder / "stele.toml"
    path.write_text(
        DEMO_CONFIG.format(
            port=port,
            state=state,
            orientation=orientation,
            size=size,
            manifest_url=manifest_url,
            theme=theme,
        )
    )
    return path


def instructions(config: Path) -> str:
    stele = shutil.which("stele") or f"{sys.executable} -m stele.cli"
    lines = [
        "",
        "stele demo is running. In another terminal, send the example alerts one by one:",
        "",
    ]
    for name in EXAMPLE_ORDER:
        lines.append(f"  {stele} alert send --config {config} {examples_dir() / name}")
    lines += [
        "",
        "End an incident (e.g. the exercise) with:",
        f"  {stele} alert clear --config {config} <KEY printed by 'send'>",
        "",
        "Stop the demo with Ctrl+C.",
        "",
    ]
    return "\n".join(lines)


def run_demo(
    window: str = "auto", exit_after_s: float | None = None, theme: str = "solingen"
) -> int:
    """Start a broker, the content server and the kiosk; `exit_after_s` ends it (tests)."""
    offscreen = window == "offscreen" or (window == "auto" and not has_display())
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    folder = Path(tempfile.mkdtemp(prefix="stele-demo-"))
    try:
        broker = MosquittoBroker(workdir=folder / "broker")
    except MosquittoMissing as exc:
        print(f"stele demo: {exc}", file=sys.stderr)
        return 3
    broker.start()
    content = DemoContentServer().start()
    try:
        config = write_demo_config(
            folder,
            broker.port,
            window=not offscreen,
            manifest_url=content.manifest_url,
            theme=theme,
        )
        os.environ["STELE_CONFIG"] = str(config)
        from stele.ui.before_qt import import_kiosk_modules

        import_kiosk_modules()  # as `stele run` does: see there
        from stele.config import load_config
        from stele.ui.main import run_kiosk

        print(f"Local Mosquitto on 127.0.0.1:{broker.port}; demo files in {folder}")
        print(f"Demo content (a slide of every type): {content.manifest_url}")
        if offscreen:
            print(
                f"No display: rendering offscreen; the screen is saved to {folder / 'screen.png'}"
            )
        print(instructions(config), flush=True)
        return run_kiosk(
            load_config(config),
            snapshot=folder / "screen.png" if offscreen else None,
            exit_after_s=exit_after_s,
        )
    finally:
        content.close()
        broker.close()
        shutil.rmtree(folder, ignore_errors=True)
