"""When the stele sends its screenshot to the backend, so the configurator shows what each
stele shows: the first one within a minute of the stele showing content, then every
`screenshot_s` (600 s as the current client does). The UI supplies `grab` (the presented
frame as PNG bytes; it does the hop to the GUI thread itself) and `showing` (is content on
the glass?); this thread only decides when, and uploads through the source.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from stele.adapters.osca.rest import OscaError
from stele.adapters.osca.source import OscaSource

log = logging.getLogger(__name__)
FIRST_WITHIN_S = 60.0
FIRST_AFTER_S = 5.0  # let the first slide settle (transitions) before grabbing it
RETRY_S = 60.0


def next_due(
    shown_since: float | None, last_upload: float | None, interval_s: float
) -> float | None:
    """Monotonic instant of the next upload, or None while no content is shown."""
    if shown_since is None:
        return None
    if last_upload is None:
        return shown_since + min(FIRST_AFTER_S, FIRST_WITHIN_S)
    return last_upload + interval_s


class ScreenshotUploader:
    def __init__(
        self,
        source: OscaSource,
        grab: Callable[[], bytes | None],
        showing: Callable[[], bool],
        *,
        interval_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._grab = grab
        self._showing = showing
        self._interval = interval_s or source.cfg.screenshot_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.uploaded = 0
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="osca-screenshots", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        shown_since: float | None = None
        last: float | None = None
        while not self._stop.is_set():
            now = self._clock()
            if not self._showing():
                shown_since = None
            elif shown_since is None:
                shown_since = now
            due = next_due(shown_since, last, self._interval)
            if due is not None and now >= due:
                try:
                    png = self._grab()
                    if png:
                        self._source.upload_screenshot(png)
                        self.uploaded += 1
                        self.last_error = None
                    last = now
                except OscaError as exc:
                    self.last_error = str(exc)
                    log.warning("osca: screenshot not uploaded: %s", exc)
                    last = now - self._interval + RETRY_S  # try again in a minute
            self._stop.wait(1.0)
