"""Make the demo's media and manifest (stele/demo/content/): pictures, a PDF and a short
video drawn here with Qt (QPainter, QPdfWriter) and encoded with ffmpeg, so every file is our
own work (EUPL-1.2, see stele/demo/content/ATTRIBUTION.md). Run it after changing a drawing:

    QT_QPA_PLATFORM=offscreen python tools/make_demo_content.py

It rewrites the media and manifest.json with each file's sha256 and size; the live-data
files (live/) are kept as they are.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)

CONTENT = Path(__file__).resolve().parents[1] / "stele" / "demo" / "content"
MEDIA = CONTENT / "media"
BLUE, DEEP, GOLD, WHITE = "#003a7d", "#00275a", "#ffd23f", "#ffffff"
FONT = "DejaVu Sans"


def font(px: int, bold: bool = False) -> QFont:
    f = QFont(FONT)
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def bridge_picture(width: int, height: int) -> QImage:
    """A wide evening view: sky, hills and a high steel arch bridge (for `cover`)."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    sky = QLinearGradient(0, 0, 0, height)
    sky.setColorAt(0, QColor("#0d1b4c"))
    sky.setColorAt(0.55, QColor("#f08a4b"))
    sky.setColorAt(1, QColor("#f7c873"))
    p.fillRect(img.rect(), sky)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#fff3c4"))
    p.drawEllipse(QPointF(width * 0.78, height * 0.42), height * 0.07, height * 0.07)
    for i, shade in enumerate(("#3b4a6b", "#2a3552", "#1b2238")):
        hill = QPainterPath(QPointF(0, height))
        for x in range(0, width + 1, 20):
            y = height * (0.62 + 0.1 * i) - math.sin(x / width * math.pi * (2 + i)) * height * 0.05
            hill.lineTo(x, y)
        hill.lineTo(width, height)
        p.setBrush(QColor(shade))
        p.drawPath(hill)
    # The bridge: a deck on piers and a parabolic arch across the valley.
    deck = height * 0.4
    p.setPen(QPen(QColor("#151a2b"), height * 0.012))
    p.drawLine(QPointF(0, deck), QPointF(width, deck))
    arch = QPainterPath(QPointF(width * 0.3, height * 0.88))
    arch.quadTo(QPointF(width * 0.5, height * 0.02), QPointF(width * 0.7, height * 0.88))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(arch)
    p.setPen(QPen(QColor("#151a2b"), height * 0.006))
    for k in range(0, 41):
        x = width * (0.05 + 0.9 * k / 40)
        bottom = height * 0.9
        if width * 0.3 < x < width * 0.7:
            t = (x - width * 0.3) / (width * 0.4)
            bottom = height * (0.88 - 4 * t * (1 - t) * 0.43)
        p.drawLine(QPointF(x, deck), QPointF(x, bottom))
    p.end()
    return img


