"""The city's content drawn for real (offscreen QML): each slide type, the crossfade, a slide
that cannot be loaded, and the rotation under a takeover. Assertions are on grabbed frames."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from stele.domain.presentation import EMPTY_SCREEN
from stele.ui.bridge import ScreenBridge
from stele.ui.content_model import ContentBridge
from stele.ui.view import create_view
from tests.ui.content_helpers import (
    bands,
    image_slide,
    inset,
    live_slide,
    picture,
    stage_rect,
    text_slide,
)
from tests.ui.harness import (
    Stele,
    fraction_near,
    items_of,
    qml_warnings,
    shown_items,
    texts_on_screen,
)
from tests.ui.samples import CRISIS
from tests.ui.scene import red_fraction

SMALL = (540, 960)


class ContentStele(Stele):
    content: ContentBridge
    shown: list[str]
    failed: list[tuple[str, str]]


@pytest.fixture
def cstele(qtbot, qtlog) -> Iterator:
    made: list[ContentStele] = []

    def make(size: tuple[int, int] = SMALL) -> ContentStele:
        bridge = ScreenBridge(city="Musterstadt", device_id="stele-0042", rotation_seconds=3600)
        content = ContentBridge()
        view = create_view(bridge, width=size[0], height=size[1], fullscreen=False, content=content)
        qtbot.waitExposed(view)
        s = ContentStele(view, bridge)
        s.content, s.shown, s.failed = content, [], []
        content.slideShown.connect(s.shown.append)
        content.slideFailed.connect(lambda i, r: s.failed.append((i, r)))
        made.append(s)
        return s

    yield make
    for s in made:
        s.view.close()
        del s.view
    # A picture that cannot be decoded is reported by Qt; the test that gives one expects it.
    assert not [w for w in qml_warnings(qtlog.records) if "broken.png" not in w]


def wait_shown(qtbot, s: ContentStele, slide_id: str, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: bool(s.shown) and s.shown[-1] == slide_id, timeout=timeout)
    qtbot.wait(50)  # the frame after the report


def test_image_contain_letterboxes_and_cover_fills(cstele, qtbot, tmp_path: Path) -> None:
    s = cstele()
    wide = picture(tmp_path / "wide.png", 800, 200, "#d01010")
    s.content.set_slides([image_slide("wide", wide, fit="contain")])
    wait_shown(qtbot, s, "wide")
    rect = stage_rect(s)
    frame = s.frame()
    red, letterbox = QColor("#d01010"), s.theme("letterbox")
    # Whole picture: a red band across the middle, the theme's colour above and below it.
    middle = QRectF(rect.left() + 4, rect.center().y() - 10, rect.width() - 8, 20)
    assert fraction_near(frame, red, middle, step=4) > 0.95
    top = QRectF(rect.left() + 4, rect.top() + 4, rect.width() - 8, rect.height() * 0.2)
    assert fraction_near(frame, letterbox, top, step=4) > 0.95
    assert fraction_near(frame, red, top, step=4) == 0

    s.content.set_slides([image_slide("wide-cover", wide, fit="cover")])
    wait_shown(qtbot, s, "wide-cover")
    assert fraction_near(s.frame(), red, inset(stage_rect(s), 2), step=4) > 0.99


def test_pictures_are_decoded_at_the_size_drawn_never_larger(cstele, qtbot, tmp_path) -> None:
    """Decoded pixels stay in memory while a slide is loaded (tests/bench/soak.py): given both
    dimensions, Qt decoded a wide picture so that it *covered* the stage even for "contain",
    and scaled it up to do so. With the picture's own size in its map, "contain" decodes at
    the drawn size and "cover" only the part on the glass, never above the picture's pixels."""
    s = cstele()
    rgb = ("#d01010", "#10a010", "#1040d0")
    wide = bands(tmp_path / "wide.png", 3000, 1000, rgb)
    s.content.set_slides([image_slide("contain", wide, fit="contain", pixels=True)])
    wait_shown(qtbot, s, "contain")
    rect = stage_rect(s)
    (picture,) = [i for i in shown_items(s) if i.objectName() == "contentPicture"]
    decoded = (picture.implicitWidth(), picture.implicitHeight())
    drawn = (picture.property("paintedWidth"), picture.property("paintedHeight"))
    assert decoded[0] <= drawn[0] + 1 and decoded[1] <= drawn[1] + 1, (decoded, drawn)
    frame = s.frame()
    for k, colour in enumerate(rgb):  # all three bands are there, whole
        x = rect.left() + (k + 0.5) * rect.width() / 3
        band = QRectF(x - 10, rect.center().y() - 5, 20, 10)
        assert fraction_near(frame, QColor(colour), band, step=2) > 0.9, colour

    small = bands(tmp_path / "small.png", 600, 200, rgb)  # smaller than the stage: not scaled up
    s.content.set_slides([image_slide("cover", small, fit="cover", pixels=True)])
    wait_shown(qtbot, s, "cover")
    (picture,) = [i for i in shown_items(s) if i.objectName() == "contentPicture"]
    width, height = picture.implicitWidth(), picture.implicitHeight()
    assert width <= 600 / 3 + 1 and height <= 200, (width, height)  # the middle band's part
    # The stage shows the middle of the picture, filling it: only green.
    assert fraction_near(s.frame(), QColor(rgb[1]), inset(stage_rect(s), 2), step=4) > 0.99


