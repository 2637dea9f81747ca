"""From the book to what the screen shows: languages to rotate, onset, links."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from stele.domain.book import AlertBook
from stele.domain.cap import parse_alert
from stele.domain.decide import Policy
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
