"""From the alert book to a `ScreenModel` (what the UI renders)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from stele.domain.book import AlertBook
from stele.domain.decide import infos_by_preference, lang_matches, onset_of
from stele.domain.model import Alert, Info, Layout, Status
from stele.domain.presentation import AlertText, AlertView, AllClearView, Mode, ScreenModel
from stele.domain.text import bounded

_RTL = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "ku"})
# The most of each field the glass shows (characters, "…" included): a valid message may carry
# 136,000 characters, and laying that out stopped the frames for seconds. The real feeds stay
# well below (tests/data/cap: headline 72, instruction 886, description 939 at most); the
# area list of a DWD warning runs to thousands, of which the first municipalities tell enough.
TEXT_LIMITS = {
    "headline": 200,
    "event": 80,
    "sender_name": 120,
    "area": 240,
    "instruction": 1200,
    "description": 3000,
}


def _text(info: Info) -> AlertText:
    lang = info.language.strip().lower().split("-")[0] or "de"
    areas = ", ".join(dict.fromkeys(a.description for a in info.areas if a.description))
    limit = TEXT_LIMITS
    return AlertText(
        language=lang,
        rtl=lang in _RTL,
        headline=bounded(info.headline or info.event, limit["headline"]),
        description=bounded(info.description, limit["description"]),
        instruction=bounded(info.instruction, limit["instruction"]),
        event=bounded(info.event, limit["event"]),
        sender_name=bounded(info.sender_name, limit["sender_name"]),
        area=bounded(areas, limit["area"]),
    )


def _texts(alert: Alert, languages: Sequence[str]) -> tuple[AlertText, ...]:
    """One text per configured language the alert has, preferred first; the UI rotates
    through them. Only configured ones: a DWD message in 8 languages would otherwise show
    each for an eighth of the time. If none is configured, the fallback choice alone."""
    seen: set[str] = set()
    texts: list[AlertText] = []
    for info in infos_by_preference(alert, languages):
        text = _text(info)
        if text.language in seen:
            continue
        if texts and not any(lang_matches(info.language, want) for want in languages):
            break  # past the configured languages (infos_by_preference lists them first)
        seen.add(text.language)
        texts.append(text)
    return tuple(texts)


def alert_view(
    alert: Alert,
    layout: Layout,
    languages: Sequence[str],
    now: datetime,
    received: datetime | None = None,
) -> AlertView:
    prefs = infos_by_preference(alert, languages)
    info = prefs[0] if prefs else Info()
    # "ab <time>" only while the onset is ahead on the stele's clock (decide.onset_of); the
    # time shown is the sender's.
    starts = onset_of(info, alert, received)
    onset = info.onset if starts is not None and starts > now else None
    return AlertView(
        identifier=alert.identifier,
        layout=layout,
        severity=info.severity.value,
        category=info.categories[0] if info.categories else "Other",
        exercise=alert.status is Status.EXERCISE,
        sent=alert.sent,
        onset=onset,
        expires=info.expires,
        web=next((i.web for i in prefs if i.web), ""),
        texts=_texts(alert, languages),
    )


# How many further warnings the list under a takeover holds (layouts/Stele OthersList: three
# rows in portrait, two in landscape; it pages them if even these do not fit the panel). The
# rest are counted, not shown: a list paging through dozens would hide the takeover's text.
LISTED_MAX_PORTRAIT = 3
LISTED_MAX_LANDSCAPE = 2


def compose(
    views: tuple[AlertView, ...], listed_max: int = LISTED_MAX_PORTRAIT
) -> tuple[Mode, AlertView | None, AlertView | None, tuple[AlertView, ...], tuple[AlertView, ...]]:
    """(mode, takeover, banner, slides, listed) for alerts in display order.

    The top alert drives the layout (docs/alerts.md). Under a takeover the others are
    listed; under a banner (or with none) they rotate as slides, including a takeover that
    is not on top (an Exercise below an Actual banner) and a second banner: no active alert
    ever vanishes while the screen has room for it.
    """
    if not views:
        return Mode.NORMAL, None, None, (), ()
    top, rest = views[0], views[1:]
    if top.layout is Layout.TAKEOVER:
        return Mode.CRISIS, top, None, (), rest[: max(0, listed_max)]
    if top.layout is Layout.BANNER:
        return Mode.BANNER, None, top, rest, ()
    return Mode.NORMAL, None, None, views, ()


def build_screen(
    book: AlertBook, now: datetime, *, listed_max: int = LISTED_MAX_PORTRAIT
) -> ScreenModel:
    """The one decision of what the glass shows; the kiosk and `stele alert replay` use it."""
    languages = book.policy.languages
    views = tuple(
        alert_view(e.alert, layout, languages, now, e.received) for e, layout in book.shown(now)
    )
    all_clear = None
    ac = book.current_all_clear(now)
    if ac is not None:
        texts = _texts(ac.cancel, languages)
        all_clear = AllClearView(
            identifier=ac.cancel.identifier,
            headline=texts[0].headline if texts else "",
            texts=texts,
            until=ac.until,
        )
    shown = {t.language for v in views for t in v.texts}
    if all_clear is not None:
        shown.update(t.language for t in all_clear.texts)
    return screen_of(views, all_clear, listed_max, _language_cycle(languages, shown))


def screen_of(
    views: tuple[AlertView, ...],
    all_clear: AllClearView | None = None,
    listed_max: int = LISTED_MAX_PORTRAIT,
    languages: tuple[str, ...] = (),
) -> ScreenModel:
    """The screen for alert views already in display order."""
    mode, takeover, banner, slides, listed = compose(views, listed_max)
    unlisted = len(views) - 1 - len(listed) if takeover is not None else 0
    return ScreenModel(
        mode=mode,
        alerts=views,
        takeover=takeover,
        banner=banner,
        slides=slides,
        listed=listed,
        unlisted=unlisted,
        all_clear=all_clear,
        languages=languages,
    )


def _language_cycle(configured: Sequence[str], shown: set[str]) -> tuple[str, ...]:
    """The configured languages some shown text is in, in configured order: the whole screen
    turns through them together (a text without the current one shows its preferred one)."""
    primary = (tag.strip().lower().split("-")[0] for tag in configured)
    return tuple(lang for lang in dict.fromkeys(primary) if lang in shown)
