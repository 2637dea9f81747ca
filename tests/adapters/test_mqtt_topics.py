"""Topic table and routing of the stele (pure functions of stele.adapters.topics)."""

from __future__ import annotations

import pytest

from stele.adapters.topics import (
    alert_topic,
    device_topic,
    index_topic,
    parse_topic,
    subscriptions,
)
from stele.errors import ConfigError

P, DEV, ARS = "city/x/stele/v1", "st-1", "051220000000"


def route(topic: str) -> tuple[str, str, str, str]:
    return parse_topic(topic, P, DEV, ARS)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (f"{P}/alerts/all/k1", ("alert", "all", "", "k1")),
        (f"{P}/alerts/ars/{ARS}/k2", ("alert", "ars", ARS, "k2")),
        (f"{P}/alerts/device/{DEV}/k3", ("alert", "device", DEV, "k3")),
        (f"{P}/index/all", ("index", "all", "", "")),
        (f"{P}/index/ars/{ARS}", ("index", "ars", ARS, "")),
        (f"{P}/index/device/{DEV}", ("index", "device", DEV, "")),
        (f"{P}/device/{DEV}/cmd", ("cmd", "", "", "")),
        (f"{P}/content/{ARS}", ("content", "", "", "")),
    ],
)
def test_every_subscribed_family_routes(topic: str, expected: tuple[str, ...]) -> None:
    assert route(topic) == expected


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("other/v1/alerts/all/k", "prefix"),
        (f"{P}/alerts/all", "levels"),
        (f"{P}/alerts/all/", "levels"),
        (f"{P}/alerts/all/k/extra", "levels"),
        (f"{P}/index/all/k", "levels"),
        (f"{P}/alerts/ars/091620000000/k", "not this stele"),
        (f"{P}/alerts/device/st-2/k", "not this stele"),
        (f"{P}/index/device/st-2", "not this stele"),
        (f"{P}/device/st-2/cmd", "not this stele"),
        (f"{P}/content/091620000000", "not this stele"),
        (f"{P}/alerts/region/x/k", "unknown scope"),
        (f"{P}/device/{DEV}/status", "not a topic"),
        (f"{P}/device/{DEV}/cmd/result", "not a topic"),
    ],
)
def test_foreign_or_malformed_topics_are_refused_with_a_reason(topic: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        route(topic)


def test_the_subscription_table_routes_to_itself() -> None:
    table = subscriptions(P, DEV, ARS)
    assert len(table) == len(set(table)) == 8
    for pattern in table:
        concrete = pattern.replace("+", "some-key")
        assert route(concrete)[0] in {"alert", "index", "cmd", "content"}


def test_builders_refuse_unsafe_levels() -> None:
    assert alert_topic(P, "ars", ARS, "k") == f"{P}/alerts/ars/{ARS}/k"
    assert index_topic(P, "all") == f"{P}/index/all"
    assert device_topic(P, DEV, "cmd/result") == f"{P}/device/{DEV}/cmd/result"
    for bad in ("a/b", "a+", "#", ""):
        with pytest.raises(ConfigError):
            alert_topic(P, "all", "", bad)
    with pytest.raises(ConfigError):
        alert_topic(P, "ars", "12345", "k")
    with pytest.raises(ConfigError):
        index_topic(P, "all", "x")
    with pytest.raises(ConfigError):
        index_topic(P, "town", "x")
