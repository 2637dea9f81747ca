"""plain_text / link_url: HTML fragments from real feeds reduced to plain text (quirk 6);
bounded / soft_hyphens: alert text made fit for the glass."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stele.domain.text import ELLIPSIS, SOFT_HYPHEN, bounded, link_url, plain_text, soft_hyphens

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


# -- bounded: every field cut to a limit before it reaches the layout ----------------------------

SENTENCE = "Der Pegel der Mustach steigt rasch und wird in den nächsten Stunden 5 Meter erreichen. "


def test_short_text_is_unchanged() -> None:
    assert bounded("Hochwasser", 10) == "Hochwasser"
    assert bounded("", 1) == ""


def test_long_text_is_cut_at_a_space_with_an_ellipsis() -> None:
    text = SENTENCE * 100
    out = bounded(text, 300)
    assert len(out) <= 300 and out.endswith(ELLIPSIS)
    kept = out.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    assert text[len(kept)] in " ."  # the next character ends a word: none was cut
    assert not kept.endswith((" ", ",", "."))  # no dangling punctuation before "…"


def test_a_run_without_spaces_is_cut_between_graphemes() -> None:
    # "e" + combining acute, a family emoji joined by ZWJ: each drawn as one character.
    for unit in ("e\u0301", "\U0001F468\u200D\U0001F469\u200D\U0001F467", "a\U0001F3FD"):
        text = unit * 500
        for limit in range(2, 40):
            out = bounded(text, limit)
            kept = out.removesuffix(ELLIPSIS)
            assert len(out) <= limit
            assert len(kept) % len(unit) == 0, (unit, limit, kept)


def test_a_lone_surrogate_pair_half_is_not_split() -> None:
    text = "x" * 8 + "\ud83d\ude00" * 20  # as a lenient JSON decoder may hand them over
    for limit in range(9, 30):
        kept = bounded(text, limit).removesuffix(ELLIPSIS)
        assert not ("\ud800" <= kept[-1] <= "\udbff"), limit


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_bounded_respects_the_limit_and_keeps_a_prefix(text: str, limit: int) -> None:
    out = bounded(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS) and text.startswith(out.removesuffix(ELLIPSIS))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=20), max_size=80),
       st.integers(min_value=40, max_value=400))
def test_bounded_never_cuts_a_word(words: list[str], limit: int) -> None:
    text = " ".join(words)
    kept = bounded(text, limit).removesuffix(ELLIPSIS)
    assert kept.split() == words[: len(kept.split())]


@pytest.mark.parametrize("size", [136_000, 2_000_000])
def test_bounded_takes_time_in_the_limit_not_the_input(size: int) -> None:
    text = "a" * size
    start = time.perf_counter()
    for _ in range(100):
        bounded(text, 3000)
        bounded("word " * (size // 5), 3000)
    assert time.perf_counter() - start < 1.0


# -- soft_hyphens: where a word too long for a line may break --------------------------------------


def shown(text: str) -> str:
    return text.replace(SOFT_HYPHEN, "-")


@pytest.mark.parametrize(
    ("word", "hyphenated"),
    [
        ("Hochwasserschutz", "Hoch-was-ser-schutz"),
        ("Überschwemmungsgefahr", "Über-schwem-mungs-ge-fahr"),
        ("Sturmflutwarnung", "Sturm-flut-war-nung"),
        ("Brückenstraße", "Brü-cken-straße"),
        ("Katastrophenschutz", "Kata-stro-phen-schutz"),
        ("Lebensgefahr", "Lebens-ge-fahr"),
        ("Попередження", "Попе-ред-ження"),
    ],
)
def test_long_words_get_soft_hyphens_at_syllables(word: str, hyphenated: str) -> None:
    assert shown(soft_hyphens(word)) == hyphenated


def test_short_words_numbers_links_and_other_scripts_stay_whole() -> None:
    for text in (
        "Gefahr an der Wupper",
        "1234567890123",
        "https://www.wettergefahren.de/warnungen",
        "www.musterstadt.de",
        "lagezentrum@musterstadt.de",
        "فيضان شديد على نهر موستاخ",
    ):
        assert soft_hyphens(text) == text


def test_soft_hyphens_never_split_a_combining_sequence() -> None:
    text = "Wasserstandsvorhersage" + "\u0301" + "Wasserstandsvorhersage"
    out = soft_hyphens(text)
    assert out.replace(SOFT_HYPHEN, "") == text
    for i, ch in enumerate(out):
        if ch == SOFT_HYPHEN:
            assert out[i + 1].isalpha() and out[i - 1].isalpha()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_soft_hyphens_only_add_soft_hyphens(text: str) -> None:
    out = soft_hyphens(text.replace(SOFT_HYPHEN, ""))
    assert out.replace(SOFT_HYPHEN, "") == text.replace(SOFT_HYPHEN, "")


def test_soft_hyphens_take_linear_time() -> None:
    start = time.perf_counter()
    soft_hyphens("Wasserstandsvorhersage " * 20_000)
    soft_hyphens("a.b" * 100_000)
    assert time.perf_counter() - start < 2.0
