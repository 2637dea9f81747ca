"""Shared pieces for the content tests: real picture files, slide maps, the stage's rect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QUrl
from PySide6.QtGui import QColor, QImage, QPainter

from tests.ui.harness import Stele, scene_rect, shown_items


def picture(path: Path, width: int, height: int, colour: str, fmt: str = "PNG") -> Path:
    """A real picture file of one colour (PNG or JPEG, written by Qt's encoder)."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), fmt)
    return path


def image_slide(slide_id: str, path: Path, *, fit: str = "contain", ms: int = 10_000,
                title: str = "", kind: str = "image", pixels: bool = False) -> dict[str, Any]:
    """A picture's slide map; `pixels`: with its own size read from the file, as the player's
    maps have it (without: the slide decodes at its drawn size)."""
    from stele.ui.slides import pixel_size

    width, height = pixel_size(path) if pixels else (0, 0)
    return {
        "slideId": slide_id, "kind": kind, "durationMs": ms,
        "source": QUrl.fromLocalFile(str(path)).toString(), "fit": fit, "title": title,
        "body": "", "qrSource": "", "qrCaption": "", "live": {},
        "pixelWidth": width, "pixelHeight": height,
    }


def bands(path: Path, width: int, height: int, colours: tuple[str, str, str]) -> Path:
    """A real PNG of three upright bands of equal width, left to right."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    for k, colour in enumerate(colours):
        painter.fillRect(QRectF(k * width / 3, 0, width / 3 + 1, height), QColor(colour))
    painter.end()
    assert image.save(str(path), "PNG")
    return path


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


def mjpeg_video(path: Path, colour: str, frames: int = 20, size: tuple[int, int] = (320, 240)) -> Path:
    """A real video file (Matroska, Motion JPEG, 10 fps) of one colour, encoded by Qt
    Multimedia's own recorder from pushed frames: no external encoder needed."""
    from PySide6.QtCore import QEventLoop, QSize, QTimer, QUrl
    from PySide6.QtMultimedia import (
        QMediaCaptureSession,
        QMediaFormat,
        QMediaRecorder,
        QVideoFrame,
        QVideoFrameInput,
    )

    session, source, recorder = QMediaCaptureSession(), QVideoFrameInput(), QMediaRecorder()
    session.setVideoFrameInput(source)
    session.setRecorder(recorder)
    fmt = QMediaFormat(QMediaFormat.FileFormat.Matroska)
    fmt.setVideoCodec(QMediaFormat.VideoCodec.MotionJPEG)
    recorder.setMediaFormat(fmt)
    recorder.setVideoResolution(QSize(*size))
    recorder.setOutputLocation(QUrl.fromLocalFile(str(path)))
    sent = [0]
    loop = QEventLoop()

    def push() -> None:
        while sent[0] < frames:
            image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
            image.fill(QColor(colour))
            frame = QVideoFrame(image)
            frame.setStartTime(sent[0] * 100_000)
            frame.setEndTime((sent[0] + 1) * 100_000)
            if not source.sendVideoFrame(frame):
                return  # full: readyToSendVideoFrame calls again
            sent[0] += 1
        recorder.stop()

    source.readyToSendVideoFrame.connect(push)
    recorder.recorderStateChanged.connect(
        lambda state: loop.quit() if state == QMediaRecorder.RecorderState.StoppedState else None)
    recorder.record()
    QTimer.singleShot(0, push)
    QTimer.singleShot(15_000, loop.quit)
    loop.exec()
    assert path.is_file() and path.stat().st_size > 0, "no video written"
    return path
