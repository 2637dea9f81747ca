"""Shared pieces for the content tests: real picture files, slide maps, the stage's rect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QUrl
from PySide6.QtGui import QColor, QImage

from tests.ui.harness import Stele, scene_rect, shown_items


def picture(path: Path, width: int, height: int, colour: str, fmt: str = "PNG") -> Path:
    """A real picture file of one colour (PNG or JPEG, written by Qt's encoder)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), fmt)
    return path


def image_slide(slide_id: str, path: Path, *, fit: str = "contain", ms: int = 10_000,
                title: str = "", kind: str = "image") -> dict[str, Any]:
    return {
        "slideId": slide_id, "kind": kind, "durationMs": ms,
        "source": QUrl.fromLocalFile(str(path)).toString(), "fit": fit, "title": title,
        "body": "", "qrSource": "", "qrCaption": "", "live": {},
    }


def text_slide(slide_id: str, title: str, body: str, ms: int = 10_000, **kw: Any) -> dict[str, Any]:
    return {"slideId": slide_id, "kind": "text", "durationMs": ms, "source": "", "fit": "contain",
            "title": title, "body": body, "qrSource": "", "qrCaption": "", "live": {}, **kw}


def live_slide(slide_id: str, kind: str, live: dict[str, Any], ms: int = 10_000,
               title: str = "") -> dict[str, Any]:
    return {"slideId": slide_id, "kind": kind, "durationMs": ms, "source": "", "fit": "contain",
            "title": title, "body": "", "qrSource": "", "qrCaption": "", "live": live}


def stage_rect(s: Stele) -> QRectF:
    """Where the content plays on the screen (the ContentStage item)."""
    stages = [i for i in shown_items(s) if i.metaObject().className().startswith("ContentStage")]
    if not stages:  # hidden (e.g. no content yet): find it anyway
        from tests.ui.scene import walk

        stages = [i for i, _ in walk(s.view.contentItem())
                  if i.metaObject().className().startswith("ContentStage")]
    assert stages
    return scene_rect(stages[0])


def inset(rect: QRectF, by: float) -> QRectF:
    return rect.adjusted(by, by, -by, -by)
