"""The OSCA store's verified files join the content cache without a second download."""

from __future__ import annotations

import hashlib
from pathlib import Path

from stele.adapters.content_cache import ContentCache
from stele.domain.manifest import Item, Media
from stele.ui.osca import adopt_media


def test_verified_files_are_hard_linked_into_the_content_cache(tmp_path: Path) -> None:
    files = tmp_path / "osca" / "files"
    files.mkdir(parents=True)
    data = b"\x89PNG not really, but bytes with a hash"
    sha = hashlib.sha256(data).hexdigest()
    (files / sha).write_bytes(data)
    cache = ContentCache(tmp_path / "content", 1 << 20)
    item = Item(id="dia-a", type="image",
                media=Media(url="https://osca/files/a.png", sha256=sha, size=len(data)))
    assert cache.path_for(sha) is None
    adopt_media(cache, files, (item,))
    path = cache.path_for(sha)
    assert path is not None and path.read_bytes() == data
    assert path.stat().st_ino == (files / sha).stat().st_ino  # the same bytes on disk
    adopt_media(cache, files, (item,))  # again: nothing to do, no error
    # A file the store does not hold is left out (the player reports it), never invented.
    other = Item(id="dia-b", type="image",
                 media=Media(url="https://osca/files/b.png", sha256="0" * 64, size=3))
    adopt_media(cache, files, (other,))
    assert cache.path_for("0" * 64) is None
