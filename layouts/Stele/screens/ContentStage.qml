pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The city's content in the rotation. Two Loaders take turns: the next slide is loaded into
// the hidden one while the current one plays, and it comes on only once it is ready (its
// picture decoded), cross-fading in *above* the outgoing slide, which stays fully drawn until
// the fade is over: no frame between two slides is empty or black. A slide that cannot be
// loaded is reported (`failed`) and never shown.
Item {
    id: stage

    required property ContentSlideModel slides
    property int want: -1        // the row NormalScreen wants on the glass (-1: none)
    property int upcoming: -1    // the row it will want next: loaded ahead
    // Under a takeover or the start-up rehearsal: videos stop, nothing new comes on. The
    // slide wanted next is still loaded meanwhile, so it is on the glass the moment the
    // stage is uncovered (at start: the first slide decodes while the rehearsal runs).
    property bool paused: false
    property int fadeMs: Theme.fadeMs

    readonly property string wantId: want >= 0 && want < slides.count ? slides.identifiers[want] : ""
    // The slide fully on the glass ("" while none is, or during the very first fade).
    property string shownId: ""
    property real shownSince: 0     // epoch ms when it came fully on
    readonly property ContentSlide shownItem: front.item as ContentSlide
    readonly property real durationMs: shownItem ? shownItem.durationMs : 0
    readonly property real readUntil: shownItem ? shownItem.readUntil : 0

    // Slides that failed to load in this playlist: a new playlist (revision) tries again.
    property var broken: []
    property SlideLoader front: first
    property SlideLoader back: second

    signal failed(string slideId, string reason)

    function urlOf(kind: string): url {
        switch (kind) {
        case "image": return Qt.resolvedUrl("../slides/ImageSlide.qml")
        case "pdf": return Qt.resolvedUrl("../slides/PdfSlide.qml")
        case "video": return Qt.resolvedUrl("../slides/VideoSlide.qml")
        case "text": return Qt.resolvedUrl("../slides/TextSlide.qml")
        case "news": return Qt.resolvedUrl("../slides/NewsSlide.qml")
        case "events": return Qt.resolvedUrl("../slides/EventsSlide.qml")
        case "weather": return Qt.resolvedUrl("../slides/WeatherSlide.qml")
        default: return ""
        }
    }

    // Load row `row` into `loader` unless it already holds that slide, as it is now.
    function prepare(loader: SlideLoader, row: int) {
        const entry = stage.slides.get(row)
        const id = String(entry.slideId)
        if (stage.broken.indexOf(id) >= 0) {  // failed already: skipped, not tried again
            if (id === stage.wantId)
                Qt.callLater(() => stage.failed(id, "failed to load before"))
            return
        }
        if (loader.slideId === id && loader.revision === stage.slides.revision
                && loader.status !== Loader.Error)
            return
        loader.slideId = id
        loader.revision = stage.slides.revision
        const source = urlOf(String(entry.kind))
        if (source === "") {
            loader.source = ""
            stage.failed(id, "unknown slide type " + entry.kind)
            return
        }
        // Not setSource(url, properties): that leaks a little on every call (Qt 6.8-6.11,
        // seen in tests/bench/soak.py); the entry is handed over in onLoaded instead.
        loader.source = ""
        loader.handedOver = false
        loader.entry = entry
        loader.source = source
    }

    // What should happen next, from what is wanted and what the two Loaders hold.
    function sync() {
        if (fade.running)
            return
        if (wantId === "") {
            return  // an alert slide or the fallback covers the stage; keep what is loaded
        }
        if (front.slideId === wantId && front.revision === slides.revision
                && front.status === Loader.Ready) {
            if (upcoming >= 0 && upcoming !== want && upcoming < slides.count)
                prepare(back, upcoming)
            return
        }
        prepare(back, want)
        check(back)
    }

    // `loader` finished loading (or its slide became ready, or failed).
    function check(loader: SlideLoader) {
        const item = loader.item as ContentSlide
        if (item && !loader.handedOver && loader.status !== Loader.Error)
            return  // created, its entry not yet given: nothing it says counts yet
        if (loader.status === Loader.Error || (item && item.failure !== "")) {
            const id = loader.slideId
            const reason = loader.status === Loader.Error ? "the slide could not be created"
                                                          : item.failure
            loader.slideId = ""
            loader.source = ""
            stage.broken = stage.broken.concat([id])
            stage.failed(id, reason)
            return
        }
        if (loader === back && item && item.ready && back.slideId === wantId && !fade.running
                && !paused)
            crossfade()
    }

    function crossfade() {
        back.z = 1
        front.z = 0
        back.opacity = 0
        back.visible = true
        const incoming = back.item as ContentSlide
        incoming.playing = true
        fade.from = 0
        fade.to = 1
        // The very first slide comes on at once (nothing of the content to fade from; the
        // fallback under it stays until it is there).
        fade.duration = front.item ? stage.fadeMs : 0
        fade.target = back
        fade.start()
    }

    function faded() {
        const outgoing = front
        front = back
        back = outgoing
        if (outgoing.item)
            (outgoing.item as ContentSlide).playing = false
        outgoing.visible = false
        outgoing.slideId = ""
        outgoing.source = ""      // the slide before goes only once the new one covers it
        shownSince = Date.now()
        shownId = front.slideId
        sync()                    // load the one after it, or catch up with a newer want
    }

    // No content any more: nothing stays loaded, the next first slide comes on at once.
    function clear() {
        fade.stop()
        for (const loader of [front, back]) {
            loader.visible = false
            loader.slideId = ""
            loader.source = ""
        }
        shownId = ""
        shownSince = 0
    }

    onWantIdChanged: sync()
    onUpcomingChanged: sync()
    onPausedChanged: {
        if (shownItem)
            shownItem.playing = !paused
        sync()
    }
    Connections {
        target: stage.slides
        function onRevisionChanged() {
            stage.broken = []
            if (stage.slides.count === 0)
                stage.clear()
            stage.sync()
        }
    }

    NumberAnimation {
        id: fade
        property: "opacity"
        easing.type: Easing.InOutQuad
        onFinished: stage.faded()
    }

    SlideLoader {
        id: first
        width: stage.width
        height: stage.height
        onStateMayHaveChanged: stage.check(first)
    }
    SlideLoader {
        id: second
        width: stage.width
        height: stage.height
        onStateMayHaveChanged: stage.check(second)
    }
}
