pragma ComponentBehavior: Bound

import QtQuick
import Stele

// Greeting with a few everyday facts (demo content until real content is configured).
SlideBase {
    id: slide

    property string city: ""
    readonly property int columns: width > Theme.px(1500) ? 3 : width > Theme.px(1000) ? 2 : 1

    Column {
        id: greeting
        width: parent.width
        spacing: Theme.smallGap

        SteleText {
            width: parent.width
            text: "Willkommen in"
            color: Theme.textMuted
            font.pixelSize: Theme.slideBodySize
            maximumLineCount: 1
        }
        SteleText {
            width: parent.width
            height: Theme.px(130)
            text: slide.city
            color: Theme.accent
            font.pixelSize: Theme.px(110)
            font.bold: true
            wrapMode: Text.NoWrap
            fontSizeMode: Text.Fit
            verticalAlignment: Text.AlignVCenter
        }
        SteleText {
            width: parent.width
            text: "Aktuelles aus Ihrer Stadt, Termine und Abfahrten – und im Ernstfall die "
                  + "amtlichen Warnungen."
            font.pixelSize: Theme.slideBodySize
            maximumLineCount: 3
        }
    }

    Grid {
        id: tiles
        anchors.top: greeting.bottom
        anchors.topMargin: Theme.gap * 1.5
        width: parent.width
        columns: slide.columns
        spacing: Theme.gap

        Repeater {
            model: [
                { "title": "Bürgerbüro", "body": "Mo – Fr  8 – 18 Uhr\nSa  9 – 12 Uhr" },
                { "title": "Behördennummer", "body": "115\nMo – Fr  7 – 19 Uhr" },
                { "title": "Fundbüro", "body": "Rathaus, Erdgeschoss\nZimmer 014" },
                { "title": "Stadtbibliothek", "body": "Di – Fr  10 – 19 Uhr\nSa  10 – 14 Uhr" }
            ]
            delegate: Rectangle {
                id: tile
                required property var modelData
                width: (tiles.width - (slide.columns - 1) * tiles.spacing) / slide.columns
                height: Theme.px(180)
                radius: Theme.radius
                color: Theme.surface
                // A tile that would be cut off by the banner is not shown at all.
                visible: tiles.y + y + height <= slide.height

                Column {
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: Theme.px(6)

                    SteleText {
                        width: parent.width
                        text: tile.modelData.title
                        color: Theme.accent
                        font.pixelSize: Theme.slideSmallSize
                        font.bold: true
                        maximumLineCount: 1
                    }
                    SteleText {
                        width: parent.width
                        text: tile.modelData.body
                        font.pixelSize: Theme.slideSmallSize
                        maximumLineCount: 2
                    }
                }
            }
        }
    }
}
