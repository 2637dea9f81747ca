"""From the book to what the screen shows: languages to rotate, onset, links."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from stele.domain.book import AlertBook
from stele.domain.cap import parse_alert
from stele.domain.decide import Policy
from stele.domain.presentation import ScreenModel
from stele.domain.screen import build_screen

DATA = Path(__file__).parents[1] / "data" / "cap"


def screen_for(languages: tuple[str, ...]):
    alert = parse_alert((DATA / "07_dwd_cap12_xml_update_multilang_starkregen.xml").read_bytes())
    book = AlertBook(place=None, policy=Policy(languages=languages))
    at = alert.sent + timedelta(minutes=1)
    book.receive(alert, at)
    return build_screen(book, at)


def test_rotation_is_limited_to_configured_languages() -> None:
    assert [t.language for t in screen_for(("de", "en")).alerts[0].texts] == ["de", "en"]
    texts = screen_for(("tr", "de-DE", "ar")).alerts[0].texts
    assert [t.language for t in texts] == ["tr", "de", "ar"]
    assert [t.rtl for t in texts] == [False, False, True]


def test_no_configured_language_in_the_alert_falls_back_to_german_alone() -> None:
    assert [t.language for t in screen_for(("uk",)).alerts[0].texts] == ["de"]


def test_inspect_and_replay_agree_with_the_screen_on_every_real_sample() -> None:
    """`stele alert inspect` asks the screen's own composition, so it cannot disagree."""
    from stele.domain.report import inspect_alert, replay_report
    from stele.domain.targeting import Place

    place = Place(lat=51.1652, lon=7.0671, ars="051220000000")
    for path in sorted(DATA.glob("*.xml")) + sorted(DATA.glob("*.json")):
        alert = parse_alert(path.read_bytes())
        at = alert.sent + timedelta(minutes=1)
        for where in (None, place):
            book = AlertBook(place=where, policy=Policy())
            book.receive(alert, at)
            replayed = replay_report(book, at)["layout"]
            inspected = inspect_alert(alert, place=where, at=at, policy=Policy())["layout"]
            assert inspected == replayed, (path.name, where)


def test_every_text_field_is_bounded_before_it_reaches_the_screen() -> None:
    from stele.domain.screen import TEXT_LIMITS
    from stele.domain.text import ELLIPSIS
    from tests.capgen import make_alert

    word = "Wasser "
    alert = make_alert(
        headline=word * 1000,
        description=word * 20_000,  # 140,000 characters: a valid message, once sent for real
        instruction=word * 5000,
        event=word * 100,
        sender_name=word * 100,
        area_desc=word * 1000,
    )
    book = AlertBook(place=None, policy=Policy(languages=("de",)))
    at = alert.sent + timedelta(minutes=1)
    book.receive(alert, at)
    text = build_screen(book, at).alerts[0].texts[0]
    for field, limit in TEXT_LIMITS.items():
        value = getattr(text, field)
        assert len(value) <= limit and value.endswith("Wasser" + ELLIPSIS), field


def test_the_screen_turns_through_the_configured_languages_on_it_in_configured_order() -> None:
    assert screen_for(("en", "de")).languages == ("en", "de")
    assert screen_for(("uk", "de-DE", "en")).languages == ("de", "en")  # no Ukrainian text
    assert screen_for(("uk",)).languages == ()  # the fallback text alone: nothing to turn


def test_a_hand_built_screen_turns_through_its_languages_in_order_of_appearance() -> None:
    screen = screen_for(("de", "en"))
    bare = ScreenModel(mode=screen.mode, alerts=screen.alerts)
    assert bare.languages == () and bare.language_cycle == ("de", "en")
    assert screen.language_cycle == ("de", "en")
