pragma ComponentBehavior: Bound

import QtQuick
import Stele

// Upcoming events (demo content).
SlideBase {
    id: slide

    SlideTitle {
        id: title
        width: parent.width
        text: "Veranstaltungen"
        subtitle: "Diese Woche in der Stadt"
    }

    Column {
        id: list
        // Rows share the room there is, within limits, so the page looks full but calm.
        readonly property real rowHeight: Math.max(Theme.px(130), Math.min(Theme.px(180),
            (slide.height - title.height - Theme.gap * 1.5) / 5 - spacing))
        anchors.top: title.bottom
        anchors.topMargin: Theme.gap * 1.5
        width: parent.width
        spacing: Theme.smallGap

        Repeater {
            model: [
                { "day": "HEUTE", "time": "8 – 13 Uhr", "title": "Wochenmarkt",
                  "place": "Marktplatz" },
                { "day": "HEUTE", "time": "19:30 Uhr", "title": "Lesenacht für Jugendliche",
                  "place": "Stadtbibliothek" },
                { "day": "MORGEN", "time": "20 Uhr", "title": "Sommerkonzert des Stadtorchesters",
                  "place": "Musikpavillon im Stadtpark" },
                { "day": "SA", "time": "9 – 16 Uhr", "title": "Flohmarkt",
                  "place": "Rathausplatz" },
                { "day": "SO", "time": "11 Uhr", "title": "Offene Führung durch die Altstadt",
                  "place": "Treffpunkt Rathaus" }
            ]
            delegate: Rectangle {
                id: row
                required property var modelData
                width: parent.width
                height: list.rowHeight
                radius: Theme.radius
                color: Theme.surface
                visible: title.height + Theme.gap * 1.5 + y + height <= slide.height

                Rectangle {
                    id: when
                    width: Theme.px(200)
                    height: parent.height
                    radius: Theme.radius
                    color: Theme.surfaceHigh

                    Column {
                        anchors.centerIn: parent
                        width: parent.width - Theme.smallGap * 2
                        SteleText {
                            width: parent.width
                            text: row.modelData.day
                            color: Theme.accent
                            font.pixelSize: Theme.slideSmallSize
                            font.bold: true
                            wrapMode: Text.NoWrap
                            fontSizeMode: Text.HorizontalFit
                            horizontalAlignment: Text.AlignHCenter
                        }
                        SteleText {
                            width: parent.width
                            text: row.modelData.time
                            font.pixelSize: Theme.px(28)
                            wrapMode: Text.NoWrap
                            fontSizeMode: Text.HorizontalFit
                            horizontalAlignment: Text.AlignHCenter
                        }
                    }
                }
                Column {
                    anchors.left: when.right
                    anchors.leftMargin: Theme.gap
                    anchors.right: parent.right
                    anchors.rightMargin: Theme.gap
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: Theme.px(4)

                    SteleText {
                        width: parent.width
                        text: row.modelData.title
                        font.pixelSize: Theme.slideBodySize
                        font.bold: true
                        maximumLineCount: 2
                    }
                    SteleText {
                        width: parent.width
                        text: row.modelData.place
                        color: Theme.textMuted
                        font.pixelSize: Theme.slideSmallSize
                        maximumLineCount: 1
                    }
                }
            }
        }
    }
}
