import QtQuick
import Stele

// The city's greeting: the one everyday page the stele shows by itself. Everything else on
// it is content the city provides, never invented facts (opening hours, events, departures).
SlideBase {
    id: slide

    property string city: ""

    Column {
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
            height: Theme.welcomeHeight
            text: slide.city
            color: Theme.accent
            font.pixelSize: Theme.welcomeSize
            font.bold: true
            wrapMode: Text.NoWrap
            fontSizeMode: Text.Fit
            verticalAlignment: Text.AlignVCenter
        }
        SteleText {
            width: parent.width
            text: "Im Ernstfall zeigt diese Stele die amtlichen Warnungen für diesen Ort."
            font.pixelSize: Theme.slideBodySize
            maximumLineCount: 3
        }
    }
}