def test_jpeg_title_band_and_qr(cstele, qtbot, tmp_path: Path) -> None:
    s = cstele()
    photo = picture(tmp_path / "p.jpg", 600, 900, "#2060d0", "JPEG")
    from stele.ui.qr import qr_source

    entry = image_slide("markt", photo, fit="cover", title="Weihnachtsmarkt auf dem Neumarkt")
    entry.update(qrSource=qr_source("https://www.solingen.de/markt"), qrCaption="Mehr Infos")
    s.content.set_slides([entry])
    wait_shown(qtbot, s, "markt")
    texts = texts_on_screen(s)
    assert "Weihnachtsmarkt auf dem Neumarkt" in texts and "Mehr Infos" in texts
    assert fraction_near(s.frame(), QColor("#2060d0"), inset(stage_rect(s), 4), step=6) > 0.4


def test_long_text_pages_at_its_legible_size(cstele, qtbot) -> None:
    s = cstele()
    s.quick_reading()
    body = " ".join(f"Satz {i} über die Öffnungszeiten der Stadtbibliothek." for i in range(60))
    s.content.set_slides([text_slide("bib", "Stadtbibliothek", body)])
    wait_shown(qtbot, s, "bib")
    assert "Stadtbibliothek" in texts_on_screen(s)
    pages = [t for t in texts_on_screen(s) if t.startswith("1/")]
    assert pages, texts_on_screen(s)
    count = int(pages[0].split("/")[1])
    assert count > 1
    paged = [i for i in items_of(s, "PagedText") if i.objectName() == "contentBody"]
    assert paged and paged[0].property("font").pixelSize() == s.token("contentBodySize")
    assert s.token("contentBodySize") >= s.token("nearSize")
    qtbot.waitUntil(lambda: any(t.startswith("2/") for t in texts_on_screen(s)), timeout=5000)


