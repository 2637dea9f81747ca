"""The OSCA disk state: uuid, snapshot and Parse files verified once — against a real local
HTTP server with faults on purpose (tests/httpd.py) where the Parse Server cannot misbehave."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from stele.adapters.osca.rest import OscaError, OscaUnreachable, ParseRest
from stele.adapters.osca.store import (
    FileCache,
    load_or_make_uuid,
    load_snapshot,
    read_uuid,
    save_snapshot,
)
from tests.httpd import HttpServer, Resource


def settled(srv: HttpServer, n: int) -> int:
    """The request count once the server has logged `n` (it logs after answering)."""
    deadline = time.monotonic() + 2
    while srv.count() < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return srv.count()


def test_uuid_is_made_once_and_a_damaged_file_is_kept_aside(tmp_path: Path) -> None:
    assert read_uuid(tmp_path) is None
    made = load_or_make_uuid(tmp_path)
    assert load_or_make_uuid(tmp_path) == made == read_uuid(tmp_path)
    (tmp_path / "uuid").write_text("not a uuid")
    again = load_or_make_uuid(tmp_path)
    assert again != made and (tmp_path / "uuid.corrupt").read_text() == "not a uuid"


def test_snapshot_round_trip_and_damage(tmp_path: Path) -> None:
    assert load_snapshot(tmp_path) is None
    save_snapshot(tmp_path, {"screen": {"name": "Ida"}})
    assert load_snapshot(tmp_path) == {"screen": {"name": "Ida"}}
    assert not list(tmp_path.glob("*.tmp"))
    (tmp_path / "snapshot.json").write_bytes(b'{"screen": ')
    assert load_snapshot(tmp_path) is None


def test_a_file_is_verified_once_and_never_fetched_again(tmp_path: Path) -> None:
    data = b"\x89PNG" + bytes(range(256)) * 40
    with HttpServer() as srv:
        srv.put("/files/app/abc_bild.png", Resource(data, content_type="image/png"))
        rest = ParseRest(srv.url(""), "app", "js")
        cache = FileCache(tmp_path)
        got = cache.fetch(rest, "abc_bild.png", srv.url("/files/app/abc_bild.png"))
        assert got.sha256 == hashlib.sha256(data).hexdigest() and got.size == len(data)
        assert got.etag == srv.resource("/files/app/abc_bild.png").etag
        assert cache.path(got).read_bytes() == data
        assert settled(srv, 1) == 1
        # Another process (a restart) sees it too, and asks nothing.
        again = FileCache(tmp_path).fetch(rest, "abc_bild.png", srv.url("/files/app/abc_bild.png"))
        assert again == got and settled(srv, 2) == 1
        # Damaged on disk: no longer offered as verified.
        cache.path(got).write_bytes(data[:-1] + b"!")
        assert cache.verified("abc_bild.png") is None


@pytest.mark.parametrize(
    ("resource", "error"),
    [
        (Resource(b"x" * 50_000, cut_at=1000), OscaError),
        (Resource(b"gone", status=404), OscaError),
        (Resource(b"", content_type="image/png"), OscaError),
        (Resource(b"x", drop=True), OscaUnreachable),
    ],
    ids=["cut body", "404", "empty", "no answer"],
)
def test_a_bad_download_leaves_nothing_behind(
    tmp_path: Path, resource: Resource, error: type[Exception]
) -> None:
    with HttpServer() as srv:
        srv.put("/f", resource)
        cache = FileCache(tmp_path)
        with pytest.raises(error):
            cache.fetch(ParseRest(srv.url(""), "app", "js"), "f", srv.url("/f"))
        assert cache.get("f") is None
        assert [p.name for p in (tmp_path / "files").iterdir()] == []


def test_files_no_longer_named_leave_the_disk(tmp_path: Path) -> None:
    with HttpServer() as srv:
        rest = ParseRest(srv.url(""), "app", "js")
        cache = FileCache(tmp_path)
        for name, body in (("a", b"one"), ("b", b"two"), ("c", b"one")):
            srv.put(f"/{name}", body)
            cache.fetch(rest, name, srv.url(f"/{name}"))
        assert cache.keep_only({"c"}) == 2
        kept = cache.get("c")
        assert kept is not None and cache.path(kept).read_bytes() == b"one"  # shared bytes stay
        assert len(list((tmp_path / "files").glob("[0-9a-f]*"))) == 1