def poster(width: int, height: int) -> QImage:
    """A landscape poster (for `contain`: letterboxed on a portrait stele)."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor(WHITE))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(QRectF(0, 0, width, height * 0.3), QColor(BLUE))
    p.setPen(QColor(GOLD))
    p.setFont(font(int(height * 0.12), bold=True))
    p.drawText(QRectF(0, 0, width, height * 0.3), Qt.AlignmentFlag.AlignCenter, "Stadtfest (Demo)")
    p.setPen(QColor(DEEP))
    p.setFont(font(int(height * 0.055)))
    p.drawText(
        QRectF(width * 0.06, height * 0.35, width * 0.88, height * 0.36),
        Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
        "Ein Beispielplakat im Querformat: auf einer hochkant stehenden Stele wird es ganz "
        "gezeigt, mit Rändern in der Farbe des Themas.",
    )
    colours = ("#e63946", "#2a9d8f", "#f4a261", "#457b9d", GOLD)
    p.setPen(Qt.PenStyle.NoPen)
    for i, colour in enumerate(colours):
        p.setBrush(QColor(colour))
        r = height * 0.07
        p.drawEllipse(QPointF(width * (0.14 + i * 0.18), height * 0.86), r, r)
    p.end()
    return img


def video_frame(width: int, height: int, t: float) -> QImage:
    img = QImage(width, height, QImage.Format.Format_RGB888)
    img.fill(QColor(DEEP))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    for i in range(12):
        angle = t * 1.3 + i * math.tau / 12
        p.setBrush(QColor(GOLD if i % 2 else "#4f8fdc"))
        r = height * (0.2 + 0.08 * math.sin(t * 2 + i))
        p.drawEllipse(
            QPointF(width / 2 + math.cos(angle) * r * 2.2, height / 2 + math.sin(angle) * r),
            height * 0.05,
            height * 0.05,
        )
    p.setPen(QColor(WHITE))
    p.setFont(font(int(height * 0.1), bold=True))
    p.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "Demo-Video")
    p.setFont(font(int(height * 0.05)))
    p.drawText(
        QRectF(0, height * 0.8, width, height * 0.15),
        Qt.AlignmentFlag.AlignCenter,
        f"{t:0.1f} s",
    )
    p.end()
    return img


def make_video(path: Path, width: int = 1280, height: int = 720, seconds: int = 8) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg not found (apt-get install ffmpeg)")
    fps = 25
    proc = subprocess.Popen(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{width}x{height}",
            "-r",
            str(fps),
            "-i",
            "-",
            "-c:v",
            "libx264",
            "-preset",
            "slow",
            "-crf",
            "28",
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "main",
            "-movflags",
            "+faststart",
            "-an",
            str(path),
        ],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    for n in range(seconds * fps):
        frame = video_frame(width, height, n / fps)
        bits = frame.constBits()
        row = width * 3
        data = bytes(bits)
        stride = frame.bytesPerLine()
        proc.stdin.write(b"".join(data[y * stride : y * stride + row] for y in range(height)))
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit("ffmpeg failed")


def make_pdf(path: Path) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(150)
    writer.setTitle("Aushang (Demo)")
    writer.setCreator("stele tools/make_demo_content.py")
    p = QPainter(writer)
    w, h = writer.width(), writer.height()
    pages = [
        (
            "Öffentlicher Aushang",
            "Beispiel für eine PDF-Seite auf der Stele (Demo).\n\n"
            "Die Stele zeigt eine Seite eines PDF-Dokuments, vorab beim Abgleich in ein Bild "
            'gerechnet. Welche Seite, sagt das Manifest ("page").',
        ),
        (
            "Seite 2",
            "Eine zweite Seite, damit ein Manifest auch eine andere Seite als die "
            "erste wählen kann.",
        ),
    ]
    for i, (title, body) in enumerate(pages):
        if i:
            writer.newPage()
        p.fillRect(QRectF(0, 0, w, h * 0.14), QColor(BLUE))
        p.setPen(QColor(WHITE))
        p.setFont(font(int(h * 0.04), bold=True))
        p.drawText(QRectF(w * 0.07, 0, w * 0.86, h * 0.14), Qt.AlignmentFlag.AlignVCenter, title)
        p.setPen(QColor("#111111"))
        p.setFont(font(int(h * 0.022)))
        p.drawText(
            QRectF(w * 0.07, h * 0.2, w * 0.86, h * 0.6),
            Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
            body,
        )
    p.end()


def media_entry(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    return {
        "url": f"media/{path.name}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }


def manifest() -> dict[str, object]:
    items: list[dict[str, object]] = [
        {
            "id": "willkommen",
            "type": "text",
            "duration_s": 12,
            "title": "Willkommen (Demo)",
            "body": "Diese Stele spielt Beispielinhalte ab: Bilder, ein Video, einen PDF-Aushang, "
            "Nachrichten, Termine und das Wetter.\n\nAlles kommt von einem kleinen "
            "Server auf diesem Rechner, den „stele demo“ gestartet hat.",
            "qr": "https://www.solingen.de/",
        },
        {
            "id": "bruecke",
            "type": "image",
            "duration_s": 10,
            "fit": "cover",
            "title": "Abendstimmung (Demo)",
            "media": media_entry(MEDIA / "bruecke.jpg"),
        },
        {
            "id": "stadtfest",
            "type": "image",
            "duration_s": 10,
            "fit": "contain",
            "title": "Stadtfest (Demo)",
            "media": media_entry(MEDIA / "stadtfest.png"),
        },
        {"id": "video", "type": "video", "media": media_entry(MEDIA / "demo-video.mp4")},
        {
            "id": "aushang",
            "type": "pdf",
            "duration_s": 12,
            "page": 1,
            "media": media_entry(MEDIA / "aushang.pdf"),
        },
        {
            "id": "nachrichten",
            "type": "news",
            "duration_s": 15,
            "source": {"url": "live/news.rss", "max_items": 4, "refresh_s": 300},
        },
        {
            "id": "termine",
            "type": "events",
            "duration_s": 15,
            "source": {"url": "live/events.ics", "max_items": 5, "refresh_s": 300},
        },
        {
            "id": "wetter",
            "type": "weather",
            "duration_s": 12,
            "source": {"url": "live/brightsky", "refresh_s": 600},
        },
    ]
    digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()[:12]
    return {"version": f"demo-{digest}", "items": items}


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])  # fonts for QPainter text
    MEDIA.mkdir(parents=True, exist_ok=True)
    assert bridge_picture(1920, 1080).save(str(MEDIA / "bruecke.jpg"), "JPG", 82)
    assert poster(1600, 1000).save(str(MEDIA / "stadtfest.png"), "PNG")
    make_pdf(MEDIA / "aushang.pdf")
    make_video(MEDIA / "demo-video.mp4")
    text = json.dumps(manifest(), ensure_ascii=False, indent=2) + "\n"
    (CONTENT / "manifest.json").write_text(text, encoding="utf-8")
    for file in sorted(MEDIA.iterdir()):
        print(f"{file.relative_to(CONTENT)}: {file.stat().st_size} bytes")
    del _app
    return 0


if __name__ == "__main__":
    sys.exit(main())
