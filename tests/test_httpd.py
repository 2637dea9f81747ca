"""The test HTTP server itself answers as a real server does (the other tests rely on it)."""

from __future__ import annotations

import pytest
import requests

from tests.httpd import HttpServer, Resource


def test_conditional_get_costs_no_body() -> None:
    with HttpServer() as srv:
        res = srv.put("/m.json", b'{"version": "1"}', "application/json")
        first = requests.get(srv.url("/m.json"), timeout=5)
        again = requests.get(
            srv.url("/m.json"), headers={"If-None-Match": first.headers["ETag"]}, timeout=5
        )
        assert (first.status_code, again.status_code) == (200, 304)
        assert again.content == b""
        assert srv.body_bytes("/m.json") == len(res.body)
        assert srv.count() == 2


def test_faults_on_purpose() -> None:
    with HttpServer() as srv:
        srv.put("/500", Resource(b"x", status=500))
        srv.put("/cut", Resource(b"a" * 10_000, cut_at=100))
        assert requests.get(srv.url("/500"), timeout=5).status_code == 500
        assert requests.get(srv.url("/missing"), timeout=5).status_code == 404
        with pytest.raises(requests.exceptions.RequestException):
            r = requests.get(srv.url("/cut"), timeout=5)
            r.raise_for_status()
            assert len(r.content) == 10_000
