"""Shared by the content benchmarks: real JPEG pictures, a manifest served by the real test
HTTP server, a stele configuration, and a cache synced from it (then the server can go)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.httpd import HttpServer  # noqa: E402

DEVICE = "bench-01"
_APP: list[object] = []
ARS = "051220000000"


def jpeg(index: int, size: tuple[int, int] = (1920, 1080)) -> bytes:
    """A full-HD JPEG photo stand-in: gradients, shapes and text, different per index, so
    every slide is a real decode of a real-sized file (about 100-200 KB)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QLinearGradient, QPainter

    if QGuiApplication.instance() is None:  # fonts need one
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP.append(QGuiApplication([]))
    width, height = size
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(width, height))
    gradient.setColorAt(0, QColor.fromHsv((index * 47) % 360, 200, 230))
    gradient.setColorAt(1, QColor.fromHsv((index * 47 + 120) % 360, 160, 90))
    painter.fillRect(QRectF(0, 0, width, height), gradient)
    for k in range(40):
        painter.setBrush(QColor.fromHsv((index * 31 + k * 17) % 360, 150, 200, 140))
        painter.drawEllipse(
            QPointF((k * 197 + index * 53) % width, (k * 113 + index * 29) % height),
            60 + k * 3,
            40 + k * 2,
        )
    painter.setFont(QFont("DejaVu Sans", 120, QFont.Weight.Bold))
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, width, height), 0x84, f"Bild {index}")  # AlignCenter
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "JPEG", 90)  # type: ignore[call-overload]
    return bytes(data.data())


def serve_manifest(
    server: HttpServer, count: int, duration_s: int = 3, version: str = "bench-1"
) -> None:
    items = []
    for i in range(count):
        body = jpeg(i)
        server.put(f"/media/{i}.jpg", body, "image/jpeg")
        items.append(
            {
                "id": f"bild-{i}",
                "type": "image",
                "duration_s": duration_s,
                "fit": "cover",
                "media": {
                    "url": f"media/{i}.jpg",
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "size": len(body),
                },
            }
        )
    server.put(
        "/manifest.json", json.dumps({"version": version, "items": items}), "application/json"
    )


def write_config(
    folder: Path, *, mqtt_port: int, manifest_url: str | None, report_s: int = 900
) -> Path:
    """A stele's configuration; `manifest_url` None: no content configured."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "stele.toml"
    manifest = f'manifest_url = "{manifest_url}"\n' if manifest_url is not None else ""
    cfg.write_text(
        f'[device]\nid = "{DEVICE}"\nars = "{ARS}"\nlatitude = 51.0\nlongitude = 7.0\n'
        f'languages = ["de"]\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port}\n'
        f'[storage]\ndir = "{folder}/state"\n[display]\nfullscreen = false\n'
        f'[content]\n{manifest}poll_s = 3600\nreport_s = {report_s}\n'
    )
    return cfg


def sync_into(folder: Path, manifest_url: str) -> str:
    """One sync into `folder`/state/content, as the stele does it; returns the live version."""
    from stele.adapters.content_cache import ContentCache
    from stele.adapters.content_sync import ContentSync
    from stele.domain.playlist import Place

    cache = ContentCache(folder / "state" / "content", 2048 * 1024 * 1024)
    place = Place(ars=ARS, tags=(), zone=ZoneInfo("Europe/Berlin"))
    result = ContentSync(cache, manifest_url, place).sync_once()
    assert result.live is not None, result.summary()
    return result.live
