"""The manifest contract (docs/content.md): what is accepted, and one line per problem."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stele.content_schema import SCHEMA_PATH
from stele.domain.manifest import (
    ITEM_TYPES,
    ManifestError,
    parse_manifest,
    schema_text,
)

SHA = "9f2c" + "0" * 60
SPEC_EXAMPLE = {
    "version": "2026-12-01.3",
    "items": [
        {
            "id": "weihnachtsmarkt",
            "type": "image",
            "duration_s": 12,
            "media": {"url": "media/markt.jpg", "sha256": SHA, "size": 481233},
            "fit": "cover",
            "title": "Weihnachtsmarkt auf dem Neumarkt",
            "qr": "https://www.solingen.de/weihnachtsmarkt",
            "priority": 0,
            "schedule": {
                "from": "2026-11-20T00:00:00+01:00",
                "until": "2026-12-23T22:00:00+01:00",
                "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "times": [{"from": "10:00", "until": "22:00"}],
            },
            "targets": {"ars": ["05122"], "tags": ["innenstadt"]},
        }
    ],
}
MEDIA = {"url": "a.png", "sha256": "a" * 64, "size": 10}


def problems(data: Any) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(json.dumps(data) if not isinstance(data, bytes) else data)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def one(item: dict[str, Any]) -> dict[str, Any]:
    return {"version": "1", "items": [item]}


def test_the_spec_example_parses() -> None:
    m = parse_manifest(json.dumps(SPEC_EXAMPLE).encode())
    item = m.items[0]
    assert (m.version, item.id, item.fit_mode, item.duration) == (
        "2026-12-01.3",
        "weihnachtsmarkt",
        "cover",
        12,
    )
    assert item.schedule and item.schedule.times and item.schedule.times[0].end_min == 22 * 60
    assert item.targets and item.targets.ars == ("05122",)


def test_defaults() -> None:
    m = parse_manifest(
        json.dumps(
            {
                "version": "1",
                "items": [
                    {"id": "a", "type": "image", "media": MEDIA},
                    {"id": "v", "type": "video", "media": MEDIA},
                    {"id": "p", "type": "pdf", "media": MEDIA},
                    {"id": "n", "type": "news", "source": {"url": "https://x/feed"}},
                ],
            }
        )
    )
    image, video, pdf, news = m.items
    assert (image.duration, image.fit_mode, image.priority) == (10, "contain", 0)
    assert video.duration is None  # the video's own length
    assert pdf.page_number == 1
    assert news.source and (news.source.max_items, news.source.refresh_s) == (5, 900)
    assert parse_manifest('{"version": "x", "items": []}').items == ()


def test_every_type_is_known() -> None:
    assert ITEM_TYPES == ("image", "video", "pdf", "text", "news", "events", "weather")


@pytest.mark.parametrize(
    ("item", "line"),
    [
        (
            {"id": "a", "type": "image", "media": MEDIA, "shedule": {}},
            'items[0].shedule: unknown key (did you mean "schedule"?)',
        ),
        ({"id": "a", "type": "image"}, 'items[0]: "media" is required for type "image"'),
        ({"id": "a", "type": "text"}, 'items[0]: "title" is required for type "text"'),
        ({"id": "a", "type": "weather"}, 'items[0]: "source" is required for type "weather"'),
        (
            {"id": "a", "type": "text", "title": "t", "media": MEDIA},
            'items[0]: "media" is only for image, video and pdf',
        ),
        (
            {"id": "a", "type": "image", "media": MEDIA, "page": 2},
            'items[0]: "page" is only for pdf',
        ),
        (
            {"id": "A b", "type": "text", "title": "t"},
            'items[0].id: expected 1-64 characters from a-z, 0-9, "-", "_" and ".", got "A b"',
        ),
        (
            {"id": "a", "type": "slideshow"},
            "items[0].type: expected one of 'image', 'video', 'pdf', 'text', 'news', 'events' or"
            " 'weather', got \"slideshow\"",
        ),
        (
            {"id": "a", "type": "text", "title": "t", "duration_s": 2},
            "items[0].duration_s: input should be greater than or equal to 3, got 2",
        ),
        (
            {"id": "a", "type": "text", "title": "t", "duration_s": "10"},
            'items[0].duration_s: expected a whole number (without quotes), got "10"',
        ),
        (
            {"id": "a", "type": "text", "title": "t", "qr": "http://x.de"},
            'items[0].qr: expected an "https://" URL without spaces, got "http://x.de"',
        ),
        (
            {"id": "a", "type": "image", "media": {**MEDIA, "sha256": "A" * 64}},
            "items[0].media.sha256: expected 64 lower-case hex digits (the SHA-256 of the file's"
            ' exact bytes), got "' + "A" * 64 + '"',
        ),
        (
            {"id": "a", "type": "image", "media": {**MEDIA, "url": "file:///etc/passwd"}},
            "items[0].media.url: expected an http(s) URL or a path relative to the manifest's URL",
        ),
        (
            {"id": "a", "type": "news", "source": {"url": "https://x", "refresh_s": 30}},
            "items[0].source.refresh_s: input should be greater than or equal to 60, got 30",
        ),
        (
            {"id": "a", "type": "text", "title": "t", "schedule": {"times": []}},
            "items[0].schedule.times: an empty list is not allowed (leave the key out instead)",
        ),
        (
            {"id": "a", "type": "text", "title": "t", "schedule": {"weekdays": []}},
            "items[0].schedule.weekdays: an empty list is not allowed (leave the key out instead)",
        ),
        (
            {"id": "a", "type": "text", "title": "t", "schedule": {"weekdays": ["mo"]}},
            "items[0].schedule.weekdays[0]: expected one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'"
            " or 'sun', got \"mo\"",
        ),
        (
            {
                "id": "a",
                "type": "text",
                "title": "t",
                "schedule": {"times": [{"from": "10:00", "until": "10:00"}]},
            },
            'items[0].schedule.times[0]: "from" equals "until" (the window would be empty)',
        ),
        (
            {
                "id": "a",
                "type": "text",
                "title": "t",
                "schedule": {"times": [{"from": "24:00", "until": "02:00"}]},
            },
            'items[0].schedule.times[0].from: "24:00" is only allowed as "until"',
        ),
        (
            {
                "id": "a",
                "type": "text",
                "title": "t",
                "schedule": {"times": [{"from": "9:00", "until": "10:00"}]},
            },
            'items[0].schedule.times[0].from: expected a time "HH:MM" from "00:00" to "23:59", got "9:00"',
        ),
        (
            {
                "id": "a",
                "type": "text",
                "title": "t",
                "schedule": {
                    "from": "2026-12-01T00:00:00+01:00",
                    "until": "2026-12-01T00:00:00+01:00",
                },
            },
            'items[0].schedule: "until" must be after "from"',
        ),
        (
            {"id": "a", "type": "text", "title": "t", "schedule": {"from": "2026-12-01T00:00:00"}},
            "items[0].schedule.from: expected a date and time with its UTC offset, e.g."
            ' "2026-11-20T00:00:00+01:00", got "2026-12-01T00:00:00"',
        ),
        (
            {"id": "a", "type": "text", "title": "t", "targets": {"ars": ["1234567890123"]}},
            "items[0].targets.ars[0]: expected 1-12 digits (a prefix of the Amtlicher"
            ' Regionalschluessel), got "1234567890123"',
        ),
        (
            {"id": "a", "type": "text", "title": "t", "targets": {"tags": []}},
            "items[0].targets.tags: an empty list is not allowed (leave the key out instead)",
        ),
    ],
)
def test_one_readable_line_per_problem(item: dict[str, Any], line: str) -> None:
    assert problems(one(item)) == [line]


def test_many_problems_all_listed() -> None:
    data = {
        "version": "",
        "items": [
            {"id": "a", "type": "text", "title": "t"},
            {"id": "a", "type": "text", "title": "t"},
        ],
        "generator": "x",
    }
    assert problems(data) == ["version: expected non-empty text", "generator: unknown key"]
    data["version"], data.pop("generator")
    data["version"] = "1"
    assert problems(data) == ['items[1].id: "a" repeats items[0].id']


def test_not_json_not_an_object_not_utf8() -> None:
    assert problems(b'{"version": ') == [
        "manifest: not valid JSON: Expecting value (line 1, column 13)"
    ]
    assert problems(b"[]") == ["manifest: expected an object {...}, got []"]
    assert problems(b"\xff\xfe") == ["manifest: not UTF-8 text"]
    assert problems({"items": []}) == ["version: required key missing"]


def test_24_00_is_allowed_as_until_and_past_midnight_windows_parse() -> None:
    m = parse_manifest(
        json.dumps(
            one(
                {
                    "id": "a",
                    "type": "text",
                    "title": "t",
                    "schedule": {
                        "times": [
                            {"from": "18:00", "until": "24:00"},
                            {"from": "22:00", "until": "02:00"},
                        ]
                    },
                }
            )
        )
    )
    late, night = m.items[0].schedule.times  # type: ignore[union-attr]
    assert (late.start_min, late.end_min) == (18 * 60, 24 * 60)
    assert (night.start_min, night.end_min) == (22 * 60, 26 * 60)


def test_the_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "regenerate: ./dev schema"


def test_the_schema_rejects_unknown_keys_and_names_the_types() -> None:
    schema = json.loads(schema_text())
    item = schema["$defs"]["Item"]
    assert item["additionalProperties"] is False
    assert set(item["required"]) == {"id", "type"}
    assert item["properties"]["type"]["enum"] == list(ITEM_TYPES)
    assert "from" in schema["$defs"]["Schedule"]["properties"]


def test_the_documented_example_is_a_valid_manifest() -> None:
    doc = (SCHEMA_PATH.parent / "content.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    m = parse_manifest(example)
    assert [i.type for i in m.items] == ["image", "text", "news"]
