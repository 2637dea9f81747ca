pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The next events from a calendar (date, time, title, place), a page of whole entries at a
// time; each page stays until it has been read.
ContentSlide {
    id: slide

    readonly property var entries: live.entries !== undefined ? live.entries : []
    // Every entry takes the same room: a date line, two title lines, a place line.
    readonly property real smallStep: Math.ceil(Theme.contentSmallSize * Theme.lineSpacing)
    readonly property real bodyStep: Math.ceil(Theme.contentBodySize * Theme.lineSpacing)
    readonly property real entryHeight: 2 * smallStep + 2 * bodyStep + Theme.gap
    readonly property int perPage: Math.max(1, Math.floor((footer.y - list.y) / entryHeight))
    readonly property int pageCount: Math.max(1, Math.ceil(entries.length / perPage))
    property int page: 0
    property real pageSince: Date.now()
    readonly property var shownEntries: entries.slice(page * perPage, (page + 1) * perPage)
    readonly property int words: shownEntries.reduce(
        (n, e) => n + (String(e.title) + " " + String(e.place)).split(/\s+/).length + 3, 0)
    readonly property real pageUntil: pageSince + Math.max(Theme.pageSeconds * 1000,
                                                           words / Theme.wordsPerMinute * 60000)

    failure: entries.length === 0 ? "no events" : ""
    readUntil: page >= pageCount - 1 ? pageUntil : Number.MAX_SAFE_INTEGER

    Connections {
        target: ScreenClock
        enabled: slide.playing && slide.pageCount > 1
        function onNowChanged() {
            if (ScreenClock.now >= slide.pageUntil && slide.page < slide.pageCount - 1) {
                slide.page += 1
                slide.pageSince = ScreenClock.now
            }
        }
    }
    onPlayingChanged: if (playing) pageSince = Date.now()

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: Theme.surface
    }
    Item {
        anchors.fill: parent
        anchors.margins: Theme.gap * 1.25

        LiveHeader {
            id: head
            width: parent.width
            text: slide.title !== "" ? slide.title : "Veranstaltungen"
            page: slide.page
            count: slide.pageCount
        }
        Column {
            id: list
            y: head.height + Theme.gap
            width: parent.width

            Repeater {
                model: slide.shownEntries
                delegate: Item {
                    id: row
                    required property var modelData
                    width: list.width
                    height: slide.entryHeight

                    PagedText {
                        id: when
                        width: parent.width
                        maxLines: 1
                        text: [row.modelData.date, row.modelData.time].filter(s => s).join(" · ")
                        color: Theme.accent
                        font.pixelSize: Theme.contentSmallSize
                        font.bold: true
                    }
                    PagedText {
                        id: what
                        y: when.height
                        width: parent.width
                        maxLines: 2
                        text: row.modelData.title !== undefined ? row.modelData.title : ""
                        font.pixelSize: Theme.contentBodySize
                    }
                    PagedText {
                        y: what.y + 2 * slide.bodyStep
                        width: parent.width
                        maxLines: 1
                        text: row.modelData.place !== undefined ? row.modelData.place : ""
                        color: Theme.textMuted
                        font.pixelSize: Theme.contentSmallSize
                    }
                }
            }
        }
        LiveFooter {
            id: footer
            anchors.bottom: parent.bottom
            width: parent.width
            text: slide.live.stand !== undefined ? slide.live.stand : ""
        }
    }
}
