"""plain_text / link_url: HTML fragments from real feeds reduced to plain text (quirk 6)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from stele.domain.text import link_url, plain_text

DATA = Path(__file__).parents[1] / "data" / "cap"


@pytest.mark.parametrize("br", ["<br>", "<br/>", "<br />", "<BR>", "<p>", "</p>", "<div>"])
def test_line_breaking_tags_become_newlines(br: str) -> None:
    assert plain_text(f"Erste Zeile{br}Zweite Zeile") == "Erste Zeile\nZweite Zeile"


def test_entities_are_decoded_and_nbsp_is_a_space() -> None:
    assert plain_text("Stra&szlig;e&nbsp;gesperrt &amp; Br&#252;cke &lt;b&gt;") == (
        "Straße gesperrt & Brücke <b>"
    )


def test_escaped_markup_stays_text_after_decoding() -> None:
    # "&lt;br&gt;" is text the author escaped on purpose: it must not become a line break.
    assert plain_text("a &lt;br&gt; b") == "a <br> b"


def test_link_keeps_its_label() -> None:
    assert plain_text('Siehe <a href="https://x.example/a?b=1&amp;c=2">Pegel</a>.') == (
        "Siehe Pegel."
    )


def test_other_tags_are_dropped_and_comments_removed() -> None:
    text = '<span style="color:red"><b>Achtung</b></span><!-- intern --> Hochwasser'
    assert plain_text(text) == "Achtung Hochwasser"


def test_angle_brackets_that_are_not_tags_survive() -> None:
    # Real DWD parameter text: "<160 [km/h]".
    assert plain_text("Böen <160 [km/h], a < b > c") == "Böen <160 [km/h], a < b > c"


def test_spaces_collapse_lines_are_stripped_and_blank_runs_shrink() -> None:
    text = "  Zeile   eins \t <br/><br/><br/><br/>   Zeile\u00a0 zwei  \r\n\r\n\r\n"
    assert plain_text(text) == "Zeile eins\n\nZeile zwei"


def test_control_characters_are_removed() -> None:
    assert plain_text("Alarm\x00\x07 jetzt\x1b") == "Alarm jetzt"


def test_real_mowas_instruction_becomes_three_lines() -> None:
    raw = json.loads(next(DATA.glob("01_*")).read_bytes())["info"][0]["instruction"]
    assert "<br/>" in raw
    assert plain_text(raw).split("\n") == [
        "Meiden Sie das betroffene Gebiet.",
        "Informieren Sie sich in den Medien, zum Beispiel im Lokalradio.",
        "Informieren Sie Ihre Nachbarn.",
    ]


def test_link_url_takes_the_href_of_the_real_lhp_web_field() -> None:
    raw = json.loads(next(DATA.glob("05_*")).read_bytes())["info"][0]["web"]
    assert raw.startswith("<a href=")
    assert link_url(raw) == (
        "https://www.bauumwelt.bremen.de/sixcms/detail.php?gsid=bremen213.c.31626.de"
    )


@pytest.mark.parametrize(
    ("web", "url"),
    [
        ("https://www.wettergefahren.de", "https://www.wettergefahren.de"),
        ("  www.bsh.de/wasserstand-nordsee ", "www.bsh.de/wasserstand-nordsee"),
        ("<A HREF='https://a.example/?x=1&amp;y=2'>A</A>", "https://a.example/?x=1&y=2"),
        ('<a class="l" href=https://b.example/p>B</a>', "https://b.example/p"),
        ("<b>kein Link</b>", "kein Link"),
        ("", ""),
    ],
)
def test_link_url_variants(web: str, url: str) -> None:
    assert link_url(web) == url


@pytest.mark.parametrize(
    "hostile",
    ["<a " * 200_000, "<!--" * 200_000, "<a href='" * 100_000, "&" * 400_000, "<" * 400_000],
)
def test_hostile_fragments_take_linear_time(hostile: str) -> None:
    start = time.perf_counter()
    plain_text(hostile)
    link_url(hostile)
    assert time.perf_counter() - start < 2.0