def test_news_events_weather_are_drawn(cstele, qtbot) -> None:
    s = cstele()
    news = {"stand": "Stand: 02.12.2026, 09:15 Uhr", "entries": [
        {"title": "Neue Radwege in der Innenstadt", "date": "01.12.2026",
         "summary": "Die Stadt eröffnet zwei neue Radwege.", "image": ""},
        {"title": "Bürgerbüro am Samstag geöffnet", "date": "30.11.2026",
         "summary": "Termine online.", "image": ""}]}
    s.content.set_slides([live_slide("news", "news", news)])
    wait_shown(qtbot, s, "news")
    texts = texts_on_screen(s)
    for t in ("Nachrichten", "Neue Radwege in der Innenstadt", "01.12.2026",
              "Die Stadt eröffnet zwei neue Radwege.", "Stand: 02.12.2026, 09:15 Uhr"):
        assert t in texts, (t, texts)

    events = {"stand": "Stand: 02.12.2026, 09:00 Uhr", "entries": [
        {"date": "Sa 5.12.", "time": "10:00–18:00", "title": "Adventsmarkt", "place": "Neumarkt"},
        {"date": "So 6.12.", "time": "15:00", "title": "Nikolauskonzert", "place": "Stadtkirche"}]}
    s.content.set_slides([live_slide("ev", "events", events)])
    wait_shown(qtbot, s, "ev")
    texts = texts_on_screen(s)
    for t in ("Veranstaltungen", "Sa 5.12. · 10:00–18:00", "Adventsmarkt", "Neumarkt",
              "Nikolauskonzert", "Stadtkirche"):
        assert t in texts, (t, texts)

    weather = {"stand": "Stand: 02.12.2026, 09:00 Uhr", "source": "Quelle: Deutscher Wetterdienst",
               "current": {"temperature": "4 °C", "condition": "bedeckt"},
               "days": [{"day": "Heute", "min": "1 °C", "max": "6 °C", "condition": "Regen"}]}
    s.content.set_slides([live_slide("wx", "weather", weather)])
    wait_shown(qtbot, s, "wx")
    texts = texts_on_screen(s)
    for t in ("Wetter", "4 °C", "bedeckt", "Heute · 1 °C bis 6 °C · Regen",
              "Quelle: Deutscher Wetterdienst · Stand: 02.12.2026, 09:00 Uhr"):
        assert t in texts, (t, texts)


def test_crossfades_never_show_an_empty_or_black_frame(cstele, qtbot, tmp_path: Path) -> None:
    s = cstele()
    colours = ["#d01010", "#10a010", "#1030d0"]
    slides = [image_slide(f"c{i}", picture(tmp_path / f"c{i}.png", 640, 960, c), fit="cover",
                          ms=300) for i, c in enumerate(colours)]
    s.content.set_slides(slides)
    wait_shown(qtbot, s, "c0")
    rect = inset(stage_rect(s), 2)
    background, letterbox = s.theme("background"), s.theme("letterbox")
    black = QColor("#000000")
    frames = 0
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline and len(s.shown) < 7:
        frame = s.frame()
        frames += 1
        for empty in (background, letterbox, black):
            assert fraction_near(frame, empty, rect, step=16, tolerance=12) == 0, (frames, s.shown)
        qtbot.wait(5)
    assert len(s.shown) >= 7, s.shown  # it went round the playlist twice
    assert s.shown[:4] == ["c0", "c1", "c2", "c0"]
    assert frames > 40


def test_a_slide_that_cannot_load_is_skipped_and_reported(cstele, qtbot, tmp_path: Path) -> None:
    s = cstele()
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really" * 100)
    good = picture(tmp_path / "good.png", 640, 960, "#10a010")
    s.content.set_slides([image_slide("good", good, fit="cover", ms=300),
                          image_slide("broken", broken, ms=300)])
    qtbot.waitUntil(lambda: ("broken" in [f[0] for f in s.failed]), timeout=5000)
    qtbot.wait(1500)
    assert "broken" not in s.shown and s.shown.count("good") >= 1
    assert fraction_near(s.frame(), QColor("#10a010"), inset(stage_rect(s), 2), step=8) > 0.99


def test_takeover_pauses_the_rotation_and_it_resumes_where_it_was(cstele, qtbot, tmp_path) -> None:
    s = cstele()
    slides = [image_slide(f"s{i}", picture(tmp_path / f"s{i}.png", 64, 96, c), fit="cover",
                          ms=1500) for i, c in enumerate(["#d01010", "#10a010", "#1030d0"])]
    s.content.set_slides(slides)
    wait_shown(qtbot, s, "s0")
    wait_shown(qtbot, s, "s1")
    s.bridge.apply(CRISIS)
    qtbot.waitUntil(lambda: s.shown[-1] == "", timeout=2000)  # nothing of the content shows
    qtbot.wait(2500)  # longer than a slide's duration
    assert s.shown[-1] == "" and "s2" not in s.shown
    s.bridge.apply(EMPTY_SCREEN)
    wait_shown(qtbot, s, "s1")  # back where it was, not moved on
    assert fraction_near(s.frame(), QColor("#10a010"), inset(stage_rect(s), 2), step=8) > 0.99
    wait_shown(qtbot, s, "s2")


