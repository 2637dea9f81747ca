import Stele

// One item of the city's content, as ContentStage loads it: off the glass until `ready`, then
// cross-faded in. A slide that cannot be shown whole sets `failure` and is skipped, never
// shown broken. What the stage reads of it is on its base, SlideItem (stele/ui/slide_item.py):
// the stage casts to that type, which keeps one identity on every Qt the device runs.
SlideItem {
    id: contentSlide

    entry: ({})
    durationMs: entry.durationMs !== undefined ? Number(entry.durationMs) : 10000

    readonly property string slideId: entry.slideId !== undefined ? String(entry.slideId) : ""
    readonly property string title: entry.title !== undefined ? String(entry.title) : ""
    readonly property string body: entry.body !== undefined ? String(entry.body) : ""
    readonly property var live: entry.live !== undefined ? entry.live : ({})
}
