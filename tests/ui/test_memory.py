"""What keeps a playing kiosk's memory flat (tests/bench/soak.py measures it): a picture's
own size in its slide map, so its slide decodes it at the drawn size, and glibc's mmap
threshold, so decoded pictures go back to the system with their slide."""

from __future__ import annotations

from pathlib import Path

from stele.domain.manifest import Item, Media
from stele.ui.malloc import return_big_blocks
from stele.ui.slides import pixel_size, slide_map
from tests.ui.content_helpers import picture


def _item(kind: str, **kw: object) -> Item:
    media = Media(url="media/a", sha256="0" * 64, size=1)
    return Item(id="a", type=kind, media=media, **kw)  # type: ignore[arg-type]


def test_a_pictures_map_carries_its_own_size_read_from_the_file(tmp_path: Path) -> None:
    jpeg = picture(tmp_path / "p.jpg", 1920, 1080, "#2060d0", "JPEG")
    shown = slide_map(_item("image", fit="cover"), source=jpeg)
    assert (shown["pixelWidth"], shown["pixelHeight"]) == (1920, 1080)
    assert slide_map(_item("pdf", page=1), source=jpeg)["pixelWidth"] == 1920  # a page PNG
    text = Item(id="t", type="text", title="Markt", body="Heute")
    assert (slide_map(text)["pixelWidth"], slide_map(text)["pixelHeight"]) == (0, 0)


def test_an_unreadable_picture_has_no_size_and_is_asked_again(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    assert pixel_size(broken) == (0, 0)  # the slide decodes at its drawn size (and fails)
    picture(broken, 64, 32, "#d01010", "PNG")  # a content-addressed file is never rewritten,
    assert pixel_size(broken) == (64, 32)  # but a failed read is not remembered


def test_the_kiosk_sets_the_mmap_threshold_unless_the_environment_does() -> None:
    assert return_big_blocks({}) is True  # glibc (Debian, this machine)
    assert return_big_blocks({"MALLOC_MMAP_THRESHOLD_": "65536"}) is False
    assert return_big_blocks({"MALLOC_TRIM_THRESHOLD_": "131072"}) is False
    assert return_big_blocks({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=65536"}) is False