def fallback_shown(s: ContentStele) -> bool:
    return any(i.objectName() == "fallbackScreen" for i in shown_items(s))


def test_a_playlist_that_arrives_under_a_takeover_is_ready_when_it_ends(cstele, qtbot,
                                                                        tmp_path) -> None:
    """The first slide is loaded and decoded while the takeover covers the stage (at start,
    while the rehearsal does): the first frame after the takeover shows it, not the
    fallback screen with the picture still loading."""
    s = cstele()
    s.bridge.apply(CRISIS)
    qtbot.waitUntil(lambda: red_fraction(s.frame()) > 0.4, timeout=2000)
    big = picture(tmp_path / "big.png", 1080, 1920, "#10a010")
    s.content.set_slides([image_slide("first", big, fit="cover", ms=60_000)])
    qtbot.wait(1500)  # time to create the slide and decode its picture, under the takeover
    assert s.shown == [] or s.shown[-1] == ""
    s.bridge.apply(EMPTY_SCREEN)
    frame = s.frame()  # the very next frame
    assert not fallback_shown(s)
    assert fraction_near(frame, QColor("#10a010"), inset(stage_rect(s), 2), step=8) > 0.99
    assert s.shown[-1] == "first"


def test_no_content_shows_the_fallback_screen(cstele, qtbot, tmp_path) -> None:
    s = cstele()
    assert fallback_shown(s)
    texts = texts_on_screen(s)
    assert "Musterstadt" in texts and "112" in texts and "Willkommen in" not in texts
    s.content.set_slides([text_slide("t", "Stadtbibliothek", "Heute bis 20 Uhr geöffnet.")])
    wait_shown(qtbot, s, "t")
    assert "Stadtbibliothek" in texts_on_screen(s) and not fallback_shown(s)
    s.content.set_slides([])
    qtbot.waitUntil(lambda: fallback_shown(s), timeout=3000)
    assert "Stadtbibliothek" not in texts_on_screen(s)
    assert s.shown[-1] == ""


def test_an_alert_slide_without_content_is_shown_not_the_fallback(cstele, qtbot) -> None:
    """A minor alert is not "nothing to play": the rotation shows it (and acks it as a slide)."""
    from stele.domain.screen import screen_of
    from tests.ui.samples import ICE

    s = cstele()
    acked: list[str] = []
    s.bridge.alertSlideShown.connect(acked.append)
    s.bridge.apply(screen_of((ICE,)))
    qtbot.waitUntil(lambda: ICE.texts[0].headline in texts_on_screen(s), timeout=3000)
    assert not fallback_shown(s) and acked == [ICE.identifier]
    s.bridge.apply(EMPTY_SCREEN)
    qtbot.waitUntil(lambda: fallback_shown(s), timeout=3000)


def test_video_plays_muted_and_fills_like_a_picture(cstele, qtbot, tmp_path: Path) -> None:
    from tests.ui.content_helpers import mjpeg_video

    video = mjpeg_video(tmp_path / "clip.mkv", "#d01010")
    s = cstele()
    entry = image_slide("clip", video, fit="cover", kind="video", ms=0)  # its own length
    s.content.set_slides([entry])
    wait_shown(qtbot, s, "clip", timeout=10_000)
    slides = [i for i in shown_items(s) if i.metaObject().className().startswith("VideoSlide")]
    assert slides
    video = slides[0]
    # Its duration is the video's own length (20 frames at 10 fps), and it has no sound.
    qtbot.waitUntil(lambda: abs(video.property("durationMs") - 2000) < 150, timeout=5000)
    assert video.property("muted") is True
    qtbot.waitUntil(lambda: video.property("running") is True, timeout=3000)
    # What this test cannot check: the frames on the glass. The tests render with Qt Quick's
    # software backend, and Qt Multimedia's VideoOutput draws only through the RHI (OpenGL,
    # Vulkan), which the stele has on its panel (eglfs) but this test machine does not.
