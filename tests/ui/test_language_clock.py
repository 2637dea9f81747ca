"""One language for the whole screen: the banner, the all-clear card, the takeover and the
alerts listed under it turn together, and a language stays until every page was shown.

Which language a drawn text is in is told by the alert strings it contains; the current
language is the screen clock's (ScreenClock.language).
"""

from __future__ import annotations

import time
from dataclasses import replace

from stele.domain.presentation import AlertText, AlertView
from stele.domain.screen import screen_of
from tests.ui.harness import PORTRAIT, Stele, items_of, plain, texts_on_screen
from tests.ui.samples import ALL_CLEAR, FLOOD, FLOOD_DE, FLOOD_EN, POWER, STORM, WATER

WATER_EN = AlertText(
    language="en",
    rtl=False,
    headline="Boil water notice for Musterstadt-Nord",
    description="Coliform bacteria were found in the drinking water.",
    instruction="Boil tap water for at least three minutes before drinking or cooking with it.",
    event="Drinking water contamination",
    sender_name="Public health office Musterland",
    area="Musterstadt-Nord, Am Wasserturm",
)
WATER_2 = replace(WATER, texts=(WATER.texts[0], WATER_EN))
ALL_CLEAR_2 = replace(
    ALL_CLEAR,
    texts=(
        *ALL_CLEAR.texts,
        replace(
            FLOOD_EN,
            headline="The flood is receding",
            description="Water levels are falling, the danger is over. Keep away from damaged "
            "river banks.",
            instruction="",
        ),
    ),
)
STORM_2 = replace(
    STORM,
    texts=(
        *STORM.texts,
        replace(STORM.texts[0], language="en", headline="Official severe weather warning: HURRICANE-FORCE GUSTS",
                description="Gusts of about 120 km/h from the west.", event="Hurricane-force gusts",
                instruction="Close windows and doors. Stay away from buildings and trees."),
    ),
)
LABELS = {"ENTWARNUNG": "de", "ALL CLEAR": "en", "WAS IST ZU TUN?": "de", "WHAT TO DO": "en"}


def strings_by_language(alert: AlertView) -> dict[str, set[str]]:
    return {
        t.language: {
            s for s in (t.headline, t.description, t.instruction, t.event, t.sender_name) if s
        }
        for t in alert.texts
    }


def drawn_languages(shown: list[str], strings: dict[str, set[str]]) -> set[str]:
    return {lang for lang, own in strings.items() if any(s in t for s in own for t in shown)}


def watch(s: Stele, qtbot, seconds: float) -> list[list[str]]:
    """The drawn strings, every ~150 ms."""
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qtbot.wait(150)
        s.frame()
        samples.append(texts_on_screen(s))
    return samples


def test_banner_and_all_clear_never_show_two_languages(stele, qtbot) -> None:
    """The bug: "ALL CLEAR" above a German warning. Both now follow the screen clock."""
    s = stele(PORTRAIT)
    s.quick_reading()
    # The all-clear comes while the banner is already up, in the middle of a language.
    s.bridge.apply(screen_of((WATER_2,)))
    qtbot.wait(1500)
    s.bridge.apply(screen_of((WATER_2,), ALL_CLEAR_2))
    water = strings_by_language(WATER_2)
    over = strings_by_language(replace(FLOOD, texts=ALL_CLEAR_2.texts))
    seen = set()
    for shown in watch(s, qtbot, 9):
        labels = {LABELS[t] for t in shown if t in LABELS}
        drawn = drawn_languages(shown, water) | drawn_languages(shown, over) | labels
        assert len(drawn) == 1, drawn
        seen |= drawn
    assert seen == {"de", "en"}


def test_takeover_and_listed_alerts_turn_together(stele, qtbot) -> None:
    s = stele(PORTRAIT)
    s.quick_reading()
    # Flood in de/en/ar on top; listed: the storm in de/en and a power cut in German only.
    s.bridge.apply(screen_of((FLOOD, STORM_2, POWER)))
    alerts = {a.identifier: (a, strings_by_language(a)) for a in (FLOOD, STORM_2, POWER)}
    seen = set()
    for shown in watch(s, qtbot, 14):
        # The flood has every language: it shows the screen's.
        (language,) = drawn_languages(shown, alerts[FLOOD.identifier][1])
        for identifier, (alert, strings) in alerts.items():
            own = [t.language for t in alert.texts]
            expected = language if language in own else own[0]  # else its preferred text
            drawn = drawn_languages(shown, strings)
            assert drawn == {expected}, (identifier, language, drawn)
        seen.add(language)
    assert seen == {"de", "en", "ar"}


def test_the_language_stays_until_every_page_was_shown(stele, qtbot) -> None:
    s = stele(PORTRAIT)
    s.quick_reading()
    long_de = replace(FLOOD_DE, description=" ".join([FLOOD_DE.description] * 5))
    flood = replace(FLOOD, texts=(long_de, FLOOD_EN))
    s.bridge.apply(screen_of((flood,)))
    description = next(
        i for i in items_of(s, "PagedText") if plain(i).startswith(FLOOD_DE.description[:20])
    )
    pages = description.property("pageCount")
    assert pages >= 3
    clock = s.singleton("ScreenClock")
    seen = set()
    qtbot.waitUntil(
        lambda: seen.add(description.property("page")) or clock.property("language") == "en",
        timeout=pages * 1500 + 10_000,
    )
    assert seen == set(range(pages))
