import QtQuick

// One item of the city's content, as ContentStage loads it: off the glass until `ready`, then
// cross-faded in. A slide that cannot be shown whole sets `failure` and is skipped, never
// shown broken.
Item {
    id: contentSlide

    property var entry: ({})        // a row of ContentSlideModel (stele/ui/content_model.py)
    property bool ready: true       // everything it draws is loaded (a picture decoded ...)
    property string failure: ""     // why it cannot be shown; the stage skips and reports it
    property bool playing: false    // on the glass now (a video plays only then)
    // How long it stays once on the glass: the manifest's duration ...
    property real durationMs: entry.durationMs !== undefined ? Number(entry.durationMs) : 10000
    // ... and until everything on it was shown long enough to be read (epoch ms, 0: no text).
    property real readUntil: 0

    readonly property string slideId: entry.slideId !== undefined ? String(entry.slideId) : ""
    readonly property string title: entry.title !== undefined ? String(entry.title) : ""
    readonly property string body: entry.body !== undefined ? String(entry.body) : ""
    readonly property var live: entry.live !== undefined ? entry.live : ({})
}
