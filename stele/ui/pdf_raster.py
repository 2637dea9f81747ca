"""PDF pages rendered once into the cache, on a worker thread, never while playing.

A pdf item shows one page. Qt PDF renders it to a PNG the size of the content stage when
its file is verified on disk (at sync time); the slide then shows that picture like any
other. The PNG is named by the PDF's sha256, the page and the size, so it is rendered once
per file and panel, and survives restarts. Writing goes to a temporary name first and is
renamed into place, so a half-written page is never shown.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPainter

if TYPE_CHECKING:
    from PySide6.QtPdf import QPdfDocument

log = logging.getLogger("stele.content")

Done = Callable[[str, int, str | None], None]  # sha256, page, error (None: rendered)


class PdfRaster:
    """`request(pdf, sha256, page)` queues a render; `done(sha256, page, error)` runs on the
    worker thread afterwards (hop to the GUI thread before touching Qt objects there)."""

    def __init__(self, directory: Path, size: tuple[int, int], done: Done) -> None:
        self.directory = Path(directory)
        self.size = size
        self._done = done
        self._queue: queue.Queue[tuple[Path, str, int] | None] = queue.Queue()
        self._queued: set[tuple[str, int]] = set()
        self._failed: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def path(self, sha256: str, page: int) -> Path:
        width, height = self.size
        return self.directory / f"{sha256}-p{page}-{width}x{height}.png"

    def rendered(self, sha256: str, page: int) -> Path | None:
        path = self.path(sha256, page)
        return path if path.is_file() else None

    def failure(self, sha256: str, page: int) -> str | None:
        with self._lock:
            return self._failed.get((sha256, page))

    def request(self, pdf: Path, sha256: str, page: int) -> None:
        """Render `page` (1-based) of `pdf` unless it is rendered, queued or failed before."""
        key = (sha256, page)
        with self._lock:
            if key in self._queued or key in self._failed or self.rendered(sha256, page):
                return
            self._queued.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pdf-raster", daemon=True)
                self._thread.start()
        self._queue.put((pdf, sha256, page))

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            pdf, sha256, page = job
            try:
                error = self._render(pdf, self.path(sha256, page), page)
            except Exception as exc:  # the worker must survive any one file
                log.exception("pdf %s page %d: rendering failed", sha256[:12], page)
                error = f"rendering failed: {exc}"
            with self._lock:
                self._queued.discard((sha256, page))
                if error is not None:
                    self._failed[(sha256, page)] = error
            if error is not None:
                log.warning("pdf %s page %d: %s", sha256[:12], page, error)
            self._done(sha256, page, error)

    def _render(self, pdf: Path, target: Path, page: int) -> str | None:
        from PySide6.QtPdf import QPdfDocument  # here: only a stele with PDFs loads Qt PDF

        document = QPdfDocument()
        try:
            status = document.load(str(pdf))
            if status != QPdfDocument.Error.None_:
                return f"not a readable PDF ({status.name})"
            if not 1 <= page <= document.pageCount():
                return f"page {page} does not exist (the PDF has {document.pageCount()})"
            image = self._page_image(document, page - 1)
        finally:
            document.close()
        if image.isNull():
            return "the page rendered empty"
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(".part-" + target.name)
        if not image.save(str(partial), "PNG"):  # type: ignore[call-overload]  # str works
            return "the rendered page could not be written"
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
        return None

    def _page_image(self, document: QPdfDocument, index: int) -> QImage:
        """The page fitted whole into the stage's size, on white (PDF pages may be clear)."""
        points: QSizeF = document.pagePointSize(index)
        width, height = self.size
        scale = min(width / max(1.0, points.width()), height / max(1.0, points.height()))
        size = QSize(max(1, round(points.width() * scale)), max(1, round(points.height() * scale)))
        rendered = document.render(index, size)
        page = QImage(size, QImage.Format.Format_RGB32)
        page.fill(QColor("white"))
        painter = QPainter(page)
        painter.drawImage(0, 0, rendered)
        painter.end()
        return page
