"""Shared test fixtures."""

from __future__ import annotations

import os

# Tests render offscreen whatever the shell says (./dev test sets it too); before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.brokers import (
    BROKERS,
    BrokerUnavailable,
    Mosquitto,
    NatsBroker,
    RabbitBroker,
    RabbitVhosts,
    TestBroker,
)
from tests.qml_engines import drop_leftover_types

if TYPE_CHECKING:
    from tests.parse_server import ParseServer

# CI sets it: a broker that is missing fails the run instead of skipping its tests.
REQUIRE_BROKERS = os.environ.get("STELE_REQUIRE_BROKERS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "all_brokers: run each test using the `broker` fixture once per broker "
        "(Mosquitto, NATS, RabbitMQ)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "broker" in metafunc.fixturenames and metafunc.definition.get_closest_marker("all_brokers"):
        metafunc.parametrize("broker", BROKERS, indirect=True)


@pytest.fixture(autouse=True)
def _one_qml_engine_at_a_time() -> Iterator[None]:
    """Each test starts without the QML types earlier tests' engines left (tests/qml_engines.py)."""
    yield
    drop_leftover_types()


def _unavailable(name: str, exc: BrokerUnavailable) -> None:
    message = f"{name} unavailable: {exc}"
    if REQUIRE_BROKERS:
        pytest.fail(message + " (STELE_REQUIRE_BROKERS=1: no broker may be skipped)", False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def rabbit_vhosts() -> Iterator[RabbitVhosts | BrokerUnavailable]:
    """One pool of RabbitMQ virtual hosts per session (or why RabbitMQ cannot be used)."""
    try:
        pool = RabbitVhosts()
    except BrokerUnavailable as exc:
        yield exc
        return
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def broker(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestBroker]:
    """A fresh broker on 127.0.0.1: a private Mosquitto (persistence on; restart() keeps the
    port) unless the test is marked `all_brokers`, then also NATS and RabbitMQ."""
    name = getattr(request, "param", "mosquitto")
    b: TestBroker
    try:
        if name == "mosquitto":
            b = Mosquitto(workdir=tmp_path_factory.mktemp("mosquitto"))
        elif name == "nats":
            b = NatsBroker(tmp_path_factory.mktemp("nats"))
        else:
            pool = request.getfixturevalue("rabbit_vhosts")
            if isinstance(pool, BrokerUnavailable):
                raise pool
            b = RabbitBroker(pool)
    except BrokerUnavailable as exc:
        _unavailable(name, exc)
        raise  # not reached: skip/fail raise
    b.start()
    try:
        yield b
    finally:
        b.close()


# --- the OSCA backend: a real Parse Server (tests/parse_server.py) ---------------------------
# CI sets it: without node/npm/PostgreSQL the OSCA tests fail instead of skipping.
REQUIRE_PARSE = os.environ.get("STELE_REQUIRE_PARSE") == "1"


def _parse_server(workdir: Path) -> ParseServer:
    from tests.parse_server import ParseServer, ParseUnavailable

    try:
        return ParseServer(workdir).start()
    except ParseUnavailable as exc:
        if REQUIRE_PARSE:
            pytest.fail(f"Parse Server unavailable: {exc} (STELE_REQUIRE_PARSE=1)", False)
        pytest.skip(f"Parse Server unavailable: {exc}")


@pytest.fixture(scope="session")
def parse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParseServer]:
    """One Parse Server per test session, its own fresh PostgreSQL database; tests keep
    apart by their own stele uuid and rows."""
    server = _parse_server(tmp_path_factory.mktemp("parse"))
    try:
        server.seed_schema()
        server.seed_user()
        yield server
    finally:
        server.close()


@pytest.fixture
def own_parse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParseServer]:
    """A Parse Server of the test's own, for tests that stop and restart the backend."""
    server = _parse_server(tmp_path_factory.mktemp("parse"))
    try:
        server.seed_schema()
        server.seed_user()
        yield server
    finally:
        server.close()
