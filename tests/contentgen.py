"""Manifests and media files for the content tests and the sync benchmark."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.httpd import HttpServer

ARS = "051220000000"


def blob(n: int, size: int = 2000) -> bytes:
    """Distinct, reproducible bytes for media file number `n`."""
    seed = hashlib.sha256(f"media-{n}".encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def media_item(item_id: str, body: bytes, url: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "image",
        "media": {"url": url, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)},
        **extra,
    }


def manifest(version: str, items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"version": version, "items": items}, indent=1).encode()


def publish(
    srv: HttpServer, version: str, files: dict[str, bytes], extra: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    """Serve one image item per file (relative URLs under /media/) and the manifest at
    /content/manifest.json; returns the manifest as a dict."""
    items = []
    for name, body in files.items():
        srv.put(f"/content/media/{name}", body, "image/png")
        items.append(media_item(name.split(".")[0], body, f"media/{name}"))
    items.extend(extra)
    data = manifest(version, items)
    srv.put("/content/manifest.json", data, "application/json")
    return json.loads(data)
