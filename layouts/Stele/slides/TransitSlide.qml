pragma ComponentBehavior: Bound

import QtQuick
import Stele

// Next departures at the nearest stop (demo content).
SlideBase {
    id: slide

    SlideTitle {
        id: title
        width: parent.width
        text: "ÖPNV – Abfahrten"
        subtitle: "Haltestelle Rathaus"
    }

    Column {
        id: list
        readonly property real rowHeight: Math.max(Theme.px(100), Math.min(Theme.px(150),
            (slide.height - title.height - Theme.gap * 1.5) / 6 - spacing))
        anchors.top: title.bottom
        anchors.topMargin: Theme.gap * 1.5
        width: parent.width
        spacing: Theme.px(10)

        Repeater {
            model: [
                { "line": "4", "colour": "#e3000f", "to": "Hauptbahnhof", "in": "sofort" },
                { "line": "12", "colour": "#00843d", "to": "Klinikum Nord", "in": "4 min" },
                { "line": "S1", "colour": "#0069b4", "to": "Flughafen", "in": "7 min" },
                { "line": "4", "colour": "#e3000f", "to": "Südfriedhof", "in": "11 min" },
                { "line": "25", "colour": "#8e44ad", "to": "Gewerbepark West", "in": "14 min" },
                { "line": "12", "colour": "#00843d", "to": "Hafen", "in": "18 min" }
            ]
            delegate: Rectangle {
                id: row
                required property var modelData
                required property int index
                width: parent.width
                height: list.rowHeight
                radius: Theme.px(16)
                color: index % 2 === 0 ? Theme.surface : "transparent"
                visible: title.height + Theme.gap * 1.5 + y + height <= slide.height

                Rectangle {
                    id: badge
                    anchors.left: parent.left
                    anchors.leftMargin: Theme.smallGap
                    anchors.verticalCenter: parent.verticalCenter
                    width: Theme.px(120)
                    height: Theme.px(76)
                    radius: Theme.px(12)
                    color: row.modelData.colour

                    SteleText {
                        anchors.fill: parent
                        text: row.modelData.line
                        font.pixelSize: Theme.slideBodySize
                        font.bold: true
                        wrapMode: Text.NoWrap
                        fontSizeMode: Text.Fit
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                }
                SteleText {
                    anchors.left: badge.right
                    anchors.leftMargin: Theme.gap
                    anchors.right: due.left
                    anchors.rightMargin: Theme.gap
                    anchors.verticalCenter: parent.verticalCenter
                    text: row.modelData.to
                    font.pixelSize: Theme.slideBodySize
                    maximumLineCount: 1
                }
                SteleText {
                    id: due
                    anchors.right: parent.right
                    anchors.rightMargin: Theme.gap
                    anchors.verticalCenter: parent.verticalCenter
                    text: row.modelData.in
                    color: row.modelData.in === "sofort" ? Theme.accent : Theme.text
                    font.pixelSize: Theme.slideBodySize
                    font.bold: true
                    wrapMode: Text.NoWrap
                }
            }
        }
    }
}
