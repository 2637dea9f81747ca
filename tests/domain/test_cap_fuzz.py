"""Property: parse_alert returns an Alert or raises CapError, nothing else, whatever it gets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from stele.domain.text import link_url, plain_text
from stele.errors import CapError

DATA = Path(__file__).parents[1] / "data" / "cap"
SAMPLES = {path.name.split("_")[0]: path.read_bytes() for path in sorted(DATA.glob("0*"))}
# The 407 KB sample makes each example slow; it gets its own, smaller budget.
SMALL = [payload for name, payload in SAMPLES.items() if not name.startswith("08")]
CONTENT_TYPES = st.sampled_from(
    [None, "application/cap+xml", "application/json", "text/plain", "application/xml; x=1"]
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_cap_error(payload: bytes, content_type: str | None = None) -> None:
    try:
        result = parse_alert(payload, content_type)
    except CapError as exc:
        message = str(exc)
        assert message and "\n" not in message
        event(f"CapError: {message.split(':')[0][:30]}")
    else:
        event("parsed")
        assert isinstance(result, Alert)
        assert result.sent.tzinfo is not None
        assert result.raw == payload


@FAST
@given(st.binary(max_size=2048), CONTENT_TYPES)
def test_random_bytes(payload: bytes, content_type: str | None) -> None:
    parses_or_cap_error(payload, content_type)


@FAST
@given(st.sampled_from([b"<", b"{", b"\xef\xbb\xbf<", b" \n{"]), st.binary(max_size=512))
def test_random_bytes_behind_a_plausible_first_byte(head: bytes, tail: bytes) -> None:
    parses_or_cap_error(head + tail)


def _mutate(payload: bytes, data: st.DataObject) -> bytes:
    kind = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete", "several"]))
    rounds = data.draw(st.integers(2, 8)) if kind == "several" else 1
    out = bytearray(payload)
    for _ in range(rounds):
        op = (
            data.draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
            if (kind == "several")
            else kind
        )
        pos = data.draw(st.integers(0, max(0, len(out) - 1)))
        if op == "flip" and out:
            out[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "truncate":
            del out[pos:]
        elif op == "insert":
            chunk = data.draw(
                st.one_of(
                    st.binary(min_size=1, max_size=16),
                    st.sampled_from(
                        [
                            b"<",
                            b">",
                            b"&",
                            b'"',
                            b",",
                            b"{",
                            b"[",
                            b"]",
                            b"}",
                            b"<!DOCTYPE x>",
                            b"&lt;",
                            b"\\u0000",
                            b"null",
                            b"9e999",
                            b"<br/>",
                            b"\xff\xfe",
                        ]
                    ),
                )
            )
            out[pos:pos] = chunk
        elif op == "delete":
            del out[pos : pos + data.draw(st.integers(1, 64))]
    return bytes(out)


@FAST
@given(st.sampled_from(SMALL), st.data())
def test_mutated_real_samples(payload: bytes, data: st.DataObject) -> None:
    parses_or_cap_error(_mutate(payload, data))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_large_dwd_sample(data: st.DataObject) -> None:
    parses_or_cap_error(_mutate(SAMPLES["08"], data))


# --- random JSON in (roughly) the CAP shape --------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "Actual",
            "Alert",
            "Public",
            "2024-05-01T12:00:00Z",
            "7.0,51.1 7.2,51.1",
            "II",
            "99",
            "51.1,7.0 2",
            "<br/>&nbsp;",
            "a@b.de,ID-1,2024-05-01T12:00:00Z",
            "051220000000",
        ]
    ),
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """An object with some of `keys` (each right-typed or anything), or any JSON at all."""
    obj = st.fixed_dictionaries({}, optional=keys)
    return st.one_of(obj, st.lists(obj, max_size=3), ANY_JSON)


MOSTLY_TEXT = st.one_of(st.text(max_size=40), st.text(max_size=40), ANY_JSON)
PAIR = shaped({"valueName": ANY_JSON, "value": ANY_JSON})
AREA = shaped(
    {
        "areaDesc": ANY_JSON,
        "polygon": st.one_of(SCALARS, st.lists(SCALARS, max_size=2)),
        "circle": st.one_of(SCALARS, st.lists(SCALARS, max_size=2)),
        "geocode": PAIR,
    }
)
INFO = shaped(
    {
        "language": ANY_JSON,
        "category": ANY_JSON,
        "severity": ANY_JSON,
        "urgency": ANY_JSON,
        "expires": ANY_JSON,
        "headline": ANY_JSON,
        "web": ANY_JSON,
        "eventCode": PAIR,
        "parameter": PAIR,
        "area": AREA,
    }
)
VALID_HEADER = {
    "identifier": "ID-1",
    "sender": "s@x.de",
    "sent": "2024-05-01T12:00:00+02:00",
    "status": "Actual",
    "msgType": "Alert",
    "scope": "Public",
}
# Half of the examples keep a valid header so that the body (info/area/geocode) is reached.
HEADER_BREAKAGE = st.one_of(
    st.just({}), st.dictionaries(st.sampled_from(sorted(VALID_HEADER)), ANY_JSON, max_size=2)
)
ALERT = st.builds(
    lambda broken, body: VALID_HEADER | broken | body,
    HEADER_BREAKAGE,
    st.fixed_dictionaries(
        {}, optional={"references": MOSTLY_TEXT, "note": MOSTLY_TEXT, "info": INFO}
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ALERT)
def test_random_json_in_cap_shape(alert: dict[str, Any]) -> None:
    parses_or_cap_error(json.dumps(alert).encode(), "application/json")


@FAST
@given(ANY_JSON)
def test_random_json_of_any_shape(value: Any) -> None:
    parses_or_cap_error(json.dumps(value).encode())


@FAST
@given(st.text(max_size=300))
def test_plain_text_never_raises(text: str) -> None:
    result = plain_text(text)
    assert result == result.strip()
    assert isinstance(link_url(text), str)
