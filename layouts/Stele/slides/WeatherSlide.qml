pragma ComponentBehavior: Bound

import QtQuick
import Stele

// The weather here now and for today and the next two days (Bright Sky, DWD data), with
// its source and when it was fetched.
ContentSlide {
    id: slide

    readonly property var current: live.current !== undefined ? live.current : ({})
    readonly property var days: live.days !== undefined ? live.days : []

    failure: live.current === undefined && days.length === 0 ? "no weather data" : ""
    readUntil: ScreenClock.readUntil([condition, footer])

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
            text: slide.title !== "" ? slide.title : "Wetter"
        }
        SteleText {
            id: temperature
            y: head.height + Theme.gap
            width: parent.width
            text: slide.current.temperature !== undefined ? slide.current.temperature : ""
            font.pixelSize: Theme.weatherTemperatureSize
            font.bold: true
            wrapMode: Text.NoWrap
            elide: Text.ElideNone
        }
        PagedText {
            id: condition
            y: temperature.y + temperature.height
            width: parent.width
            maxLines: 2
            text: slide.current.condition !== undefined ? slide.current.condition : ""
            font.pixelSize: Theme.contentBodySize
        }
        Column {
            id: forecast
            y: condition.y + condition.height + Theme.gap
            width: parent.width
            spacing: Theme.smallGap

            Repeater {
                model: slide.days
                delegate: Rectangle {
                    id: day
                    required property var modelData
                    width: forecast.width
                    height: dayText.height + 2 * Theme.smallGap
                    radius: Theme.plateRadius
                    color: Theme.surfaceHigh

                    PagedText {
                        id: dayText
                        x: Theme.smallGap
                        y: Theme.smallGap
                        width: parent.width - 2 * Theme.smallGap
                        maxLines: 2
                        text: [day.modelData.day,
                               day.modelData.min && day.modelData.max
                               ? day.modelData.min + " bis " + day.modelData.max : "",
                               day.modelData.condition,
                               day.modelData.precipitation].filter(s => s).join(" · ")
                        font.pixelSize: Theme.contentBodySize
                    }
                }
            }
        }
        LiveFooter {
            id: footer
            anchors.bottom: parent.bottom
            width: parent.width
            text: [slide.live.source !== undefined ? slide.live.source : "",
                   slide.live.stand !== undefined ? slide.live.stand : ""].filter(s => s).join(" · ")
        }
    }
}
