"""QR codes for alert web links, served to QML as ``image://qr/<id>``.

The id is the URL in unpadded base64url, so no character of the link is ever
reinterpreted by QUrl on its way from the bridge to the provider.
"""

from __future__ import annotations

import base64
import binascii
import logging
from functools import lru_cache

import segno
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

log = logging.getLogger(__name__)

PROVIDER_ID = "qr"
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks
MAX_URL_BYTES = 512  # official links are short; longer ones make codes too dense to scan
_DEFAULT_MODULE_PX = 10


def qr_source(url: str) -> str:
    """The image URL QML uses for `url`, or "" when there is nothing sensible to encode."""
    url = url.strip()
    data = url.encode("utf-8")
    if not url or len(data) > MAX_URL_BYTES:
        return ""
    token = base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    return f"image://{PROVIDER_ID}/{token}"


def decode_id(image_id: str) -> str:
    """Inverse of the token part of `qr_source`."""
    token = image_id.strip()
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")


@lru_cache(maxsize=16)
def qr_image(url: str, target_px: int = 0) -> QImage:
    """Black-on-white code for `url` with quiet zone, scaled by a whole number of pixels
    per module (at most `target_px` wide when given) so edges stay sharp."""
    rows = list(segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=QUIET_ZONE))
    modules = len(rows)
    stride = (modules + 3) & ~3  # QImage scanlines are 32-bit aligned
    data = bytearray(b"\xff" * (stride * modules))
    for y, row in enumerate(rows):
        base = y * stride
        for x, dark in enumerate(row):
            if dark:
                data[base + x] = 0
    small = QImage(bytes(data), modules, modules, stride, QImage.Format.Format_Grayscale8).copy()
    module_px = max(1, target_px // modules) if target_px > 0 else _DEFAULT_MODULE_PX
    side = modules * module_px
    return small.scaled(
        side, side, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
    )


class QrImageProvider(QQuickImageProvider):
    """Renders ``image://qr/<token>`` on demand; results are cached by `qr_image`."""

    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        try:
            url = decode_id(image_id)
            target = requested_size.width() if requested_size.isValid() else 0
            image = qr_image(url, max(0, target))
        except (binascii.Error, UnicodeDecodeError, ValueError, segno.DataOverflowError) as exc:
            log.warning("no QR code for %.80r: %s", image_id, exc)
            image = QImage(1, 1, QImage.Format.Format_Grayscale8)
            image.fill(Qt.GlobalColor.white)
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image
