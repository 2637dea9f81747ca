import QtQuick
import Stele

// News from a feed, one entry at a time (title, date, summary, its picture when it has a
// verified one), newest first; each entry stays until it has been read through its pages.
ContentSlide {
    id: slide

    readonly property var entries: live.entries !== undefined ? live.entries : []
    property int index: 0
    property real entrySince: Date.now()
    readonly property var current: entries.length > 0 ? entries[index % entries.length] : ({})
    readonly property real entryUntil: Math.max(entrySince + Theme.pageSeconds * 1000,
                                                ScreenClock.readUntil([headline, summary]))

    ready: entries.length > 0 && (!picture.visible || picture.status !== Image.Loading)
    failure: entries.length === 0 ? "no news entries" : ""
    // The slide has been read when its last entry has.
    readUntil: index >= entries.length - 1 ? entryUntil : Number.MAX_SAFE_INTEGER

    Connections {
        target: ScreenClock
        enabled: slide.playing && slide.entries.length > 1
        function onNowChanged() {
            if (ScreenClock.now >= slide.entryUntil && slide.index < slide.entries.length - 1) {
                slide.index += 1
                slide.entrySince = ScreenClock.now
            }
        }
    }
    onPlayingChanged: if (playing) entrySince = Date.now()

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: Theme.surface
    }
    Item {
        id: page
        anchors.fill: parent
        anchors.margins: Theme.gap * 1.25

        LiveHeader {
            id: head
            width: parent.width
            text: slide.title !== "" ? slide.title : "Nachrichten"
            page: slide.index
            count: slide.entries.length
        }
        PagedText {
            id: date
            y: head.height + Theme.smallGap
            width: parent.width
            maxLines: 1
            text: slide.current.date !== undefined ? slide.current.date : ""
            color: Theme.textMuted
            font.pixelSize: Theme.contentSmallSize
        }
        PagedText {
            id: headline
            y: date.y + date.height + Theme.smallGap
            width: parent.width
            maxLines: 3
            text: slide.current.title !== undefined ? slide.current.title : ""
            font.pixelSize: Theme.contentBodySize
            font.bold: true
        }
        Image {
            id: picture
            y: headline.y + headline.height + Theme.gap
            width: parent.width
            height: visible ? Math.min(Theme.newsImageHeight, (footer.y - y) / 2) : 0
            visible: source !== "" && status !== Image.Error
            source: slide.current.image !== undefined ? slide.current.image : ""
            sourceSize.width: width
            sourceSize.height: Theme.newsImageHeight
            fillMode: Image.PreserveAspectFit
            horizontalAlignment: Image.AlignLeft
            asynchronous: true
        }
        PagedText {
            id: summary
            y: picture.y + picture.height + (picture.visible ? Theme.gap : 0)
            width: parent.width
            maxHeight: footer.y - Theme.gap - y
            text: slide.current.summary !== undefined ? slide.current.summary : ""
            font.pixelSize: Theme.contentBodySize
        }
        LiveFooter {
            id: footer
            anchors.bottom: parent.bottom
            width: parent.width
            text: slide.live.stand !== undefined ? slide.live.stand : ""
        }
    }
}
